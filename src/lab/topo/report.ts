/**
 * Collects diagnostics while resolving a topology: every problem is kept (not just the
 * first), each with file:line:col from the raw document and a stable error code.
 */
import type { ErrorCode } from '../../shared/errors.ts';
import type { Path, RawTopology } from './load.ts';
import type { Diagnostic } from './types.ts';

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  readonly raw: RawTopology;
  constructor(raw: RawTopology) {
    this.raw = raw;
  }
  error(code: ErrorCode, path: Path, message: string, part: 'key' | 'value' = 'value'): void {
    this.diagnostics.push({ ...this.raw.at(path, part), code, message });
  }
  get failed(): boolean {
    return this.diagnostics.length > 0;
  }
}

/** One line per diagnostic, `file:line:col: CODE: message`, sorted by position. */
export function formatDiagnostics(ds: readonly Diagnostic[]): string {
  return [...ds]
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`)
    .join('\n');
}
