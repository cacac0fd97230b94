/**
 * Process messages on stderr, in HAProxy's shape so operators' log scrapers keep working:
 *   "[ALERT]    (1234) : config : parsing [f.cfg:3] : unknown keyword 'x' ..."
 * Severity tags are padded to HAProxy's width. `quiet` (-q) silences notices and warnings.
 */
export type Severity = 'ALERT' | 'WARNING' | 'NOTICE' | 'DIAG';

const state = { quiet: false, diag: false };

export function setQuiet(quiet: boolean): void { state.quiet = quiet; }
export function setDiag(diag: boolean): void { state.diag = diag; }

export function emit(sev: Severity, message: string): void {
  if (state.quiet && sev !== 'ALERT') return;
  if (sev === 'DIAG' && !state.diag) return;
  const tag = `[${sev}]`.padEnd(10);
  writeLine(`${tag} (${process.pid}) : ${message}\n`);
}

export const alert = (m: string): void => emit('ALERT', m);
export const warning = (m: string): void => emit('WARNING', m);
export const notice = (m: string): void => emit('NOTICE', m);

/** Redirects messages (a daemon child sends them to its parent before detaching). */
let sink: ((line: string) => void) | null = null;
export function setSink(fn: ((line: string) => void) | null): void { sink = fn; }
/** The current redirection (null: stderr), so a caller can tee messages and restore it. */
export function getSink(): ((line: string) => void) | null { return sink; }
export function writeLine(line: string): void {
  if (sink) sink(line);
  else process.stderr.write(line);
}
