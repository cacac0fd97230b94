/**
 * Reading a topology file end to end: load (YAML, positions) → resolve (checks). Throws
 * TopologyError carrying every diagnostic; its message is one `file:line:col: CODE: …`
 * line per problem.
 */
import { SyError } from '../../shared/errors.ts';
import { loadTopologyFile } from './load.ts';
import { formatDiagnostics } from './report.ts';
import { resolve } from './resolve.ts';
import type { Diagnostic, Topology } from './types.ts';

export class TopologyError extends SyError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    super(first?.code ?? 'SY_ERR_LAB_FIELD', `${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} in topology:\n${formatDiagnostics(diagnostics)}`);
    this.diagnostics = diagnostics;
  }
}

export function readTopology(file: string): Topology {
  const res = resolve(loadTopologyFile(file));
  if (!res.ok) throw new TopologyError(res.diagnostics);
  return res.topology;
}
