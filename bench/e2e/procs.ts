// bench/e2e/procs.ts — child-process bookkeeping for the e2e bench.
// Contract: start() spawns a process with stdout+stderr sent to a log file and remembers it
// by PID until it exits. stopAll() sends SIGTERM to every remembered process and to its live
// descendants (found in /proc by parent PID), waits at most 3 s, then SIGKILLs what is left;
// killAllSync() is the last-resort SIGKILL for process 'exit'. Nothing is killed by name.
// waitReady() polls a 127.0.0.1 port until it accepts, the process exits, or a deadline passes.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendants } from './cpu.ts';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  readonly child: ChildProcess;
  /** resolves when the process has exited */
  readonly exited: Promise<ExitInfo>;
  exit: ExitInfo | null;
}

const live = new Set<Proc>();

export function start(name: string, argv: readonly string[], logPath: string): Proc {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error(`${name}: empty command line`);
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  child.on('error', () => {}); // surfaced below through pid/exit
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${file}`);
  let resolveExit: (e: ExitInfo) => void = () => {};
  const exited = new Promise<ExitInfo>((r) => (resolveExit = r));
  const proc: Proc = { name, pid, logPath, child, exited, exit: null };
  child.on('exit', (code, signal) => {
    proc.exit = { code, signal };
    live.delete(proc);
    resolveExit(proc.exit);
  });
  live.add(proc);
  return proc;
}

/** The last `max` characters of a process's log, trimmed. */
export function logTail(proc: Proc, max = 1500): string {
  try {
    const text = readFileSync(proc.logPath, 'utf8').trim();
    return text.length > max ? '…' + text.slice(-max) : text;
  } catch {
    return '';
  }
}

export function describeExit(e: ExitInfo): string {
  return e.signal !== null ? `killed by ${e.signal}` : `exit code ${e.code}`;
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops one process (and its descendants): SIGTERM, at most `graceMs`, then SIGKILL. */
export async function stop(proc: Proc, graceMs = 3000): Promise<void> {
  if (proc.exit !== null) return;
  const kids = descendants(proc.pid);
  signalPid(proc.pid, 'SIGTERM');
  for (const k of kids) signalPid(k, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (proc.exit === null || kids.some(alive))) await sleep(25);
  if (proc.exit === null) signalPid(proc.pid, 'SIGKILL');
  for (const k of kids) if (alive(k)) signalPid(k, 'SIGKILL');
  await Promise.race([proc.exited, sleep(2000)]);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => stop(p)));
}

export function killAllSync(): void {
  for (const p of live) {
    for (const k of descendants(p.pid)) signalPid(k, 'SIGKILL');
    signalPid(p.pid, 'SIGKILL');
  }
}

/** Runs a command to completion (killed after timeoutMs) and returns its exit and log text. */
export async function runToEnd(
  name: string,
  argv: readonly string[],
  logPath: string,
  timeoutMs: number,
): Promise<{ exit: ExitInfo; output: string }> {
  const proc = start(name, argv, logPath);
  const timedOut = await Promise.race([proc.exited.then(() => false), sleep(timeoutMs).then(() => true)]);
  if (timedOut) {
    await stop(proc, 1000);
    throw new Error(`${name} did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
  return { exit: proc.exit ?? { code: null, signal: null }, output: readFileSync(logPath, 'utf8') };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** null when `port` accepts connections; otherwise why not (process exited, or timed out). */
export async function waitReady(proc: Proc, port: number, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exit !== null) return `${proc.name} exited (${describeExit(proc.exit)})`;
    if (await tryConnect(port)) return null;
    await sleep(50);
  }
  return `${proc.name} did not accept connections on 127.0.0.1:${port} within ${timeoutMs / 1000} s`;
}
