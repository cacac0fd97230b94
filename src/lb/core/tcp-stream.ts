/**
 * One proxied TCP session (mode tcp): client socket ⇄ server socket.
 *
 * Life of a stream:
 *   1. The client socket arrives paused (listeners use pauseOnConnect), so nothing is
 *      read — and nothing buffered — before we have somewhere to send it.
 *   2. The backend assigns a server (backend.ts): a free slot at once, or a wait in a
 *      queue (queue.ts) bounded by `timeout queue`, after which the client is closed;
 *      then we connect under `timeout connect`. The slot is held until the session ends.
 *      A failed attempt is retried up to `retries` times: on the same server after a
 *      turn-around of min(timeout connect, 1 s) (so a restarting server is not hammered),
 *      or immediately on another server when `option redispatch` says so.
 *   3. Bytes flow both ways with backpressure: when a write to one side cannot complete
 *      at once we stop reading the other side until it drains. With fast reads (see
 *      fast-io.ts) that is "anything queued"; with Node's ordinary reads it is the
 *      socket's high-water mark. Memory per stream stays bounded either way.
 *   4. Once connected, `timeout tunnel` (if set) replaces client and server timeouts.
 *      A FIN from one side is passed on to the other (half-close); from then on the
 *      `timeout client-fin` / `server-fin` apply instead when set.
 *   5. An error, reset or timeout on either side destroys both. The stream ends when
 *      both sockets are closed, and calls `onEnd` exactly once.
 */
import net from 'node:net';
import type { Backend } from './backend.ts';
import type { Server } from './server.ts';
import { sessionStart, type Counters } from './counters.ts';
import type { Inbound } from './fast-io.ts';
import { connectToServer, shouldRedispatch, turnaroundMs } from './server-conn.ts';
import type { QueueEntry, Waiter } from './queue.ts';
import type { PickRequest } from '../algo/types.ts';
import { stickDispatch, type StickContext, type StickStores } from '../stick/persist.ts';
import { observe } from '../check/observe.ts';
import { plainEnds, TxnLog, type AccessLogSink, type LogSource, type PlainEnds } from './txn-log.ts';
import { recordTxn, TxnTimes } from './latency.ts';
import { performance } from 'node:perf_hooks';
import { writeOut } from './direct-write.ts';

export interface StreamOwner {
  /** Frontend counters (bytes, sessions). */
  readonly feCounters: Counters;
  /** Inactivity timeouts for the client side, ms (0 = none). */
  readonly clientTimeout: number;
  readonly clientFinTimeout: number;
  /** The frontend's access log (null: no `log`), and what records are built from. */
  readonly accessLog: AccessLogSink | null;
  readonly logSource: LogSource;
  onEnd(stream: TcpStream): void;
  /** The sample context of a client connection (null when nothing evaluates samples); for `stick` rules. */
  sampleContext?(sock: net.Socket): StickContext | null;
}

export class TcpStream implements Waiter, PickRequest {
  readonly cli: net.Socket;
  srv: net.Socket | null = null;
  server: Server | null = null;
  /** The server whose slot this session holds (released exactly once). */
  private slot: Server | null = null;
  private waiting: QueueEntry | null = null;
  readonly backend: Backend | null;
  /** PickRequest: TCP mode has no HTTP request. */
  readonly http = null;
  private readonly owner: StreamOwner;
  private attempts = 0;
  private connectTimer: NodeJS.Timeout | null = null;
  private ended = false;
  private cliClosed = false;
  private halfClosed = false;
  /** Reads land in per-socket buffers (fast-io.ts): stricter backpressure rule applies. */
  private readonly fast: boolean;
  /** The client is paused until the server side drains (and the reverse). */
  private cliBlocked = false;
  private srvBlocked = false;
  private cliTimedOut = false;
  readonly startedAt = Date.now();
  /** Access-log timing (null when the frontend does not log) and the termination state. */
  private readonly lg: TxnLog | null;
  /** Latency of the session, for the stats histograms (latency.ts); always on. */
  private readonly tm = new TxnTimes();
  private term = '--';
  private redispatched = false;
  /** Entries `stick` rules will record the server in once connected (null: none). */
  private stick: StickStores | null = null;
  private connectTimedOut = false;
  private srvEnds: PlainEnds | null = null;

