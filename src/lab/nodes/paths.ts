/**
 * Where the lab's own programs are: the Node that runs us (Node 24 — it strips types) and
 * the repository root, so nodes can run `bin/switchyard`, the demo server and the load
 * generator from the same checkout as the CLI.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SWITCHYARD_BIN = join(REPO_ROOT, 'bin', 'switchyard');
export const HTTPD_SCRIPT = join(REPO_ROOT, 'src', 'lab', 'nodes', 'httpd.ts');
export const LOADGEN_SCRIPT = join(REPO_ROOT, 'src', 'lab', 'nodes', 'loadgen.ts');
export const NODE_ARGS = ['--disable-warning=ExperimentalWarning'];

/** argv that runs a TypeScript script of ours with this Node. */
export function nodeScript(script: string, args: readonly string[]): string[] {
  return [process.execPath, ...NODE_ARGS, script, ...args];
}
