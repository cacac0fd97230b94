/**
 * Master-worker mode (-W, -Ws, global `master-worker`): HAProxy 2.6's process model.
 *
 * The master never serves traffic. It reads the configuration, holds every listening
 * socket (listeners.ts), starts one worker — the same program, handed the sockets as
 * inherited descriptors (worker.ts) — and supervises it. A reload (SIGUSR2, SIGHUP, or
 * `reload` on the master CLI) reads the configuration again in the master:
 *
 *   - bad configuration: the errors go to stderr and to the CLI answer, "Loading failure!",
 *     and the current worker keeps serving as if nothing happened;
 *   - good: sockets for new addresses are bound, a new worker starts on the same sockets,
 *     and only once it accepts is the previous worker soft-stopped (SIGUSR1: it stops
 *     accepting and finishes its sessions, or is cut after its `hard-stop-after`). Both
 *     accept from the same socket meanwhile, so no connection is ever refused.
 *
 * Unlike HAProxy, the master does not re-exec itself to reload: it is a Node process that
 * can re-read its files, and keeping its state in memory is simpler than serialising it.
 * Reloads run one at a time, in the order asked.
 *
 * Exit rules (HAProxy's): SIGINT/SIGTERM/SIGUSR1 are passed to every worker and the
 * master leaves when the last one has; its status is the first unusual status of a
 * current worker (130 for SIGINT — VTest relies on it; a SIGTERM's 143 and 0 count as
 * normal). A current worker that dies on its own is reported; unless `no-exit-on-failure`,
 * every other process is then stopped and the master exits with that worker's status.
 * With `no-exit-on-failure` the master stays, without a worker, until the next reload.
 * `mworker-max-reloads N` kills (SIGTERM) an old worker once it has lived through more
 * than N reloads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CmdLine } from '../cmdline.ts';
import type { Config } from '../config/types.ts';
import type { LoadResult } from '../main.ts';
import type { Level } from '../cli/types.ts';
import { bindAll, type BoundSocket } from '../core/bind.ts';
import { expandAddressEnv, parseListenAddress, type ListenAddress } from '../config/address.ts';
import { SyError } from '../../shared/errors.ts';
import { alert, getSink, notice, setSink, warning } from '../../shared/log.ts';
import { ListenerSet, type HeldListener } from './listeners.ts';
import { takeOverListeners, takeOverNotice } from './takeover.ts';
import { MasterCli, formatShowProc } from './master-cli.ts';
import { reloadingMessage, sdNotify } from './sd-notify.ts';
import { WORKER_ENV, WORKER_LISTENERS_ENV, type MasterMessage, type WorkerMessage, type WorkerProc } from './types.ts';

export interface MasterOptions {
  cmd: CmdLine;
  /** The configuration already read and checked by the caller. */
  config: Config;
  /** Reads and checks the configuration again (printing its diagnostics). */
  load(): Promise<LoadResult>;
  /** The command line the workers run (the master's own). */
  argv: string[];
  /** The first worker serves (a daemon's parent may leave). */
  ready(): void;
  /** Start-up failed: exit with this code. */
  failed(code: number): void;
}

interface Worker extends WorkerProc {
  child: ChildProcess;
  pending: Map<number, (out: string) => void>;
}

const DAEMON_ENV = 'SWITCHYARD_DAEMON_CHILD';
/** How long the master waits for a forwarded CLI answer. */
const FORWARD_TIMEOUT_MS = 10_000;

function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal ? 128 + (osConstants.signals[signal] ?? 0) : 255;
}

/** What HAProxy prints beside a status (strsignal's words for the usual signals). */
const SIGNAL_WORDS: Record<string, string> = {
  SIGINT: 'Interrupt', SIGTERM: 'Terminated', SIGKILL: 'Killed', SIGSEGV: 'Segmentation fault',
  SIGABRT: 'Aborted', SIGUSR1: 'User defined signal 1', SIGUSR2: 'User defined signal 2', SIGHUP: 'Hangup',
};

function statusText(status: number): string {
  if (status < 128) return 'Exit';
  const name = Object.entries(osConstants.signals).find(([, n]) => n === status - 128)?.[0];
  return name ? SIGNAL_WORDS[name] ?? name : 'Signal';
}

