/**
 * Helpers for lab tests: a private state root per test file, unique lab names (so
 * parallel runs never share a namespace), topology files written to a temp dir, the CLI
 * as a real process, and listings of what exists (namespaces, processes) to assert that
 * nothing is left. `cleanupLabs()` (call it in `after`) removes every lab made here even
 * when a test failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labClean } from '../../src/lab/ops/down.ts';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const BIN = join(ROOT, 'bin', 'switchyard');

/** Why lab tests cannot run here, or null. */
export function labSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'lab tests need root (network namespaces)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'lab tests need iproute2 (`ip`)';
  return null;
}
export const SKIP = labSkipReason();

export const STATE_ROOT = mkdtempSync(join(tmpdir(), 'sy-labtest-'));
process.env.SWITCHYARD_LAB_DIR = STATE_ROOT;

let counter = 0;
/** A lab name unique to this process and call: `t<pid base36><n>`. */
export function uniqueLab(tag = ''): string {
  return `t${process.pid.toString(36)}${tag}${(counter++).toString(36)}`;
}

const workDir = mkdtempSync(join(tmpdir(), 'sy-labtopo-'));
export function writeTopo(text: string, name = `topo${counter++}.yaml`): string {
  const f = join(workDir, name);
  writeFileSync(f, text);
  return f;
}

/** An example topology with its `name:` replaced (examples use fixed names). */
export function exampleAs(example: string, lab: string): string {
  const text = readFileSync(join(ROOT, 'examples', 'lab', example), 'utf8').replace(/^name: .*$/m, `name: ${lab}`);
  return writeTopo(text, `${lab}.yaml`);
}

export type CliResult = { code: number; stdout: string; stderr: string };
export function cli(args: string[], timeoutMs = 60_000, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['lab', ...args], { env: { ...process.env, SWITCHYARD_LAB_DIR: STATE_ROOT }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => { stdout += b; });
    child.stderr?.on('data', (b: Buffer) => { stderr += b; });
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
  });
}

/** Namespaces whose name starts with `sy-<lab>` (the lab's node and fabric namespaces). */
export function labNamespaces(lab: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return [];
  }
  return names.filter((n) => n === `sy-${lab}.sw` || n.startsWith(`sy-${lab}-`));
}

/** PIDs of processes whose environment says SY_LAB=<lab>. */
export function labProcesses(lab: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const env = readFileSync(`/proc/${e}/environ`, 'utf8').split('\0');
      if (env.includes(`SY_LAB=${lab}`)) {
        const st = readFileSync(`/proc/${e}/stat`, 'utf8');
        if (!/\) [ZX] /.test(st)) out.push(Number(e));
      }
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Root-namespace interfaces (the lab must never add any). */
export function rootInterfaces(): string[] {
  return readdirSync('/sys/class/net').sort();
}

export function netnsOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

export async function cleanupLabs(): Promise<void> {
  await labClean(undefined).catch(() => undefined);
  rmSync(STATE_ROOT, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
}

/** Run a command in a node (no shell), returning status and output. */
export function inNode(lab: string, node: string, argv: string[], timeoutMs = 10_000): { code: number; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', `sy-${lab}-${node}`, ...argv], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

export const HAS_PING = spawnSync('ping', ['-V']).status === 0;

/** Reachability: ping if installed, else a TCP connect (bash /dev/tcp) to `port`. */
export function reach(lab: string, node: string, ip: string, port = 0): boolean {
  if (HAS_PING && port === 0) return inNode(lab, node, ['ping', '-c1', '-W1', ip]).code === 0;
  return tcpConnect(lab, node, ip, port || 7);
}

export function tcpConnect(lab: string, node: string, ip: string, port: number): boolean {
  const script = `const s=require('net').connect({host:${JSON.stringify(ip)},port:${port},timeout:1500});s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(2));`;
  return inNode(lab, node, [process.execPath, '-e', script]).code === 0;
}
