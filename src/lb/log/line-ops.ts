/**
 * The byte operations a log format becomes (line-bytes.ts byteFormat()): one per format
 * node, each naming what it writes. line-bytes.ts's writeMessage() interprets them (the
 * exact path: any room, lines cut at `len`); line-compile.ts turns a list of them into one
 * JavaScript function (the fast path). Both write exactly the string path's bytes.
 */
import type { Flags, Printer } from './format.ts';
import type { LogRecord } from './record.ts';

export const K_TEXT = 0;
export const K_SEP = 1;
/** A number printed as String(n), flags ignored (Th … bq). */
export const K_NUM = 2;
/** A port: '-' without an address, else the number (X: 4 hex digits, string path). */
export const K_PORT = 3;
/** A string field printed by lf_text (Q honoured; E and X go through the string printer). */
export const K_STR = 4;
export const K_TS = 5;
export const K_TSC = 6;
export const K_RC = 7;
/** The request line (%r): #XX encoding, E, Q. */
export const K_REQ = 8;
/** A date with milliseconds (%t, %tr). */
export const K_DATE_MS = 9;
/** Anything else: its string printer. */
export const K_PRINT = 10;
/** Captured headers (%hr, %hs; field 0 or 1): nothing when there are none, else their printer. */
export const K_CAPS = 11;

/** One operation; every op has every field so V8 sees a single shape. */
export interface Op {
  readonly k: number;
  readonly bytes: Uint8Array;
  /** The record field read: an index into NUM_NAMES (K_NUM, K_PORT, K_DATE_MS) or STR_NAMES (K_STR); K_CAPS: 0 hr, 1 hs. */
  readonly field: number;
  /** K_PORT: the address field that decides '-' (an index into STR_NAMES). */
  readonly field2: number;
  readonly q: boolean;
  readonly e: boolean;
  readonly print: Printer | null;
}

const NO_BYTES = new Uint8Array(0);

/**
 * Record fields by number. The interpreter reads them through a switch (numField/strField):
 * a keyed load `r[name]` with a different name per operation is megamorphic and several
 * times slower; the compiled path names them in its code.
 */
export const NUM_NAMES = ['Th', 'Ti', 'TR', 'Tw', 'Tc', 'Tr', 'Ta', 'Tt', 'ST', 'B', 'U', 'ac', 'fc', 'bc', 'sc', 'sq', 'bq',
  'cp', 'fp', 'bp', 'sp', 'acceptDate', 'requestDate'] as const;
export const STR_NAMES = ['ci', 'fi', 'bi', 'si', 'f', 'b', 's'] as const;

export function numField(r: LogRecord, f: number): number {
  switch (f) {
    case 0: return r.Th; case 1: return r.Ti; case 2: return r.TR; case 3: return r.Tw; case 4: return r.Tc;
    case 5: return r.Tr; case 6: return r.Ta; case 7: return r.Tt; case 8: return r.ST; case 9: return r.B;
    case 10: return r.U; case 11: return r.ac; case 12: return r.fc; case 13: return r.bc; case 14: return r.sc;
    case 15: return r.sq; case 16: return r.bq; case 17: return r.cp; case 18: return r.fp; case 19: return r.bp;
    case 20: return r.sp; case 21: return r.acceptDate; default: return r.requestDate;
  }
}

export function strField(r: LogRecord, f: number): string {
  switch (f) {
    case 0: return r.ci; case 1: return r.fi; case 2: return r.bi; case 3: return r.si;
    case 4: return r.f; case 5: return r.b; default: return r.s;
  }
}

const num = (name: string): number => (NUM_NAMES as readonly string[]).indexOf(name);
const str = (name: string): number => (STR_NAMES as readonly string[]).indexOf(name);
/** Variables printed as String(n), flags ignored. */
const NUM_VARS = new Set(NUM_NAMES.slice(0, 17));
const PORTS: Record<string, string> = { cp: 'ci', fp: 'fi', bp: 'bi', sp: 'si' };
const STR_VARS: Record<string, string> = { ci: 'ci', fi: 'fi', bi: 'bi', si: 'si', f: 'f', ft: 'f', b: 'b', s: 's' };
const IPS = new Set(['ci', 'fi', 'bi', 'si']);

export function op(k: number, o: Partial<Op> = {}): Op {
  return { k, bytes: o.bytes ?? NO_BYTES, field: o.field ?? 0, field2: o.field2 ?? 0, q: o.q ?? false, e: o.e ?? false, print: o.print ?? null };
}

/** The operation of variable `v` with flags `f` (not JSON); `print` is its string printer (format.ts). */
export function varOp(v: string, f: Flags, print: Printer): Op {
  if (NUM_VARS.has(v as never)) return op(K_NUM, { field: num(v) });
  const addr = PORTS[v];
  if (addr && !f.x) return op(K_PORT, { field: num(v), field2: str(addr) });
  const s = STR_VARS[v];
  // E escapes and X turns IPv4 addresses into hex: rare, left to the printer.
  if (s && !f.e && !(f.x && IPS.has(v))) return op(K_STR, { field: str(s), q: f.q });
  switch (v) {
    case 'ts': return op(K_TS);
    case 'tsc': return op(K_TSC);
    case 'rc': return op(K_RC);
    case 'r': return op(K_REQ, { q: f.q, e: f.e });
    case 't': return op(K_DATE_MS, { field: num('acceptDate') });
    case 'tr': return op(K_DATE_MS, { field: num('requestDate') });
    // Cookies are not captured (format.ts prints lf_text of nothing): a constant.
    case 'CC': case 'CS': return op(K_TEXT, { bytes: Buffer.from(f.q ? '""' : '-', 'latin1') });
    case 'hr': return op(K_CAPS, { field: 0, print });
    case 'hs': return op(K_CAPS, { field: 1, print });
  }
  return op(K_PRINT, { print });
}
