/**
 * A live server: its resolved address, weight, state and counters. The algorithm sees it
 * through the LbServer view (id, name, weight, usable).
 */
import type { ServerConfig } from '../config/types.ts';
import type { LbServer } from '../algo/types.ts';
import { newCounters, type Counters } from './counters.ts';

export type ServerState = 'up' | 'maint';

export class Server implements LbServer {
  readonly id: number;
  readonly name: string;
  readonly cfg: ServerConfig;
  /** Resolved IP (or unix path) — filled at start-up by the runtime. */
  host: string;
  weight: number;
  state: ServerState;
  readonly counters: Counters = newCounters();

  constructor(cfg: ServerConfig) {
    this.cfg = cfg;
    this.id = cfg.id;
    this.name = cfg.name;
    this.weight = cfg.weight;
    this.state = cfg.disabled ? 'maint' : 'up';
    this.host = cfg.address.kind === 'unix' ? cfg.address.path : cfg.address.host;
  }

  get usable(): boolean {
    return this.state === 'up';
  }

  /** Port to connect to, given the port the client connected to (for `addr` without port or `:+N`). */
  portFor(clientDestPort: number): number {
    const a = this.cfg.address;
    if (a.kind !== 'inet') return 0;
    return a.port ?? clientDestPort + a.portOffset;
  }
}
