/**
 * The running balancer: live frontends and backends built from a checked Config.
 *
 * Start-up is all-or-nothing: names are resolved and every listener is bound before any
 * connection is accepted; if one bind fails, everything opened is closed again and the
 * error names the frontend and address. Stopping comes in two forms, as in HAProxy:
 * stop() (SIGINT/SIGTERM) ends every session now; softStop() (SIGUSR1, -sf) stops
 * listening and lets sessions finish, then resolves.
 */
import type { Config } from '../config/types.ts';
import { Backend } from './backend.ts';
import { Frontend, type ConnectionGate } from './frontend.ts';
import { BackendsLookup } from './sample-context.ts';
import { compileUniqueId, createAccessLog, logSampleCompiler } from '../log/index.ts';
import { registerProxyEvents } from '../log/events.ts';
import { envOf } from '../config/sections/acl.ts';
import { bindAll, expandAddress, handleFd, type BoundSocket } from './bind.ts';
import { defaultMaxconn } from './limits.ts';
import { setBufsize } from './fast-io.ts';
import { DEFAULT_LIMITS } from '../http/types.ts';
import { CliServer } from '../cli/socket.ts';
import { startHealthChecks, type HealthChecks } from '../check/scheduler.ts';
import { spreadChecksOf } from '../check/config.ts';
import type { ServerMonitor } from '../check/monitor.ts';
import { FreqCounter } from './rate-limit.ts';
import { notice } from '../../shared/log.ts';

export class Runtime implements ConnectionGate {
  readonly config: Config;
  readonly frontends: Frontend[] = [];
  readonly backends = new Map<string, Backend>();
  readonly maxconn: number;
  readonly startedAt = Date.now();
  cur = 0;
  /** Connections and sessions started per second (show info ConnRate/SessRate; rate-limit.ts). */
  readonly connRate = new FreqCounter();
  readonly sessRate = new FreqCounter();
  /** Global maxconnrate / maxsessrate, 0 = none; `set rate-limit … global` changes them. */
  connRateLimit: number;
  sessRateLimit: number;
  /** Checks of servers added by `add server` (the start-up set is healthChecks). */
  readonly dynamicMonitors = new Set<ServerMonitor>();
  private rateTimer: NodeJS.Timeout | null = null;
  private cli: CliServer | null = null;
  private cliSockets: BoundSocket[] = [];
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  private healthChecks: HealthChecks | null = null;

  constructor(config: Config, resolved: Map<string, string>) {
    this.config = config;
    this.maxconn = config.global.maxconn ?? defaultMaxconn();
    this.connRateLimit = config.global.maxconnrate ?? 0;
    this.sessRateLimit = config.global.maxsessrate ?? 0;
    applyTune(config.global.tune ?? {});
    for (const p of config.proxies) {
      if (!p.cap.backend) continue;
      const be = new Backend(p);
      for (const s of be.servers) {
        const ip = resolved.get(`${p.name}/${s.name}`);
        if (ip !== undefined) s.host = ip;
      }
      this.backends.set(p.name, be);
    }
    // Server state changes and health-check lines also go to each backend's log targets.
    for (const p of config.proxies) if (p.cap.backend) registerProxyEvents(p.name, p.log, config.global.log);
    const lookup = new BackendsLookup(this.backends);
    for (const p of config.proxies) {
      if (!p.cap.frontend || p.binds.length === 0) continue;
      // use_backend rules in order (the first whose condition holds wins), else
      // default_backend, else (listen) the proxy itself.
      const routes = p.useBackends.map((u) => (u.dynamic ? { backend: null, cond: u.cond, dynamic: { name: u.dynamic, backends: this.backends } } : { backend: this.backends.get(u.name)!, cond: u.cond }));
      const dflt = p.defaultBackend?.name;
      const be = dflt !== undefined ? this.backends.get(dflt) ?? null : p.cap.backend ? this.backends.get(p.name) ?? null : null;
      this.frontends.push(new Frontend(p, be, p.maxconn ?? this.maxconn, this, () => this.checkIdle(), routes, lookup));
    }
    // Access logs: one per frontend with a log target. HAProxy's default format (no
    // tcplog/httplog/log-format) logs "Connect from …" when a connection is accepted.
    // `%[…]` samples are compiled once here; a format that reads samples (or %ID, %rt)
    // makes the frontend's streams build a sample context and attach it to records.
    for (const fe of this.frontends) {
      const env = envOf(fe.cfg);
      const uid = fe.cfg.log.uniqueIdFormat;
      if (uid) {
        fe.uniqueIdGen = compileUniqueId(uid, logSampleCompiler({ env, use: 'unique-id' }));
        fe.needsSamples = true;
      }
      const log = createAccessLog(fe.cfg, config.global.log, {
        compileSample: logSampleCompiler({ env, use: 'log', backends: lookup }),
        compileUniqueIdSample: logSampleCompiler({ env, use: 'unique-id', backends: lookup }),
      });
      if (!log.enabled) continue;
      if (log.needsSample) fe.needsSamples = true;
      if (log.atAccept) fe.connectLog = log;
      else fe.accessLog = log;
    }
    const killer = (server: import('./server.ts').Server): number => {
      let n = 0;
      for (const fe of this.frontends) {
        for (const st of fe.streams) {
          if (st.server !== server) continue;
          n++;
          fe.kill(st);
        }
      }
      return n;
    };
    for (const be of this.backends.values()) be.sessionKiller = killer;
    // HAProxy's default fullconn: 10% of the maxconn of every frontend that can send
    // traffic to the backend (at least 1). Only servers with minconn use it.
    for (const be of this.backends.values()) {
      if (be.fullconn > 0) continue;
      let total = 0;
      for (const p of config.proxies) {
        if (!p.cap.frontend) continue;
        const targets = new Set([...p.useBackends.map((u) => u.name), ...(p.defaultBackend ? [p.defaultBackend.name] : []), ...(p.cap.backend ? [p.name] : [])]);
        if (targets.has(be.name)) total += p.maxconn ?? this.maxconn;
      }
      be.fullconn = Math.max(1, Math.floor(total / 10));
      for (const s of be.servers) be.updateLimit(s);
    }
  }

