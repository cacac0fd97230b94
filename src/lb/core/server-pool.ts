/**
 * Server connections in mode http, and the per-server pool of idle ones (HAProxy's
 * idle/safe connection lists and `http-reuse`).
 *
 * A ServerConn wraps one socket to one server and forwards its events to whoever uses
 * it now (`user`, an HTTP stream). Between transactions a connection that is still
 * reusable goes back to its server's pool, remembering its last user, so that:
 *   - the same session finds it again for its next request to that server (the common
 *     keep-alive case costs two pointer moves);
 *   - other sessions may take it, following `http-reuse`:
 *       never      — connections stay private to the session that opened them (they are
 *                    not pooled; the session closes them when it ends);
 *       safe       — (default) a session's first request always opens its own connection
 *                    (a client can then retry it safely if the server closes meanwhile);
 *                    later requests may take any pooled connection;
 *       aggressive — a first request may take a connection that has already been reused
 *                    (served two requests or more: proven to be kept by the server);
 *       always     — a first request may take any pooled connection.
 *   - `max-reuse N` closes a connection once it has been reused N times (-1: no limit);
 *     `pool-max-conn N` bounds a server's pool (-1: no limit, 0: no pooling);
 *     `pool-purge-delay T` closes connections that stayed idle T (default 5 s), so idle
 *     clients do not pin server connections (and memory) for long.
 * A pooled connection that receives bytes, an end or an error is closed: an idle server
 * must not talk. The pool is a LIFO (most recently used first: warm, least likely closed
 * by the server) intrusive list: push, pop and removal are O(1).
 */
import net from 'node:net';
import type { Server } from './server.ts';
import { connectToServer } from './server-conn.ts';
import { Deadline } from './deadline.ts';
import { plainEnds, type PlainEnds } from './txn-log.ts';
import { performance } from 'node:perf_hooks';

export type ReuseMode = 'never' | 'safe' | 'aggressive' | 'always';

/** What a connection's current user receives. */
export interface ConnUser {
  /** `now`: performance.now() when the bytes arrived. */
  onConnData(conn: ServerConn, chunk: Buffer, now: number): void;
  onConnEnd(conn: ServerConn): void;
  /** The socket failed or closed (also during connect). */
  onConnGone(conn: ServerConn): void;
  onConnDrain(conn: ServerConn): void;
  onConnTimeout(conn: ServerConn): void;
}

export class ServerConn {
  readonly sock: net.Socket;
  readonly server: Server;
  user: ConnUser | null;
  /** The session that used it last (preferred when that session asks again). */
  lastUser: ConnUser | null = null;
  connected = false;
  /** Requests sent over it. */
  requests = 0;
  idleSince = 0;
  prev: ServerConn | null = null;
  next: ServerConn | null = null;
  pool: ServerPool | null = null;
  /** The server's address generation when connecting: after `set server … addr`, this connection is not reused. */
  private readonly addrGen: number;
  /** `timeout server` (or `timeout tunnel`): inactivity, pushed back by reads and the user's writes (touch()). */
  private readonly idle = new Deadline(() => { if (this.user) this.user.onConnTimeout(this); else this.sock.destroy(); });
  private idleMs = 0;
  /** A `set-timeout server` of some transaction replaced the backend's value on it. */
  timeoutOverridden = false;
  /** Its four addresses for the access log (%si %sp %bi %bp), read once per connection by ends(). */
  private endsCache: PlainEnds | null = null;

  /** Server and local address and port of the connected socket, as the log prints them (cached: they never change). */
  ends(): PlainEnds {
    return (this.endsCache ??= plainEnds(this.sock));
  }

  constructor(server: Server, clientPort: number, fast: boolean, user: ConnUser) {
    this.server = server;
    this.addrGen = server.addrGen;
    this.user = user;
    const onData = (chunk: Buffer): void => {
      const now = performance.now();
      this.idle.set(this.idleMs, now);
      const u = this.user;
      if (u) u.onConnData(this, chunk, now);
      else this.sock.destroy(); // an idle connection must not talk
    };
    const sock = connectToServer(server, clientPort, fast ? onData : null);
    this.sock = sock;
    if (!fast) sock.on('data', onData);
    sock.on('end', () => { if (this.user) this.user.onConnEnd(this); else sock.destroy(); });
    sock.on('error', () => this.gone());
    sock.on('close', () => this.gone());
    sock.on('drain', () => this.user?.onConnDrain(this));
  }