  /** Client bytes read before the session started (tcp-request content inspection): sent first. */
  private early: Buffer | null;

  constructor(cli: net.Socket, inbound: Inbound | null, owner: StreamOwner, backend: Backend | null, early: Buffer | null = null) {
    this.cli = cli;
    this.early = early;
    this.owner = owner;
    this.backend = backend;
    this.fast = inbound !== null;
    this.lg = owner.accessLog ? new TxnLog(cli) : null;
    this.tm.begin(performance.now());
    sessionStart(owner.feCounters);
    cli.setNoDelay(true);
    if (owner.clientTimeout > 0) cli.setTimeout(owner.clientTimeout);
    cli.on('timeout', this.onClientTimeout);
    cli.on('error', () => this.abort('cli'));
    cli.on('close', () => { this.cliClosed = true; this.maybeEnd(); });
    if (inbound) inbound.onChunk = this.fromClient;
    else cli.on('data', this.fromClient);
    cli.on('drain', () => {
      if (this.srvBlocked) { this.srvBlocked = false; this.srv?.resume(); }
    });
    cli.on('end', () => {
      this.enterHalfClosed();
      if (this.srv && !this.srv.destroyed) this.srv.end();
    });
    if (!backend) {
      // No backend to route to: HAProxy closes the connection at once in TCP mode.
      cli.destroy();
      return;
    }
    sessionStart(backend.counters);
    this.assignAndConnect(undefined);
  }

  /**
   * `timeout client` expired. Before the server is connected, or when the client side is
   * already half-closed, the session is aborted. Otherwise HAProxy semantics: the client
   * is considered done sending — a FIN goes to the server — and the server's answer is
   * still delivered, the wait now bounded by `timeout server`.
   */
  private readonly onClientTimeout = (): void => {
    const srv = this.srv;
    if (srv === null || srv.connecting || this.halfClosed || this.cliTimedOut) {
      this.abort('cli', true);
      return;
    }
    this.cliTimedOut = true;
    this.owner.feCounters.cli_abrt++;
    this.backend!.counters.cli_abrt++;
    this.server!.counters.cli_abrt++;
    this.cli.setTimeout(0);
    this.cli.pause();
    this.enterHalfClosed();
    srv.end();
  };

  /** Client → server bytes. `chunk` may be a view of the client's read buffer (fast mode). */
  private readonly fromClient = (chunk: Buffer): void => {
    const n = chunk.length;
    this.owner.feCounters.bin += n;
    if (this.lg) this.lg.bytesIn += n;
    this.backend!.counters.bin += n;
    this.server!.counters.bin += n;
    const srv = this.srv;
    if (srv === null) return;
    if (this.fast ? writeOut(srv, chunk) : srv.write(chunk)) return;
    this.cliBlocked = true;
    this.cli.pause();
  };

  /** Server → client bytes, same rule as fromClient. */
  private readonly fromServer = (chunk: Buffer): void => {
    const n = chunk.length;
    this.owner.feCounters.bout += n;
    if (this.lg) this.lg.bytesOut += n;
    this.backend!.counters.bout += n;
    this.server!.counters.bout += n;
    if (this.tm.response < 0) this.tm.response = performance.now() - this.tm.sent;
    const cli = this.cli;
    if (this.fast ? writeOut(cli, chunk) : cli.write(chunk)) return;
    this.srvBlocked = true;
    this.srv?.pause();
  };

  get srcAddr(): string {
    return this.cli.remoteAddress ?? '';
  }

