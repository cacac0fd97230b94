/**
 * Creating, reaching and removing sock cables from the lab CLI's side. The CLI process is
 * short-lived; the lab's relay is a detached process (relay-main.ts) that survives it and
 * is started on demand by the first createSockCable of a state dir. See index.ts for the
 * contract.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, openSync, closeSync, readdirSync, statSync, existsSync } from 'node:fs';
import { resolve as resolvePath, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyError, type ErrorCode } from '../../../shared/errors.ts';
import { controlRequest } from './control.ts';
import { relayPaths, liveRelayPid, relayTag, checkName, EXIT_ALREADY_RUNNING, type RelayPaths } from './state.ts';
import { splitImpairment, validateEnd } from './spec.ts';
import { normalizeImpairment } from './impair.ts';
import type { CableStats, ControlRequest, DirSel, Impairment, SockCableSpec } from './types.ts';

export type CreateOptions = SockCableSpec & {
  /** Lab state directory (created if missing); the relay's files go to <stateDir>/sock/. */
  stateDir: string;
  /** Give up if the relay is not ready after this long (default 10 s). */
  timeoutMs?: number;
};

export type SockCable = {
  readonly name: string;
  readonly lab: string;
  /** The lab relay's control socket (<stateDir>/sock/relay.ctl). */
  readonly controlPath: string;
  /** PID of the lab relay carrying this cable. */
  readonly pid: number;
  /** Relay-side counters and settings. */
  stats(): Promise<CableStats>;
  /** Change a direction's impairment live (replaces the whole impairment of that direction). */
  set(dir: DirSel, imp: Impairment): Promise<CableStats>;
  /** Carrier down on both TAPs; frames in flight and arriving are dropped (cause `cut`). */
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Start writing a pcap of delivered frames (both directions) to `path`; null stops.
   *  With `owner` (a PID) the relay stops it by itself once that process is gone. */
  capture(path: string | null, owner?: number): Promise<void>;
  /** Remove the cable (its TAPs vanish); the relay exits with its last cable. Idempotent. */
  destroy(): Promise<void>;
};

