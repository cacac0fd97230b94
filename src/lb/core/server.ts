/**
 * A live server: its resolved address, weights, states, slots and counters. The algorithm
 * sees it through the LbServer view (id, name, weight, usable, hasRoom, served, maxconn).
 *
 * Two independent states, as in HAProxy: `health` is what checks (or tracking) concluded,
 * `admin` is what the operator asked (ready, drain, maint). The server takes new traffic
 * only when up and ready. `served` counts the requests (HTTP) or connections (TCP) it is
 * serving now; each one holds one slot of its (dynamic) maxconn, and requests beyond
 * wait in a queue (queue.ts) — the server's own for requests pinned to it, else the
 * backend's.
 */
import { isIP } from 'node:net';
import type { ServerConfig } from '../config/types.ts';
import type { LbServer } from '../algo/types.ts';
import { newCounters, type Counters } from './counters.ts';
import { WaitQueue } from './queue.ts';
import { ServerPool } from './server-pool.ts';

export type HealthState = 'up' | 'down';
export type AdminState = 'ready' | 'drain' | 'maint';

export class Server implements LbServer {
  readonly id: number;
  readonly name: string;
  readonly cfg: ServerConfig;
  readonly backup: boolean;
  /** Resolved IP (or unix path) — filled at start-up by the runtime. */
  host: string;
  /** Weight set by configuration or at run time (`set weight`), 0–256. */
  userWeight: number;
  /** Effective weight the algorithm uses: userWeight scaled by slow start and the agent. */
  weight: number;
  /** Agent-reported weight, percent of userWeight (100 = as configured). */
  agentPercent = 100;
  health: HealthState = 'up';
  admin: AdminState;
  /** Slots in use. */
  served = 0;
  /** Configured maxconn (0 = unlimited); the agent or runtime API may change it. */
  maxconn: number;
  /** Limit in force now (dynamic maxconn with minconn/fullconn, slow start); Infinity when none. */
  slotLimit = Infinity;
  /** Requests pinned to this server waiting for a slot. */
  readonly queue = new WaitQueue();
  /** Idle HTTP connections to this server (server-pool.ts). */
  readonly pool: ServerPool;
  /** When the current slow-start ramp began (ms, monotonic); 0 when not ramping. */
  warmingSince = 0;
  readonly counters: Counters = newCounters();
  /** Made by the runtime API's `add server`: no configuration line refers to it. */
  dynamic = false;
  /** Bumped by moveTo(): connections opened before are not reused (server-pool.ts). */
  addrGen = 0;

  constructor(cfg: ServerConfig) {
    this.cfg = cfg;
    this.id = cfg.id;
    this.name = cfg.name;
    this.backup = cfg.backup;
    this.userWeight = cfg.weight;
    this.weight = cfg.weight;
    this.maxconn = cfg.maxconn;
    this.admin = cfg.disabled ? 'maint' : 'ready';
    this.pool = new ServerPool(cfg);
    this.host = cfg.address.kind === 'unix' ? cfg.address.path : cfg.address.host;
  }

  get usable(): boolean {
    return this.health === 'up' && this.admin === 'ready';
  }

  get hasRoom(): boolean {
    return this.served < this.slotLimit && this.queue.length === 0;
  }

  /** A free slot exists (regardless of waiters). */
  get slotFree(): boolean {
    return this.served < this.slotLimit;
  }

  /**
   * `set server … addr`: new connections go to `host` (and `port` when given); idle
   * pooled connections still point at the old address and are closed, and those in use
   * finish their transaction there and are not reused.
   */
  moveTo(host: string, port: number | null): void {
    const a = this.cfg.address;
    if (a.kind !== 'inet') return;
    this.host = host;
    this.addrGen++;
    this.cfg.address = { ...a, host, family: isIP(host) === 6 ? 6 : 0, ...(port === null ? {} : { port, portOffset: 0 }) };
    this.pool.closeAll();
  }

  /** Port to connect to, given the port the client connected to (for `addr` without port or `:+N`). */
  portFor(clientDestPort: number): number {
    const a = this.cfg.address;
    if (a.kind !== 'inet') return 0;
    return a.port ?? clientDestPort + a.portOffset;
  }
}