  /** Sets the inactivity timeout (ms, 0: none) and starts counting now. */
  setIdleTimeout(ms: number): void {
    this.idleMs = ms;
    this.idle.set(ms);
  }

  /** Activity on the connection (a write by its user): the inactivity timeout starts again. */
  touch(now?: number): void {
    this.idle.set(this.idleMs, now);
  }

  private gone(): void {
    this.idle.stop();
    this.pool?.remove(this);
    const u = this.user;
    this.user = null;
    u?.onConnGone(this);
  }

  get usable(): boolean {
    return this.connected && !this.sock.destroyed && this.sock.writable && !this.sock.readableEnded && this.addrGen === this.server.addrGen;
  }
}

/** One server's idle connections. */
export class ServerPool {
  private head: ServerConn | null = null;
  private tail: ServerConn | null = null;
  length = 0;
  private purgeTimer: NodeJS.Timeout | null = null;
  private readonly maxConn: number;
  private readonly maxReuse: number;
  private readonly purgeDelay: number;

  constructor(cfg: { poolMaxConn: number; maxReuse: number; poolPurgeDelay: number }) {
    this.maxConn = cfg.poolMaxConn;
    this.maxReuse = cfg.maxReuse;
    this.purgeDelay = cfg.poolPurgeDelay;
  }

  /**
   * Gives back a connection after a transaction: 'parked'; 'spent' when it must be
   * closed (not reusable, or reused max-reuse times); 'full' when the pool has no room
   * (the session may still keep it for itself).
   */
  park(conn: ServerConn, now = performance.now()): 'parked' | 'spent' | 'full' {
    if (!conn.usable) return 'spent';
    if (this.maxReuse >= 0 && conn.requests > this.maxReuse) return 'spent';
    if (this.maxConn >= 0 && this.length >= this.maxConn) return 'full';
    conn.lastUser = conn.user;
    conn.user = null;
    conn.idleSince = now;
    conn.pool = this;
    conn.prev = this.tail;
    conn.next = null;
    if (this.tail) this.tail.next = conn;
    else this.head = conn;
    this.tail = conn;
    this.length++;
    if (this.purgeTimer === null && this.purgeDelay > 0) {
      this.purgeTimer = setInterval(() => this.purge(), Math.max(100, this.purgeDelay / 2));
      this.purgeTimer.unref();
    }
    return 'parked';
  }

  remove(conn: ServerConn): void {
    if (conn.pool !== this) return;
    if (conn.prev) conn.prev.next = conn.next;
    else this.head = conn.next;
    if (conn.next) conn.next.prev = conn.prev;
    else this.tail = conn.prev;
    conn.prev = conn.next = null;
    conn.pool = null;
    this.length--;
    // The purge timer is not stopped here: a keep-alive session parks and takes its
    // connection on every request, and a timer per request would cost more than the
    // request. purge() stops it once the pool stays empty for a whole period.
  }

  /**
   * A connection for `user`'s request: its own last one if still pooled, else — when
   * the mode allows for this request — the most recently parked one. Null: open one.
   */
  take(user: ConnUser, own: ServerConn | null, mode: ReuseMode, firstRequest: boolean): ServerConn | null {
    if (own && own.pool === this && own.lastUser === user) return this.claim(own, user);
    if (mode === 'never') return null;
    if (firstRequest && mode === 'safe') return null;
    for (let c = this.tail; c; c = c.prev) {
      if (firstRequest && mode === 'aggressive' && c.requests < 2) continue;
      return this.claim(c, user);
    }
    return null;
  }

  private claim(conn: ServerConn, user: ConnUser): ServerConn {
    this.remove(conn);
    conn.user = user;
    return conn;
  }

  /** Closes connections idle for pool-purge-delay or more (oldest are at the head). */
  private purge(): void {
    if (this.length === 0) {
      if (this.purgeTimer) { clearInterval(this.purgeTimer); this.purgeTimer = null; }
      return;
    }
    const limit = performance.now() - this.purgeDelay;
    while (this.head && this.head.idleSince <= limit) {
      const c = this.head;
      this.remove(c);
      c.sock.destroy();
    }
  }

  /** Closes every idle connection (server going down, process stopping). */
  closeAll(): void {
    while (this.head) {
      const c = this.head;
      this.remove(c);
      c.sock.destroy();
    }
  }
}