/** -S ADDR[,mode,OCTAL][,level,LEVEL]: HAProxy's master CLI syntax (options after commas). */
export function parseMasterCliSpec(spec: string): { addr: ListenAddress; mode?: number; level: Level } {
  const [text = '', ...opts] = spec.split(',');
  const bad = (why: string): never => { throw new SyError('SY_ERR_RUN_MASTER_CLI', `-S '${spec}': ${why}.`); };
  const expanded = expandAddressEnv(text, process.env);
  const a = parseListenAddress(expanded.startsWith('/') || expanded.includes('@') || expanded.includes(':') ? expanded : `unix@${expanded}`);
  if (!a.ok) return bad(a.reason);
  if (a.value.length !== 1 || (a.value[0]!.kind === 'inet' && a.value[0]!.portLow !== a.value[0]!.portHigh)) return bad('one address, no port range');
  const out: { addr: ListenAddress; mode?: number; level: Level } = { addr: a.value[0]!, level: 'admin' };
  for (let i = 0; i < opts.length; i += 2) {
    const k = opts[i];
    const v = opts[i + 1];
    if (k === 'mode' && v !== undefined && /^[0-7]{1,4}$/.test(v)) out.mode = parseInt(v, 8);
    else if (k === 'level' && (v === 'user' || v === 'operator' || v === 'admin')) out.level = v;
    else return bad(`option '${k ?? ''}' needs a valid value; supported: mode <octal>, level user|operator|admin`);
  }
  return out;
}

export async function runMaster(opts: MasterOptions): Promise<number> {
  const m = new Master(opts);
  try {
    await m.start();
  } catch (e) {
    m.shutdownNow();
    m.killAll();
    if (!(e instanceof SyError)) throw e;
    alert(e.message);
    opts.failed(1);
  }
  return -1;
}

class Master {
  private readonly opts: MasterOptions;
  private config: Config;
  private readonly listeners = new ListenerSet();
  private readonly workers = new Map<number, Worker>();
  private cli: MasterCli | null = null;
  private cliSockets: BoundSocket[] = [];
  private readonly startedAt = Date.now();
  private reloads = 0;
  private failedReloads = 0;
  private reloadChain: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private exitCode = -1;
  private nextId = 1;

  constructor(opts: MasterOptions) {
    this.opts = opts;
    this.config = opts.config;
  }

  private get noExitOnFailure(): boolean {
    return this.config.global.masterWorker?.noExitOnFailure ?? false;
  }

  async start(): Promise<void> {
    // The master CLI first: an unusable -S is a start-up error, before any worker exists.
    const specs = this.opts.cmd.masterCli.map(parseMasterCliSpec);
    this.cli = new MasterCli({
      showProc: () => this.showProc(),
      reload: () => this.reload(),
      resolveTarget: (p) => this.resolveTarget(p),
      forward: (pid, line, level) => this.forward(pid, line, level),
      timeoutMs: this.config.global.statsTimeout,
    });
    for (const s of specs) {
      this.cliSockets.push(...await bindAll('master CLI', [{ addr: s.addr, mode: s.mode }], (sock) => this.cli!.accept(sock, s.level)));
    }
    if (this.opts.cmd.oldSocket !== undefined) {
      // As HAProxy's master: a failed transfer is reported, and the master binds as usual.
      try {
        const { adopted, received } = takeOverListeners(this.config, this.opts.cmd.oldSocket);
        this.listeners.adopt(adopted);
        notice(takeOverNotice(adopted.size, received, this.opts.cmd.oldSocket));
      } catch (e) {
        if (!(e instanceof SyError)) throw e;
        alert(e.message);
      }
    }
    const { listeners } = this.listeners.sync(this.config);
    // The sockets listen from here on (connections wait in their queues), so the master is
    // up: the pidfile names it now, as HAProxy's does (VTest waits only 3 s for it).
    const file = this.opts.cmd.pidfile ?? this.config.global.pidfile;
    if (file) {
      try {
        writeFileSync(file, `${process.pid}\n`);
      } catch (e) {
        throw new SyError('SY_ERR_RUN_PIDFILE', `[switchyard.main()] Cannot create pidfile ${file}: ${(e as Error).message}`);
      }
    }
    this.installSignals();
    const w = this.spawnWorker(listeners);
    const first = this.whenReady(w);
    // A reload asked while the first worker starts waits for it.
    this.reloadChain = first;
    const ok = await first;
    if (!ok.ready) throw new SyError('SY_ERR_RUN_WORKER', `the first worker (${w.pid}) exited with code ${ok.status} before it was ready.`);
    w.state = 'current';
    notice('Loading success.');
    for (const [pids, sig] of [[this.opts.cmd.softStopPids, 'SIGUSR1'], [this.opts.cmd.hardStopPids, 'SIGTERM']] as const) {
      for (const pid of pids) {
        try { process.kill(pid, sig); } catch { notice(`cannot send ${sig} to old process ${pid}.`); }
      }
    }
    if (this.opts.cmd.systemd) sdNotify('READY=1');
    this.opts.ready();
  }

