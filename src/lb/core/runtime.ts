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
import { bindAll, expandAddress, type BoundSocket } from './bind.ts';
import { defaultMaxconn } from './limits.ts';
import { CliServer } from '../cli/socket.ts';

export class Runtime implements ConnectionGate {
  readonly config: Config;
  readonly frontends: Frontend[] = [];
  readonly backends = new Map<string, Backend>();
  readonly maxconn: number;
  readonly startedAt = Date.now();
  cur = 0;
  private cli: CliServer | null = null;
  private cliSockets: BoundSocket[] = [];
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(config: Config, resolved: Map<string, string>) {
    this.config = config;
    this.maxconn = config.global.maxconn ?? defaultMaxconn();
    for (const p of config.proxies) {
      if (!p.cap.backend) continue;
      const be = new Backend(p);
      for (const s of be.servers) {
        const ip = resolved.get(`${p.name}/${s.name}`);
        if (ip !== undefined) s.host = ip;
      }
      this.backends.set(p.name, be);
    }
    for (const p of config.proxies) {
      if (!p.cap.frontend || p.binds.length === 0) continue;
      // First unconditional use_backend wins, else default_backend, else (listen) itself.
      const target = p.useBackends[0]?.name ?? p.defaultBackend?.name;
      const be = target !== undefined ? this.backends.get(target) ?? null : p.cap.backend ? this.backends.get(p.name) ?? null : null;
      this.frontends.push(new Frontend(p, be, p.maxconn ?? this.maxconn, this, () => this.checkIdle()));
    }
  }

  hasRoom(): boolean { return this.cur < this.maxconn; }
  taken(): void { this.cur++; }
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
        const bound = await bindAll('stats socket', [{ addr: s.address, mode: s.mode }], (sock) => this.cli!.accept(sock, s.level));
        this.cliSockets.push(...bound);
      }
    } catch (e) {
      for (const fe of this.frontends) fe.stopListening();
      for (const b of this.cliSockets) b.server.close();
      throw e;
    }
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

  /** Stops accepting, lets running sessions finish; resolves when none is left. */
  softStop(): Promise<void> {
    this.stopping = true;
    for (const fe of this.frontends) fe.stopListening();
    for (const b of this.cliSockets) b.server.close();
    this.cliSockets = [];
    this.cli?.closeAll();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /** Closes everything now. */
  stop(): void {
    this.stopping = true;
    for (const fe of this.frontends) {
      fe.stopListening();
      fe.killAll();
    }
    for (const b of this.cliSockets) b.server.close();
    this.cliSockets = [];
    this.cli?.closeAll();
  }
}
