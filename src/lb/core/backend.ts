/**
 * A live backend: its servers, the algorithm that picks among them, and its counters.
 * Contract of pickServer(): returns a usable server or null ("no server available"), and
 * counts the pick in the server's lbtot.
 */
import type { ProxyConfig } from '../config/types.ts';
import type { LbAlgorithm } from '../algo/types.ts';
import { ALGORITHMS } from '../algo/registry.ts';
import { Server } from './server.ts';
import { newCounters, type Counters } from './counters.ts';

export class Backend {
  readonly name: string;
  readonly cfg: ProxyConfig;
  readonly servers: Server[];
  readonly counters: Counters = newCounters();
  private readonly algo: LbAlgorithm<unknown>;
  private readonly state: unknown;

  constructor(cfg: ProxyConfig) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.servers = cfg.servers.map((s) => new Server(s));
    this.algo = ALGORITHMS[cfg.balance];
    this.state = this.algo.init(this.servers);
  }

  pickServer(avoid?: Server): Server | null {
    const s = this.algo.pick(this.state, avoid) as Server | null;
    if (s) {
      s.counters.lbtot++;
      this.counters.lbtot++;
    }
    return s;
  }

  /** Servers that may receive traffic now (up, weight > 0). */
  usableCount(): number {
    let n = 0;
    for (const s of this.servers) if (s.usable && s.weight > 0) n++;
    return n;
  }

  /** Changes a server's weight at run time; static algorithms keep their order. */
  setWeight(server: Server, weight: number): void {
    server.weight = weight;
    this.algo.onWeight?.(this.state, server);
  }

  setState(server: Server, state: Server['state']): void {
    if (server.state === state) return;
    server.state = state;
    if (state === 'up') this.algo.onServerUp?.(this.state, server);
    else this.algo.onServerDown?.(this.state, server);
  }
}