  hasRoom(): boolean {
    if (this.cur >= this.maxconn) return false;
    if (this.connRateLimit === 0 && this.sessRateLimit === 0) return true;
    const wait = Math.max(this.connRate.wait(this.connRateLimit), this.sessRate.wait(this.sessRateLimit));
    if (wait === 0) return true;
    // At the rate limit: connections wait in the frontends' hold queues; wake them then.
    this.rateTimer ??= setTimeout(() => { this.rateTimer = null; this.drainHeld(); }, wait);
    return false;
  }

  /** Both rates count when a session starts: a connection refused by tcp-request rules counts in neither. */
  taken(): void {
    this.cur++;
    const now = Date.now();
    this.connRate.add(now);
    this.sessRate.add(now);
  }

  /** Lets held connections in while there is room (after a limit was raised or time passed). */
  drainHeld(): void {
    if (this.stopping) return;
    for (const fe of this.frontends) {
      if (!this.hasRoom()) break;
      fe.drainHeld();
    }
  }

  released(): void {
    this.cur--;
    if (this.stopping) return;
    for (const fe of this.frontends) {
      if (!this.hasRoom()) break;
      fe.drainHeld();
    }
  }

  /** Binds every listener (frontends, then stats sockets); all or nothing. */
  async start(): Promise<void> {
    try {
      for (const fe of this.frontends) {
        const addrs = fe.cfg.binds.flatMap((b) => b.addresses.flatMap(expandAddress));
        fe.listeners = await bindAll(`frontend ${fe.name}`, addrs, fe.accept, true);
      }
      this.cli = new CliServer(this);
      for (const s of this.config.global.statsSockets) {
        const bound = await bindAll('stats socket', [{ addr: s.address, mode: s.mode }], (sock) => this.cli!.accept(sock, s.level, s.exposeFd === true));
        this.cliSockets.push(...bound);
      }
    } catch (e) {
      for (const fe of this.frontends) fe.stopListening();
      for (const b of this.cliSockets) b.server.close();
      throw e;
    }
    this.healthChecks = startHealthChecks(this.backends.values(), { spreadChecks: spreadChecksOf(this.config.global) });
  }

  /** The descriptors this process listens on (frontends, then stats sockets), for `_getsocks`. */
  listeningFds(): number[] {
    const out: number[] = [];
    for (const b of [...this.frontends.flatMap((fe) => fe.listeners), ...this.cliSockets]) {
      const fd = handleFd(b.server);
      if (fd !== undefined) out.push(fd);
    }
    return out;
  }

  get sessionCount(): number {
    let n = 0;
    for (const fe of this.frontends) n += fe.streams.size + fe.heldCount;
    return n;
  }

  private checkIdle(): void {
    if (!this.stopping || this.sessionCount > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Stops accepting, lets running sessions finish; resolves when none is left, or, with
   * `hard-stop-after T`, after T, when whatever is still running is closed (stop()).
   */
  softStop(): Promise<void> {
    this.stopping = true;
    this.healthChecks?.stop();
    for (const m of this.dynamicMonitors) m.stop();
    for (const fe of this.frontends) { fe.stopListening(); fe.drainStreams(); }
    for (const b of this.cliSockets) b.server.close();
    this.cliSockets = [];
    this.cli?.closeAll();
    return new Promise((resolve) => {
      const hardAfter = this.config.global.hardStopAfter;
      const timer = hardAfter === undefined ? undefined : setTimeout(() => {
        notice(`hard-stop-after ${hardAfter} ms reached: closing ${this.sessionCount} remaining session(s).`);
        this.stop();
        resolve();
      }, hardAfter);
      this.idleWaiters.push(() => { clearTimeout(timer); resolve(); });
      this.checkIdle();
    });
  }

  /** Closes everything now. */
  stop(): void {
    this.stopping = true;
    this.healthChecks?.stop();
    for (const m of this.dynamicMonitors) m.stop();
    if (this.rateTimer) clearTimeout(this.rateTimer);
    for (const fe of this.frontends) {
      fe.stopListening();
      fe.killAll();
    }
    for (const b of this.cliSockets) b.server.close();
    this.cliSockets = [];
    this.cli?.closeAll();
  }
}

/**
 * `tune.bufsize` / `tune.maxrewrite` / `tune.http.maxhdr`: the read buffer size, the
 * largest message head (bufsize - maxrewrite, HAProxy's rule) and field count.
 */
function applyTune(t: { bufsize?: number; maxrewrite?: number; maxhdr?: number }): void {
  const bufsize = t.bufsize ?? 16_384;
  const maxrewrite = t.maxrewrite ?? Math.min(1024, bufsize / 2);
  setBufsize(bufsize);
  DEFAULT_LIMITS.maxHeadBytes = bufsize - maxrewrite;
  DEFAULT_LIMITS.maxHeaders = t.maxhdr ?? 101;
}
