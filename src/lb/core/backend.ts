/**
 * A live backend: its servers, the algorithm instances that pick among them, the wait
 * queue, and its counters.
 *
 * assign() is the one way a request gets a server (HAProxy's assign_server_and_queue):
 *   - the algorithm picks among the active servers, or — when none is usable — among the
 *     backup servers (all of them with `option allbackups`, else only the first usable);
 *   - a picked server with a free slot is taken at once (its `served` grows);
 *   - a free-choice algorithm that finds every usable server full returns null: the
 *     request waits in the backend queue;
 *   - a deterministic (hash) algorithm's full server keeps the request in that server's
 *     own queue, unless its `maxqueue` is reached (then "full": 503);
 *   - no usable server at all: "none" (503 / connection closed).
 * release() gives a slot back and hands it to the oldest waiter (queue.ts). Every wait is
 * bounded by `timeout queue` (default `timeout connect`, as HAProxy).
 *
 * Weights: `userWeight` is what configuration or the runtime API set; the effective
 * `weight` the algorithm sees is scaled by the agent's percentage and by slow start (a
 * server coming back up ramps from ~0 to its weight over `slowstart`, in at most 20 steps
 * of at least 1 s, and so does its slot limit).
 */
import type { ProxyConfig } from '../config/types.ts';
import type { LbAlgorithm, PickRequest } from '../algo/types.ts';
import { ALGORITHMS, weightsAreDynamic } from '../algo/registry.ts';
import { Server, type AdminState } from './server.ts';
import { newCounters, type Counters } from './counters.ts';
import { QueueEntry, WaitQueue, type Waiter } from './queue.ts';
import { performance } from 'node:perf_hooks';

export type Assignment =
  | { kind: 'server'; server: Server }
  | { kind: 'queued'; entry: QueueEntry }
  | { kind: 'none' }
  | { kind: 'full' };

/** Outcome of a health or admin change, for the state-change log line. */
export interface StateChange {
  changed: boolean;
  /** Waiters moved from the server's queue to the backend's (redispatch on DOWN). */
  requeued: number;
}

interface AlgoInstance {
  readonly algo: LbAlgorithm<unknown>;
  readonly state: unknown;
}

export class Backend {
  readonly name: string;
  readonly cfg: ProxyConfig;
  readonly servers: Server[];
  readonly counters: Counters = newCounters();
  /** Requests waiting for any server of this backend. */
  readonly queue = new WaitQueue();
  /** Requests holding or waiting for a slot here (HAProxy's beconn, for dynamic maxconn). */
  beconn = 0;
  /** The load at which servers reach their maxconn (with minconn); from `fullconn` or derived by the runtime. */
  fullconn: number;
  // The server lists and algorithm instances change only when `add server` / `del server` rebuild them.
  private active: AlgoInstance;
  private backups: AlgoInstance;
  private activeServers: Server[];
  private backupServers: Server[];
  private readonly deterministic: boolean;
  /** Servers with `minconn` (dynamic maxconn): the only ones whose limit follows the load. */
  private minconnServers: Server[];
  private readonly queueTimeout: number;
  /** Usable servers (up, ready, weight > 0), kept current on every state or weight change. */
  private usableActive = 0;
  private usableBackup = 0;