function relayEntry(): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./relay-main.${ext}`, import.meta.url).pathname;
}

function fatalSince(log: string, offset: number): { code: ErrorCode; message: string } | null {
  let text = '';
  try {
    text = readFileSync(log, 'utf8').slice(offset);
  } catch {
    return null;
  }
  for (const line of text.trim().split('\n').reverse()) {
    try {
      const v = JSON.parse(line) as { fatal?: { code: ErrorCode; message: string } };
      if (v.fatal) return v.fatal;
    } catch {
      /* not one of our JSON lines */
    }
  }
  const tail = text.trim().split('\n').slice(-5).join(' | ');
  return tail ? { code: 'SY_ERR_SOCK_RELAY', message: tail } : null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (pidAlive(pid)) {
    if (Date.now() - t0 > ms) return false;
    await sleep(5);
  }
  return true;
}

/** Stop a relay by PID (SIGTERM, then SIGKILL after graceMs) and wait until it is gone. */
async function stopPid(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitGone(pid, graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitGone(pid, 3000);
}

/** Remove the sock dir when a graceful relay exit left it empty. */
function tidyDir(p: RelayPaths): void {
  try {
    if (readdirSync(p.dir).length === 0) rmSync(p.dir, { recursive: true });
  } catch {
    /* gone or in use */
  }
}

/** The lab's relay PID, starting one if none runs. */
async function ensureRelay(p: RelayPaths, lab: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (let attempt = 0; attempt < 5; attempt++) {
    const live = liveRelayPid(p.pid);
    if (live !== null) {
      const hello = await controlRequest(p.ctl, { op: 'hello' }, 2000).catch(() => null);
      if (hello && hello.lab !== lab) throw new SyError('SY_ERR_SOCK_NAME', `state dir ${dirname(p.dir)} belongs to lab ${String(hello.lab)}, not ${lab}`);
      if (hello) return Number(hello.pid);
      if (Date.now() - t0 > timeoutMs) throw new SyError('SY_ERR_SOCK_RELAY', `relay ${live} of lab ${lab} does not answer on ${p.ctl}`);
      await sleep(20);
      continue;
    }
    const offset = existsSync(p.log) ? statSync(p.log).size : 0;
    const logFd = openSync(p.log, 'a', 0o600);
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', relayEntry(), dirname(p.dir), relayTag(lab)], {
      detached: true,
      cwd: '/',
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code ?? -1));
    child.once('error', () => (exitCode = -1));
    child.unref();
    for (;;) {
      if (exitCode !== undefined) break;
      if (existsSync(p.ctl)) {
        const hello = await controlRequest(p.ctl, { op: 'hello' }, 1000).catch(() => null);
        if (hello && child.pid !== undefined && hello.pid === child.pid) return child.pid;
      }
      if (Date.now() - t0 > timeoutMs) {
        if (child.pid) await stopPid(child.pid, 500);
        const f = fatalSince(p.log, offset);
        throw new SyError('SY_ERR_SOCK_RELAY', `relay of lab ${lab} not ready after ${timeoutMs} ms${f ? `: ${f.message}` : ''}`);
      }
      await sleep(5);
    }
    if (exitCode === EXIT_ALREADY_RUNNING) continue; // another starter won the race: use it
    const f = fatalSince(p.log, offset);
    throw new SyError(f?.code ?? 'SY_ERR_SOCK_RELAY', `relay of lab ${lab}: ${f?.message ?? `exited with status ${exitCode} during start-up`}`);
  }
  throw new SyError('SY_ERR_SOCK_RELAY', `cannot start or reach the relay of lab ${lab}`);
}

export async function createSockCable(opts: CreateOptions): Promise<SockCable> {
  const { stateDir, timeoutMs = 10_000, ...spec } = opts;
  checkName('lab', spec.lab);
  checkName('cable', spec.name);
  validateEnd(spec.a, 'a');
  validateEnd(spec.b, 'b');
  splitImpairment(spec.impairment);
  const p = relayPaths(resolvePath(stateDir));
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  // A relay exits with its last cable, so a start-up may race with that exit: retry once.
  for (let attempt = 0; ; attempt++) {
    const pid = await ensureRelay(p, spec.lab, timeoutMs);
    try {
      const r = await controlRequest(p.ctl, { op: 'add', spec }, timeoutMs);
      return handleFor(p, spec.lab, spec.name, Number(r.pid ?? pid));
    } catch (e) {
      const code = (e as SyError).code;
      if (attempt === 0 && code === 'SY_ERR_SOCK_CONTROL' && !pidAlive(pid)) continue;
      if (!pidAlive(pid) || (await waitGone(pid, 300))) tidyDir(p);
      throw e;
    }
  }
}

function handleFor(p: RelayPaths, lab: string, name: string, pid: number): SockCable {
  const req = controlRequest;
  return {
    name,
    lab,
    pid,
    controlPath: p.ctl,
    stats: async () => (await req(p.ctl, { op: 'stats', cable: name })).stats as CableStats,
    set: async (dir, imp) => (await req(p.ctl, { op: 'set', cable: name, dir, impairment: normalizeImpairment(imp) })).stats as CableStats,
    cut: async () => void (await req(p.ctl, { op: 'cut', cable: name })),
    restore: async () => void (await req(p.ctl, { op: 'restore', cable: name })),
    capture: async (path, owner) => void (await req(p.ctl, { op: 'capture', cable: name, path: path === null ? null : resolvePath(path), ...(owner ? { owner } : {}) })),
    destroy: async () => {
      if (liveRelayPid(p.pid, lab) !== pid) return; // relay gone: nothing of this cable is left
      try {
        const r = await req(p.ctl, { op: 'del', cable: name });
        if (r.exiting) {
          if (!(await waitGone(pid, 3000))) await stopPid(pid, 1000);
          tidyDir(p);
        }
      } catch (e) {
        if ((e as SyError).code !== 'SY_ERR_SOCK_NAME') throw e; // already deleted
      }
    },
  };
}

/**
 * One control request to the lab's relay for something other than a cable (the learning
 * switches of switches.ts). `start: true` starts the relay if none runs (switch-add);
 * otherwise a missing relay is SY_ERR_SOCK_CONTROL. When the answer says the relay is
 * exiting (its last switch or port went), wait until it is gone and tidy its directory.
 */
export async function relayRequest(stateDir: string, lab: string, req: ControlRequest, opts: { start?: boolean; timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
  checkName('lab', lab);
  const p = relayPaths(resolvePath(stateDir));
  let pid = liveRelayPid(p.pid, lab);
  if (pid === null) {
    if (!opts.start) throw new SyError('SY_ERR_SOCK_CONTROL', `${req.op}: the relay of lab ${lab} is not running`);
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    pid = await ensureRelay(p, lab, opts.timeoutMs ?? 10_000);
  }
  const r = await controlRequest(p.ctl, req, opts.timeoutMs ?? 10_000);
  if (r.exiting) {
    if (!(await waitGone(pid, 3000))) await stopPid(pid, 1000);
    tidyDir(p);
  }
  return r;
}

/** Reach a cable created earlier (possibly by another process) from the lab state dir. */
export async function attachSockCable(stateDir: string, name: string): Promise<SockCable> {
  return attach(relayPaths(resolvePath(stateDir)).ctl, name);
}

/** Reach cable `name` through a lab relay's control socket (<stateDir>/sock/relay.ctl). */
export async function attach(controlPath: string, name: string): Promise<SockCable> {
  const ctl = resolvePath(controlPath);
  const p = relayPaths(dirname(dirname(ctl)));
  if (p.ctl !== ctl) throw new SyError('SY_ERR_SOCK_PATH', `not a sock relay control socket: ${controlPath}`);
  const hello = await controlRequest(ctl, { op: 'hello' });
  if (!(hello.cables as string[]).includes(name)) throw new SyError('SY_ERR_SOCK_NAME', `no sock cable "${name}" in lab ${String(hello.lab)}`);
  return handleFor(p, String(hello.lab), name, Number(hello.pid));
}

/** Names of the cables the lab's relay carries now ([] when no relay runs). */
export async function listSockCables(stateDir: string): Promise<string[]> {
  const p = relayPaths(resolvePath(stateDir));
  if (liveRelayPid(p.pid) === null) return [];
  return (await controlRequest(p.ctl, { op: 'hello' })).cables as string[];
}

/**
 * Remove every trace of a lab's sock cables whatever state they are in (relay alive,
 * killed with -9, half started): stop the tagged relay by PID, then delete its files.
 * TAPs need nothing: they die with the relay. Returns the relay PID stopped, if any.
 */
export async function cleanSockCables(stateDir: string): Promise<{ stoppedPid: number | null }> {
  const p = relayPaths(resolvePath(stateDir));
  const pid = liveRelayPid(p.pid);
  if (pid !== null) await stopPid(pid, 1000);
  for (const f of [p.ctl, p.pid, p.log]) rmSync(f, { force: true });
  tidyDir(p);
  return { stoppedPid: pid };
}
