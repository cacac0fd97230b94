/**
 * Prints configuration diagnostics the way HAProxy does, so that what operators grep
 * for ("[ALERT]", "parsing [file:line]") keeps working:
 *   [ALERT]    (pid) : config : parsing [file.cfg:12] : unknown keyword 'x' in 'frontend' section; …
 * Returns the number of alerts and warnings printed.
 */
import type { Diagnostic } from './config/types.ts';
import { emit } from '../shared/log.ts';

export function reportDiagnostics(diags: Diagnostic[]): { alerts: number; warnings: number } {
  let alerts = 0;
  let warnings = 0;
  for (const d of diags) {
    const where = d.where ? `parsing [${d.where.file}:${d.where.line}] : ` : '';
    const text = `config : ${where}${d.message}`;
    if (d.severity === 'alert') { alerts++; emit('ALERT', text); }
    else if (d.severity === 'warning') { warnings++; emit('WARNING', text); }
    else if (d.severity === 'notice') emit('NOTICE', text);
    else emit('DIAG', text);
  }
  return { alerts, warnings };
}

export function reportFatal(files: string[]): void {
  if (files.length > 0) emit('ALERT', `config : Error(s) found in configuration file : ${files.join(', ')}`);
  emit('ALERT', 'config : Fatal errors found in configuration.');
}