  /** Starts a worker on `listeners` for `config` (whose hard-stop-after it will enforce). */
  private spawnWorker(listeners: HeldListener[], config: Config = this.config): Worker {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      [WORKER_ENV]: '1',
      // Descriptors 0-2 are stdio and 3 the IPC channel; listeners follow from 4.
      [WORKER_LISTENERS_ENV]: JSON.stringify(listeners.map((l, i) => [l.key, 4 + i])),
    };
    delete env[DAEMON_ENV];
    // A reload's cost is mostly the new worker's start-up, mostly compiling our modules:
    // Node's on-disk compile cache (its default place unless the user chose one) cuts it
    // by half or more from the second worker on.
    env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'node-compile-cache');
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...this.opts.argv], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...listeners.map((l) => l.fd)],
      env,
    });
    const w: Worker = {
      pid: child.pid ?? -1, reloads: 0, startedAt: Date.now(), state: 'starting', child, pending: new Map(),
      hardStopAfter: config.global.hardStopAfter,
    };
    this.workers.set(w.pid, w);
    notice(`New worker (${w.pid}) forked`);
    child.on('message', (msg: WorkerMessage) => {
      if (msg?.type === 'cli') {
        w.pending.get(msg.id)?.(msg.out);
        w.pending.delete(msg.id);
      }
    });
    child.on('error', () => { /* reported by 'exit' */ });
    child.on('exit', (code, signal) => this.onExit(w, statusOf(code, signal)));
    return w;
  }

  /** Resolves when the worker says it serves, or with its status if it exits first. */
  private whenReady(w: Worker): Promise<{ ready: true } | { ready: false; status: number }> {
    return new Promise((resolve) => {
      const onMsg = (msg: WorkerMessage): void => {
        if (msg?.type !== 'ready') return;
        w.child.off('exit', onExit);
        resolve({ ready: true });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        w.child.off('message', onMsg);
        resolve({ ready: false, status: statusOf(code, signal) });
      };
      w.child.on('message', onMsg);
      w.child.once('exit', onExit);
    });
  }

  private onExit(w: Worker, status: number): void {
    this.workers.delete(w.pid);
    for (const reply of w.pending.values()) reply(`Can't find the target PID matching the prefix '@!${w.pid}'\n`);
    w.pending.clear();
    if (w.state === 'old') {
      warning(`Former worker (${w.pid}) exited with code ${status} (${statusText(status)})`);
    } else if (w.state === 'current') {
      const text = `Current worker (${w.pid}) exited with code ${status} (${statusText(status)})`;
      if (status < 128) warning(text); else alert(text);
      if (!this.stopping) {
        if (status !== 0 && status !== 130 && status !== 143 && !this.noExitOnFailure) {
          alert('exit-on-failure: killing every processes with SIGTERM');
          this.stopping = true;
          for (const o of this.workers.values()) this.kill(o, 'SIGTERM');
        } else if (!this.noExitOnFailure) {
          this.stopping = true;
        }
      }
      if (this.exitCode < 0 && status !== 0 && status !== 143) this.exitCode = status;
    }
    // A worker that never got ready is the business of whoever waits for it (whenReady).
    this.maybeExit();
  }

  private maybeExit(): void {
    if (!this.stopping || this.workers.size > 0) return;
    notice(`All workers exited. Exiting... (${this.exitCode > 0 ? this.exitCode : 0})`);
    this.shutdownNow();
    process.exit(this.exitCode > 0 ? this.exitCode : 0);
  }

  /** Closes the master's own sockets (the workers keep their copies until they leave). */
  shutdownNow(): void {
    for (const b of this.cliSockets) b.server.close();
    this.cliSockets = [];
    this.cli?.closeAll();
    this.listeners.closeAll();
  }

  killAll(): void {
    for (const w of this.workers.values()) this.kill(w, 'SIGTERM');
  }

  private kill(w: Worker, sig: NodeJS.Signals): void {
    try { process.kill(w.pid, sig); } catch { /* already gone */ }
  }

  private installSignals(): void {
    const stopAll = (sig: NodeJS.Signals): void => {
      if (this.opts.cmd.systemd) sdNotify('STOPPING=1');
      if (!this.stopping) warning('Exiting Master process...');
      this.stopping = true;
      for (const w of this.workers.values()) this.kill(w, sig);
      this.maybeExit();
    };
    process.on('SIGINT', () => stopAll('SIGINT'));
    process.on('SIGTERM', () => stopAll('SIGTERM'));
    process.on('SIGUSR1', () => stopAll('SIGUSR1'));
    process.on('SIGUSR2', () => { void this.reload(); });
    process.on('SIGHUP', () => { void this.reload(); });
    for (const sig of ['SIGTTOU', 'SIGTTIN', 'SIGQUIT'] as const) {
      process.on(sig, () => notice(`${sig} received: not implemented yet, ignored.`));
    }
  }

  /** Queues a reload; resolves with the master CLI's answer once it is done. */
  reload(): Promise<string> {
    const run = this.reloadChain.then(() => this.reloadNow());
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<string> {
    if (this.stopping) return 'Success=0\n--\nThe master is stopping.\n';
    let log = '';
    const prev = getSink();
    setSink((line) => { log += line; if (prev) prev(line); else process.stderr.write(line); });
    let ok = false;
    try {
      ok = await this.reloadSteps();
    } catch (e) {
      if (!(e instanceof SyError)) throw e;
      alert(e.message);
    } finally {
      if (!ok) {
        this.failedReloads++;
        warning('Loading failure!');
      }
      setSink(prev);
    }
    if (this.opts.cmd.systemd) sdNotify('READY=1');
    return `Success=${ok ? 1 : 0}\n--\n${log}`;
  }

  private async reloadSteps(): Promise<boolean> {
    notice('Reloading Switchyard');
    if (this.opts.cmd.systemd) sdNotify(reloadingMessage());
    this.reloads++;
    for (const w of this.workers.values()) w.reloads++;
    const loaded = await this.opts.load();
    if (!loaded.ok) return false;
    if (!loaded.listens) {
      alert('[switchyard.main()] No enabled listener found (check for \'bind\' directives) ! Keeping the current worker.');
      return false;
    }
    const before = this.listeners.keys();
    const { listeners } = this.listeners.sync(loaded.config);
    const w = this.spawnWorker(listeners, loaded.config);
    const r = await this.whenReady(w);
    if (!r.ready) {
      alert(`New worker (${w.pid}) exited with code ${r.status} (${statusText(r.status)}) before it was ready; the previous worker keeps serving.`);
      this.listeners.release(before);
      return false;
    }
    if (this.stopping) { this.kill(w, 'SIGTERM'); return false; }
    for (const o of this.workers.values()) {
      if (o === w || o.state === 'old') continue;
      o.state = 'old';
      this.kill(o, 'SIGUSR1');
      // The worker enforces its own hard-stop-after; this is the backstop for one that can't.
      if (o.hardStopAfter !== undefined) {
        setTimeout(() => { if (this.workers.has(o.pid)) this.kill(o, 'SIGKILL'); }, o.hardStopAfter + 2000).unref();
      }
    }
    w.state = 'current';
    this.config = loaded.config;
    this.listeners.release(new Set(listeners.map((l) => l.key)));
    const max = this.config.global.mworkerMaxReloads;
    if (max !== undefined) {
      for (const o of this.workers.values()) {
        if (o.state !== 'old' || o.reloads <= max) continue;
        warning(`Old worker (${o.pid}) has lived through ${o.reloads} reloads (mworker-max-reloads ${max}): sending SIGTERM.`);
        this.kill(o, 'SIGTERM');
      }
    }
    this.failedReloads = 0;
    notice('Loading success.');
    return true;
  }

  private showProc(): string {
    const list = [...this.workers.values()].filter((w) => w.state !== 'starting')
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((w) => ({ pid: w.pid, reloads: w.reloads, startedAt: w.startedAt, old: w.state === 'old' }));
    return formatShowProc({ pid: process.pid, reloads: this.reloads, failed: this.failedReloads, startedAt: this.startedAt }, list, Date.now());
  }

  private resolveTarget(prefix: string): number | null {
    if (prefix.startsWith('@!')) {
      const pid = Number(prefix.slice(2));
      const w = this.workers.get(pid);
      return w && w.state !== 'starting' ? pid : null;
    }
    // HAProxy 2.6 has one worker per master: relative pid 1 is the current one.
    if (prefix === '@1') {
      for (const w of this.workers.values()) if (w.state === 'current') return w.pid;
      return null;
    }
    // Beyond HAProxy: `@<pid>` also names a worker by its process id (no relative pid but 1 exists).
    const w = /^@\d+$/.test(prefix) ? this.workers.get(Number(prefix.slice(1))) : undefined;
    return w && w.state !== 'starting' ? w.pid : null;
  }

  private forward(pid: number, line: string, level: Level): Promise<string> {
    const w = this.workers.get(pid);
    if (!w || !w.child.connected) return Promise.reject(new Error('gone'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { w.pending.delete(id); resolve('Timeout waiting for the worker.\n\n'); }, FORWARD_TIMEOUT_MS);
      w.pending.set(id, (out) => { clearTimeout(timer); resolve(out); });
      const msg: MasterMessage = { type: 'cli', id, line, level };
      w.child.send(msg);
    });
  }
}