  /** Gets a server slot (avoiding `avoid` if possible), now or from a queue, and connects. */
  private assignAndConnect(avoid: Server | undefined): void {
    const be = this.backend!;
    if (this.slot) { be.release(this.slot); this.slot = null; }
    // stick match / store-request (src/lb/stick/persist.ts), once per session.
    let a = null;
    if (avoid === undefined && be.cfg.stickRules.length > 0) ({ stick: this.stick, a } = stickDispatch(be, this.owner.sampleContext?.(this.cli) ?? null, this, null));
    a ??= be.assign(this, this, avoid);
    if (a.kind === 'queued') {
      this.waiting = a.entry;
      if (this.lg) {
        this.lg.tQueued = performance.now();
        const q = a.entry.owner!;
        if (q === be.queue) this.lg.bq = q.length - 1;
        else this.lg.sq = q.length - 1;
      }
      return;
    }
    if (a.kind !== 'server') {
      // "no server available" or its queue is full: nothing to connect to.
      this.setTerm(a.kind === 'full' ? 'sQ' : 'SC');
      this.cli.destroy();
      return;
    }
    this.granted(a.server);
  }

  /** Waiter: a slot on `server` is ours (at once or from a queue). */
  granted(server: Server): void {
    this.tm.queue = this.waiting ? performance.now() - this.waiting.since : 0;
    this.waiting = null;
    this.slot = server;
    if (this.lg) this.lg.tGranted = performance.now();
    if (this.cli.destroyed) { this.maybeEnd(); return; }
    if (this.server !== server) {
      // The server's scur/smax follow its slots (backend.ts); a session counts once per server.
      this.server = server;
      server.counters.stot++;
    }
    this.connect();
  }

  /** Waiter: `timeout queue` expired — HAProxy closes a TCP client it could not serve. */
  expired(): void {
    this.waiting = null;
    this.setTerm('sQ');
    this.cli.destroy();
  }

  /** Records why the session ends (the first reason wins). */
  private setTerm(ts: string): void {
    if (this.term === '--') this.term = ts;
  }