  constructor(cfg: ProxyConfig) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.servers = cfg.servers.map((s) => new Server(s));
    this.fullconn = cfg.fullconn ?? 0;
    const algo = ALGORITHMS[cfg.balance.algorithm];
    this.deterministic = algo.deterministic;
    this.activeServers = this.servers.filter((s) => !s.backup);
    this.backupServers = this.servers.filter((s) => s.backup);
    this.minconnServers = this.servers.filter((s) => s.cfg.minconn > 0);
    this.active = { algo, state: algo.init(this.activeServers, cfg.balance) };
    this.backups = { algo, state: algo.init(this.backupServers, cfg.balance) };
    this.queueTimeout = cfg.timeouts.queue ?? cfg.timeouts.connect ?? 0;
    for (const s of this.servers) this.updateLimit(s);
    this.recount();
  }

  /** Recounts usable servers: O(n), only on state and weight changes, never per request. */
  private recount(): void {
    this.usableActive = this.activeServers.filter(isUsable).length;
    this.usableBackup = this.backupServers.filter(isUsable).length;
  }

  private instanceOf(s: Server): AlgoInstance {
    return s.backup ? this.backups : this.active;
  }

  /** Chooses a server for `req` without taking a slot; null when none is usable or all are full. */
  private pick(req: PickRequest, avoid?: Server): Server | null {
    if (this.usableActive > 0) {
      return this.active.algo.pick(this.active.state, req, avoid) as Server | null;
    }
    if (this.cfg.options.allbackups) {
      return this.backups.algo.pick(this.backups.state, req, avoid) as Server | null;
    }
    // Only the first usable backup server serves (HAProxy without allbackups).
    return this.backupServers.find(isUsable) ?? null;
  }

  /**
   * Finds a server for a request: a slot at once, a place in a queue (the waiter is
   * called back), or a refusal. `avoid` asks for another server than one that failed.
   */
  assign(req: PickRequest, waiter: Waiter, avoid?: Server): Assignment {
    if (this.usableCount() === 0) return { kind: 'none' };
    const server = this.pick(req, avoid);
    if (server === null) return { kind: 'queued', entry: this.enqueue(this.queue, waiter, null) };
    server.counters.lbtot++;
    this.counters.lbtot++;
    if (server.hasRoom) {
      this.take(server);
      return { kind: 'server', server };
    }
    if (!this.deterministic && !server.backup) {
      // A free-choice algorithm returned a full server (the only one left): wait for any.
      return { kind: 'queued', entry: this.enqueue(this.queue, waiter, null) };
    }
    if (server.cfg.maxqueue > 0 && server.queue.length >= server.cfg.maxqueue) return { kind: 'full' };
    return { kind: 'queued', entry: this.enqueue(server.queue, waiter, server) };
  }

  /**
   * The server a persistence cookie value designates: the first usable server with that
   * value, else the first with it (HAProxy: several servers may share a value).
   */
  serverByCookie(value: string): Server | null {
    let any: Server | null = null;
    for (const s of this.servers) {
      if (s.cfg.cookie !== value || value === '') continue;
      if (s.usable) return s;
      any ??= s;
    }
    return any;
  }

  /**
   * A request that a persistence cookie sends to `server` ("direct"): a slot, or a place
   * in that server's own queue. Null when the cookie cannot be honoured — the server
   * cannot take traffic (unless only down and `option persist`), or its queue is at
   * maxqueue and `option redispatch` allows another server — and the caller balances
   * the request normally.
   */
  assignDirect(server: Server, waiter: Waiter, force = false): Assignment | null {
    // A draining server still takes persistent requests (HAProxy: it is not stopped).
    const open = server.usable || (server.health === 'up' && server.admin === 'drain') || ((this.cfg.options.persist || force) && server.admin === 'ready');
    if (!open) return null;
    if (server.hasRoom) {
      this.take(server);
      return { kind: 'server', server };
    }
    if (server.cfg.maxqueue > 0 && server.queue.length >= server.cfg.maxqueue) {
      return this.cfg.options.redispatchOn ? null : { kind: 'full' };
    }
    return { kind: 'queued', entry: this.enqueue(server.queue, waiter, server) };
  }

  /** Takes a slot on `server` for a request that did not queue (a retry on the same server keeps its slot). */
  private take(server: Server): void {
    server.served++;
    // A server's current sessions (stats scur/smax) are its slots in use.
    if (++server.counters.scur > server.counters.smax) server.counters.smax = server.counters.scur;
    this.beconn++;
    this.instanceOf(server).algo.onTake?.(this.instanceOf(server).state, server);
    this.refreshLimits();
  }

  /** Gives back a slot taken by assign() or granted from a queue, and serves the queue. */
  release(server: Server): void {
    server.served--;
    server.counters.scur--;
    this.beconn--;
    this.instanceOf(server).algo.onDrop?.(this.instanceOf(server).state, server);
    this.refreshLimits();
    this.serveQueue(server);
  }

  /** A waiter gives up (its client left): out of whichever queue holds it. */
  cancel(entry: QueueEntry): void {
    const q = entry.owner;
    if (!q) return;
    q.remove(entry);
    this.beconn--;
    this.countQueue(q, -1);
  }

  private enqueue(q: WaitQueue, waiter: Waiter, server: Server | null): QueueEntry {
    const e = new QueueEntry(waiter);
    q.push(e);
    this.beconn++;
    this.countQueue(q, +1, server);
    if (this.queueTimeout > 0) {
      e.timer = setTimeout(() => {
        e.timer = null;
        const owner = e.owner;
        if (!owner) return;
        owner.remove(e);
        this.beconn--;
        this.countQueue(owner, -1);
        waiter.expired();
      }, this.queueTimeout);
    }
    return e;
  }

  private countQueue(q: WaitQueue, delta: number, server?: Server | null): void {
    // Without `server`, a server queue is looked up (only when a waiter leaves early).
    const s = server ?? (q === this.queue ? null : this.servers.find((x) => x.queue === q) ?? null);
    const c = s ? s.counters : this.counters;
    c.qcur += delta;
    if (c.qcur > c.qmax) c.qmax = c.qcur;
  }

  /**
   * Hands free slots of `server` to waiters, oldest first between its own queue and the
   * backend's. A server that is not usable only serves requests pinned to it; a backup
   * server takes from the backend queue only when backups are in use.
   */
  private serveQueue(server: Server): void {
    const mayTakeShared = server.usable && (!server.backup || this.backupsInUse(server));
    while (server.slotFree) {
      const own = server.queue.peek();
      const shared = mayTakeShared ? this.queue.peek() : null;
      const e = own && (!shared || own.seq < shared.seq) ? own : shared;
      if (!e) return;
      const q = e.owner!;
      q.remove(e);
      this.countQueue(q, -1, q === this.queue ? null : server);
      this.beconn--; // take() counts it again
      this.take(server);
      e.waiter.granted(server);
    }
  }

  private backupsInUse(server: Server): boolean {
    if (this.usableActive > 0) return false;
    return this.cfg.options.allbackups || this.backupServers.find(isUsable) === server;
  }

  /** After servers come up, limits grow or weights change: let every server serve waiters. */
  private serveAll(): void {
    for (const s of this.servers) if (s.slotFree && (s.queue.length > 0 || this.queue.length > 0)) this.serveQueue(s);
  }

  /**
   * Ends every session using `server` (on-marked-down shutdown-sessions,
   * on-marked-up shutdown-backup-sessions, the runtime API's shutdown sessions). The
   * runtime supplies how to find them (sessions live in frontends).
   */
  sessionKiller: ((server: Server) => number) | null = null;

  shutdownSessions(server: Server): number {
    return this.sessionKiller?.(server) ?? 0;
  }

  /** Servers that may receive traffic now (up, ready, weight > 0). */
  usableCount(): number {
    return this.usableActive + this.usableBackup;
  }

  activeUsableCount(): number { return this.usableActive; }
  backupUsableCount(): number { return this.usableBackup; }

  // ---- servers added and removed at run time (runtime API) ---------------------------

  /**
   * Whether `add server` may add here: only with an algorithm that follows weight changes
   * (HAProxy's "dynamic" algorithms); static-rr and map-based hashing build fixed tables.
   */
  acceptsDynamicServers(): boolean {
    return weightsAreDynamic(this.cfg.balance);
  }

  /**
   * Adds a server made by `add server`. The algorithm's state for the server's class is
   * rebuilt with init() over the new list: tables sized at init (round-robin heaps, hash
   * rings) learn the member that way, and init takes every server in its current state,
   * so a server added in maintenance enters through onServerUp when it leaves it. The
   * rebuild restarts the rotation of that class, a one-off change of order.
   */
  addServer(server: Server): void {
    this.servers.push(server);
    this.rebuild(server.backup);
    this.updateLimit(server);
    this.recount();
    if (server.usable) this.serveAll();
  }

  /** Removes a server `del server` checked (in maintenance, nothing served or queued). */
  removeServer(server: Server): void {
    const i = this.servers.indexOf(server);
    if (i < 0) return;
    this.servers.splice(i, 1);
    this.rebuild(server.backup);
    this.recount();
    server.pool.closeAll();
  }

  private rebuild(backup: boolean): void {
    const algo = ALGORITHMS[this.cfg.balance.algorithm];
    const list = this.servers.filter((s) => s.backup === backup);
    const inst = { algo, state: algo.init(list, this.cfg.balance) };
    if (backup) { this.backupServers = list; this.backups = inst; }
    else { this.activeServers = list; this.active = inst; }
    this.minconnServers = this.servers.filter((s) => s.cfg.minconn > 0);
  }

  // ---- state changes (checks, agent, runtime API) ------------------------------------

  /**
   * Why a run-time weight change is refused, or null: static algorithms (static-rr,
   * map-based hashing) only accept 0 or the configured weight, as HAProxy.
   */
  weightChangeError(server: Server, weight: number): string | null {
    if (weightsAreDynamic(this.cfg.balance) || weight === 0 || weight === server.cfg.weight) return null;
    return `Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.`;
  }

  /** Changes a server's configured weight at run time (see weightChangeError first). */
  setWeight(server: Server, weight: number): void {
    server.userWeight = weight;
    this.applyWeight(server);
  }

  /** The agent's weight, as a percentage of the configured weight. */
  setAgentWeight(server: Server, percent: number): void {
    server.agentPercent = percent;
    this.applyWeight(server);
  }

  setServerMaxconn(server: Server, maxconn: number): void {
    server.maxconn = maxconn;
    this.updateLimit(server);
    this.serveAll();
  }

  /** The checks' verdict. Going DOWN with `option redispatch` moves the server's waiters to the backend queue. */
  setHealth(server: Server, up: boolean, _reason = ''): StateChange {
    const health = up ? 'up' : 'down';
    if (server.health === health) return { changed: false, requeued: 0 };
    const was = server.usable;
    server.health = health;
    if (up && server.cfg.slowstart > 0) this.startWarmup(server);
    const requeued = this.usabilityChanged(server, was);
    return { changed: true, requeued };
  }

  setAdmin(server: Server, admin: AdminState): StateChange {
    if (server.admin === admin) return { changed: false, requeued: 0 };
    const was = server.usable;
    const wasMaint = server.admin === 'maint';
    server.admin = admin;
    if (wasMaint && admin === 'ready' && server.health === 'up' && server.cfg.slowstart > 0) this.startWarmup(server);
    const requeued = this.usabilityChanged(server, was);
    return { changed: true, requeued };
  }

  private usabilityChanged(server: Server, was: boolean): number {
    this.recount();
    const now = server.usable;
    if (was === now) return 0;
    const inst = this.instanceOf(server);
    let requeued = 0;
    if (now) {
      inst.algo.onServerUp?.(inst.state, server);
      this.serveAll();
    } else {
      inst.algo.onServerDown?.(inst.state, server);
      // Idle connections to a server that went down or into maintenance are not trusted:
      // a new request must not be sent over one (it could hang until timeout server).
      server.pool.closeAll();
      if (this.cfg.options.redispatchOn) {
        for (const e of server.queue.drain()) {
          this.countQueue(server.queue, -1, server);
          this.queue.push(e);
          this.countQueue(this.queue, +1, null);
          requeued++;
        }
        this.serveAll();
      }
    }
    return requeued;
  }

  private applyWeight(server: Server): void {
    let w = Math.ceil((server.userWeight * server.agentPercent) / 100);
    if (server.warmingSince > 0 && server.cfg.slowstart > 0) {
      const elapsed = performance.now() - server.warmingSince;
      if (elapsed < server.cfg.slowstart) w = Math.max(1, Math.ceil((w * elapsed) / server.cfg.slowstart));
    }
    if (server.userWeight === 0) w = 0;
    if (w === server.weight) return;
    server.weight = w;
    this.recount();
    const inst = this.instanceOf(server);
    inst.algo.onWeight?.(inst.state, server);
  }

  private startWarmup(server: Server): void {
    server.warmingSince = performance.now();
    const slowstart = server.cfg.slowstart;
    const step = Math.max(1000, Math.ceil(slowstart / 20));
    const tick = (): void => {
      const done = performance.now() - server.warmingSince >= slowstart || !server.usable;
      if (done) server.warmingSince = 0;
      this.applyWeight(server);
      this.updateLimit(server);
      this.serveAll();
      if (!done) setTimeout(tick, step).unref();
    };
    this.applyWeight(server);
    this.updateLimit(server);
    setTimeout(tick, step).unref();
  }

  /** Dynamic maxconn (minconn/fullconn) only moves with beconn: recompute those servers (usually none). */
  private refreshLimits(): void {
    if (this.fullconn === 0) return;
    for (const s of this.minconnServers) this.updateLimit(s);
  }

  /**
   * HAProxy's srv_dynamic_maxconn: maxconn, or with minconn the load-proportional value
   * max(minconn, maxconn × beconn / fullconn) until the backend reaches fullconn; during
   * slow start, scaled by the ramp (at least 1).
   */
  updateLimit(server: Server): void {
    if (server.maxconn === 0) { server.slotLimit = Infinity; return; }
    let max = server.maxconn;
    const min = server.cfg.minconn;
    if (min > 0 && this.fullconn > 0 && this.beconn < this.fullconn) {
      max = Math.max(min, Math.ceil((server.maxconn * this.beconn) / this.fullconn));
    }
    if (server.warmingSince > 0 && server.cfg.slowstart > 0) {
      const elapsed = performance.now() - server.warmingSince;
      if (elapsed < server.cfg.slowstart) max = Math.max(1, Math.ceil((max * elapsed) / server.cfg.slowstart));
    }
    server.slotLimit = max;
  }
}

function isUsable(s: Server): boolean {
  return s.usable && s.weight > 0;
}
