/**
 * Supervised processes in lab nodes.
 *
 * A process is started as `ip netns exec <ns> unshare --uts sh -c 'hostname <node>; exec …'`
 * — every `exec` keeps the PID, so the PID we record is the program's. It runs in its own
 * session (detached: it outlives the CLI that started it), its output goes to a log file
 * in the lab directory, and its environment carries SY_LAB/SY_NODE.
 *
 * Stopping never matches by name. Two exact sources of PIDs are used:
 *  - the recorded PID, only if its start time (/proc/PID/stat field 22) is still the
 *    recorded one (no PID-reuse accidents);
 *  - every process whose network namespace is one of the lab's (inode of /run/netns/<ns>
 *    = inode of /proc/PID/ns/net) — this also catches what a user started with
 *    `lab exec … &` and what a `kill -9`ed CLI never got to record.
 * SIGTERM first, SIGKILL after a grace period.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { appendFileSync } from 'node:fs';
import { SyError } from '../../shared/errors.ts';
import { ENV_LAB, ENV_NODE } from './names.ts';
import { readJsonl } from './state.ts';

export type ProcRecord = {
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22). */
  start: number;
  node: string;
  label: string;
  argv: string[];
  log: string;
};

export function procStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 is rest[19]
    if (rest[0] === 'Z' || rest[0] === 'X') return null;
    const v = Number(rest[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

export function isAlive(rec: { pid: number; start: number }): boolean {
  return procStartTime(rec.pid) === rec.start;
}

/** The wrapper that enters a node: its namespace, a fresh UTS namespace, its hostname. */
export function nodeCommand(netns: string, hostname: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', netns, 'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', hostname, ...argv];
}

export type SpawnSpec = {
  lab: string;
  node: string;
  netns: string;
  label: string;
  argv: readonly string[];
  env: Record<string, string>;
  log: string;
  /** procs.jsonl of the lab: the record is appended before this function returns. */
  recordFile: string;
};

export async function spawnSupervised(s: SpawnSpec): Promise<ProcRecord> {
  const fd = openSync(s.log, 'a');
  const cmd = nodeCommand(s.netns, s.node, s.argv);
  let child;
  try {
    child = spawn(cmd[0] as string, cmd.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...s.env, [ENV_LAB]: s.lab, [ENV_NODE]: s.node },
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new SyError('SY_ERR_LAB_PROCESS', `cannot start ${s.argv.join(' ')} in node ${s.node}`);
  child.unref();
  child.on('error', () => { /* reported through the log / readiness check */ });
  const start = procStartTime(pid) ?? 0;
  const rec: ProcRecord = { pid, start, node: s.node, label: s.label, argv: [...s.argv], log: s.log };
  appendFileSync(s.recordFile, JSON.stringify(rec) + '\n');
  return rec;
}

export function readProcRecords(file: string): ProcRecord[] {
  return readJsonl<ProcRecord>(file);
}

/** Inode of a named network namespace, or null if it does not exist. */
export function netnsInode(name: string): number | null {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return null;
  }
}

/** PIDs of every process whose network namespace is one of `inodes`. */
export function pidsInNamespaces(inodes: ReadonlySet<number>): number[] {
  if (inodes.size === 0) return [];
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const m = /\[(\d+)\]/.exec(readlinkSync(`/proc/${e}/ns/net`));
      if (m && inodes.has(Number(m[1]))) out.push(Number(e));
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return out;
}

type Target = { pid: number; start: number };

/** Stop processes: the recorded ones still alive, plus every process in `netnsNames`. */
export async function stopProcesses(records: readonly ProcRecord[], netnsNames: readonly string[], graceMs = 1500): Promise<number> {
  const inodes = new Set<number>();
  for (const n of netnsNames) {
    const ino = netnsInode(n);
    if (ino !== null) inodes.add(ino);
  }
  const targets = new Map<number, Target>();
  for (const r of records) if (isAlive(r)) targets.set(r.pid, r);
  for (const pid of pidsInNamespaces(inodes)) {
    if (pid === process.pid) continue;
    const start = procStartTime(pid);
    if (start !== null) targets.set(pid, { pid, start });
  }
  if (targets.size === 0) return 0;
  const signal = (sig: NodeJS.Signals): void => {
    for (const t of targets.values()) {
      if (!isAlive(t)) continue;
      try {
        process.kill(t.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...targets.values()].some(isAlive)) await sleep(25);
  if ([...targets.values()].some(isAlive)) {
    signal('SIGKILL');
    const d2 = Date.now() + 3000;
    while (Date.now() < d2 && [...targets.values()].some(isAlive)) await sleep(10);
  }
  return targets.size;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Run a command in a node in the foreground (the same wrapper as supervised ones) and
 *  resolve with its exit status: `lab exec` (terminal attached) and topology `exec`
 *  commands (output appended to a log file). */
export function runInNode(s: { lab: string; node: string; netns: string; argv: readonly string[]; env: Record<string, string>; log?: string }): Promise<number> {
  const cmd = nodeCommand(s.netns, s.node, s.argv);
  const fd = s.log ? openSync(s.log, 'a') : null;
  return new Promise<number>((resolve) => {
    const child = spawn(cmd[0] as string, cmd.slice(1), {
      stdio: fd === null ? 'inherit' : ['ignore', fd, fd],
      env: { ...process.env, ...s.env, [ENV_LAB]: s.lab, [ENV_NODE]: s.node },
    });
    child.on('error', () => resolve(127));
    // 'exit', not 'close': a command may leave a background child holding the output
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
  }).finally(() => {
    if (fd !== null) closeSync(fd);
  });
}