  private connect(): void {
    const be = this.backend!;
    const server = this.server!;
    this.attempts++;
    const srv = connectToServer(server, this.cli.localPort ?? 0, this.fast ? this.fromServer : null);
    this.srv = srv;
    this.connectTimedOut = false;
    this.tm.connStart = performance.now();
    if (this.lg) this.lg.tConnStart = this.tm.connStart;
    srv.on('close', () => {
      if (this.srv === srv) this.srv = null;
      this.maybeEnd();
    });
    const tConnect = be.cfg.timeouts.connect ?? 0;
    if (tConnect > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = null;
        srv.destroy();
        this.connectTimedOut = true;
        this.connectFailed();
      }, tConnect);
    }
    const onConnectError = (): void => {
      if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
      this.connectFailed();
    };
    srv.once('error', onConnectError);
    srv.once('connect', () => {
      if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
      if (this.stick !== null) { this.stick.commit(server, this.owner.sampleContext?.(this.cli) ?? null, null); this.stick = null; }
      observe(server, 'l4-ok');
      srv.removeListener('error', onConnectError);
      this.tm.sent = performance.now();
      this.tm.connect = this.tm.sent - this.tm.connStart;
      if (this.lg) {
        this.lg.tConnected = performance.now();
        this.srvEnds = plainEnds(srv);
      }
      this.established(srv);
    });
  }

  private connectFailed(): void {
    const be = this.backend!;
    const server = this.server!;
    server.counters.econ++;
    be.counters.econ++;
    observe(server, 'l4-fail');
    this.srv = null;
    if (this.cli.destroyed) return this.maybeEnd();
    const retriesLeft = be.cfg.retries - (this.attempts - 1);
    if (retriesLeft <= 0) {
      this.setTerm(this.connectTimedOut ? 'sC' : 'SC');
      this.cli.destroy();
      return;
    }
    server.counters.wretr++;
    be.counters.wretr++;
    if (shouldRedispatch(be, this.attempts)) {
      this.redispatched = true;
      be.counters.wredis++;
      server.counters.wredis++;
      this.assignAndConnect(server);
      return;
    }
    const delay = turnaroundMs(be);
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      if (!this.cli.destroyed) this.connect();
      else this.maybeEnd();
    }, delay);
  }

  private established(srv: net.Socket): void {
    const be = this.backend!;
    const cli = this.cli;
    // In TCP mode a connected session is a tunnel: `timeout tunnel`, when set, replaces
    // both the client and the server timeouts from now on (HAProxy semantics).
    const tTunnel = be.cfg.timeouts.tunnel ?? 0;
    const tServer = tTunnel > 0 ? tTunnel : be.cfg.timeouts.server ?? 0;
    if (tServer > 0) srv.setTimeout(tServer);
    if (tTunnel > 0 && !this.halfClosed) cli.setTimeout(tTunnel);
    srv.on('timeout', () => this.abort('srv', true));
    srv.on('error', () => this.abort('srv'));
    srv.on('drain', () => {
      if (this.cliBlocked) { this.cliBlocked = false; cli.resume(); }
    });
    if (!this.fast) srv.on('data', this.fromServer);
    srv.on('end', () => {
      this.enterHalfClosed();
      if (cli.destroyed) return;
      // A client that timed out is no longer read: once the answer is flushed, close it.
      if (this.cliTimedOut) cli.end(() => cli.destroy());
      else cli.end();
    });
    if (this.early) { const e = this.early; this.early = null; this.fromClient(e); }
    if (cli.readableEnded) srv.end();
    cli.resume();
  }

  private enterHalfClosed(): void {
    if (this.halfClosed) return;
    this.halfClosed = true;
    const fin = this.owner.clientFinTimeout;
    if (fin > 0) this.cli.setTimeout(fin);
    const sfin = this.backend?.cfg.timeouts['server-fin'] ?? 0;
    if (sfin > 0 && this.srv) this.srv.setTimeout(sfin);
  }

  /** Ends the stream because of a problem on one side: both sockets are destroyed. */
  abort(side: 'cli' | 'srv' | 'admin', timeout = false): void {
    if (this.ended) return;
    const who = side === 'cli' ? (timeout ? 'c' : 'C') : side === 'srv' ? (timeout ? 's' : 'S') : 'K';
    this.setTerm(who + this.phaseLetter());
    if (side === 'cli') {
      this.owner.feCounters.cli_abrt++;
      if (this.backend) this.backend.counters.cli_abrt++;
      if (this.server) this.server.counters.cli_abrt++;
    } else if (side === 'srv') {
      if (this.backend) this.backend.counters.srv_abrt++;
      if (this.server) this.server.counters.srv_abrt++;
    }
    if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
    this.cli.destroy();
    this.srv?.destroy();
  }

  /**
   * Ends the stream once the client socket is closed and no server socket or pending
   * connection attempt remains. A client gone while the server side lives makes the
   * server side pointless, so it is destroyed; the reverse is not true (the client may
   * still be flushing the server's last bytes), and client timeouts bound that wait.
   */
  /** The session phase for the termination state: Q queue, C connect, D data. */
  private phaseLetter(): string {
    if (this.waiting) return 'Q';
    if (this.connectTimer || this.srv?.connecting || (this.srv === null && this.server !== null && this.srvEnds === null)) return 'C';
    return 'D';
  }

  private maybeEnd(): void {
    if (this.ended || !this.cliClosed) return;
    if (this.waiting || this.connectTimer) this.setTerm(`C${this.phaseLetter()}`);
    if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
    if (this.waiting) { this.backend!.cancel(this.waiting); this.waiting = null; }
    if (this.srv) {
      this.srv.destroy();
      return;
    }
    this.ended = true;
    recordTxn(this.tm, performance.now(), this.owner.feCounters, this.backend?.counters ?? null, this.server?.counters ?? null);
    if (this.lg) {
      const rec = this.lg.finish(this.owner.logSource, this.cli, this.backend, this.server, this.srvEnds, this.term, Math.max(0, this.attempts - 1), this.redispatched);
      this.owner.accessLog!.write(rec);
    }
    if (this.slot) { this.backend!.release(this.slot); this.slot = null; }
    this.owner.feCounters.scur--;
    if (this.backend) this.backend.counters.scur--;
    this.owner.onEnd(this);
  }
}
