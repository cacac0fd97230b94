/**
 * One client connection in `mode http`: a sequence of HTTP/1.1 transactions over
 * keep-alive, each parsed strictly (src/lb/http), load-balanced on its own, forwarded,
 * and answered in order.
 *
 * A transaction:
 *   1. head phase — client bytes are collected (bounded by the head limit) until the
 *      request head parses. `timeout http-request` bounds this phase (a slowloris gets
 *      408); between requests `timeout http-keep-alive` bounds the idle wait. A request
 *      the parser refuses gets its error response and the connection closes: the server
 *      never sees a byte of it.
 *   2. the backend assigns a server slot for this request (backend.ts) — at once or after
 *      a wait in a queue bounded by `timeout queue` (503 when it expires); the slot is
 *      held until the transaction ends. A connection this session already
 *      holds to that server is reused if idle (session-private reuse, HAProxy's
 *      `http-reuse safe` for the first request), else a new one is opened with the same
 *      retry/redispatch rules as TCP mode. The head is re-serialised (hop-by-hop fields
 *      removed) and the body forwarded per its framing (Content-Length or validated
 *      chunked). Bytes after the request (pipelining) wait until the response is done.
 *   3. the response head is parsed (1xx are forwarded and the wait goes on), sent with
 *      `connection: close` when the client connection will end, and its body forwarded
 *      per framing (length, chunked, until-close, none, or a tunnel after 101/CONNECT).
 *   4. when both directions are done, the next request is read — or the connection ends.
 * Failures map to HAProxy's statuses: no server or connect failure 503, server gone or
 * invalid response 502, `timeout server` before the response 504.
 */
import net from 'node:net';
import type { Backend } from './backend.ts';
import type { Server } from './server.ts';
import { countStatus, sessionStart, type Counters } from './counters.ts';
import { BUFSIZE, type Inbound } from './fast-io.ts';
import { Deadline } from './deadline.ts';
import { shouldRedispatch, turnaroundMs } from './server-conn.ts';
import { ServerConn, type ConnUser } from './server-pool.ts';
import type { QueueEntry, Waiter } from './queue.ts';
import type { HttpPickView, PickRequest } from '../algo/types.ts';
import { EditedPickView, RequestPickView } from '../http/pick-view.ts';
import { HeadEdits } from '../http/head-edits.ts';
import { requestView, responseView, editedRequestView, editedResponseView, type SampleContext } from '../acl/index.ts';
import type { StreamSampleContext } from './sample-context.ts';
import { runRequestRules, runResponseRules } from '../rules/http-request.ts';
import type { HttpRequestRule, RuleContext } from '../rules/types.ts';
import { runTcpRules } from '../rules/tcp-rules.ts';
import { rewriteGenerated, runAfterRules, type AfterRules } from '../rules/after-response.ts';
import { TxnState, dechunk } from './txn-state.ts';
import type { TcpRule } from '../config/sections/tcp-request.ts';
import { observe, observeHttpStatus } from '../check/observe.ts';
import { TxnLog, type AccessLogSink, type LogSource, type PlainEnds } from './txn-log.ts';
import { recordTxn, TxnTimes } from './latency.ts';
import { statsMatches, statsResponse } from '../stats/service.ts';
import { serviceResponse } from '../stats/prometheus-service.ts';
import { readPersistCookie, responseCookie, type PersistCookie } from '../http/cookie-persist.ts';
import { stickDispatch, type StickStores } from '../stick/persist.ts';
import { parseRequestHead, parseResponseHead } from '../http/h1-parse.ts';
import { writeRequestHead, writeResponseHead } from '../http/h1-write.ts';
import { writeOut } from './direct-write.ts';
import { silentDrop } from './silent-drop.ts';
import { ChunkedScanner } from '../http/chunked.ts';
import { errorKeepsConnection, errorResponse, withConnection } from '../http/errors.ts';
import { forwardedForLine, rfc7239Line } from '../http/forwarded.ts';
import type { ForwardFor } from '../config/types.ts';
import { DEFAULT_LIMITS, type BodyFraming, type RequestHead } from '../http/types.ts';
import { captureError } from './error-capture.ts';
import { performance } from 'node:perf_hooks';

export interface HttpOwner {
  readonly feCounters: Counters;
  /** The frontend's `option http-keep-alive|http-server-close|httpclose`. */
  readonly httpConnMode: 'keep-alive' | 'server-close' | 'close';
  /** The frontend's `errorfile`s. */
  readonly errorfiles: Record<number, Buffer>;
  /** The frontend's `option forwardfor` and `option originalto`. */
  readonly forwardfor: ForwardFor | null;
  readonly originalto: ForwardFor | null;
  readonly clientTimeout: number;
  readonly httpRequestTimeout: number;
  readonly httpKeepAliveTimeout: number;
  /** The frontend's access log (null: no `log`), and what records are built from. */
  readonly accessLog: AccessLogSink | null;
  readonly logSource: LogSource;
  /** The frontend's `http-request` rules and configuration. */
  readonly httpRequestRules: readonly HttpRequestRule[];
  readonly proxyCfg: import('../config/types.ts').ProxyConfig;
  /** default_backend, and the use_backend rules choosing among backends per request. */
  readonly backend: Backend | null;
  readonly routes: readonly unknown[];
  pickBackend(ctx: SampleContext | null): Backend | null;
  sampleContext(sock: net.Socket): StreamSampleContext | null;
  onEnd(stream: HttpStream): void;
}


type ConnMode = HttpOwner['httpConnMode'];
const CONN_MODE_RANK: Record<ConnMode, number> = { 'keep-alive': 0, 'server-close': 1, close: 2 };

function connModeOf(fe: ConnMode, be: ConnMode | undefined): ConnMode {
  return be !== undefined && CONN_MODE_RANK[be] > CONN_MODE_RANK[fe] ? be : fe;
}
const EMPTY = Buffer.alloc(0);
const NO_LINES: string[] = [];
const CONN_CLOSE = ['connection: close'];
/** How long a draining connection may stay idle before it is closed (softStop()). */
const DRAIN_IDLE_MS = 1000;
const CONN_KEEP_ALIVE = ['connection: keep-alive'];
const NO_RULES: readonly HttpRequestRule[] = [];

type Phase = 'head' | 'forwarding' | 'tunnel' | 'closing';

/** Closes a server connection without telling its user (who gave it up). */
function destroyConn(c: ServerConn): void {
  c.user = null;
  c.sock.destroy();
}

export class HttpStream implements Waiter, PickRequest, ConnUser {
  readonly cli: net.Socket;
  /** The backend of the current request (use_backend may choose another per request). */
  backend: Backend | null;
  private readonly owner: HttpOwner;
  /** What conditions and log-format values read (null when this frontend has none). */
  private readonly sc: StreamSampleContext | null;
  private readonly fast: boolean;
  private phase: Phase = 'head';
  /** Client bytes read but not consumed yet (a partial head, or pipelined requests). */
  private pending: Buffer = EMPTY;
  private req: RequestHead | null = null;
  private reqLeft = 0;
  private reqScanner: ChunkedScanner | null = null;
  private reqDone = false;
  /** Bytes at the start of `pending` already accounted to the body at parse time. */
  private preTaken = 0;
  /**
   * `retry-on` beyond conn-failure: a copy of the request as sent (head and body, at most
   * one buffer), to send again after an empty, junk, timed-out or listed-status
   * response; null when not retryable. `resend` is the copy while a retry is under way.
   */
  private copy: Buffer[] | null = null;
  private copyLen = 0;
  private resend: Buffer | null = null;
  /** Access-log timing of the current transaction (null when the frontend does not log). */
  private readonly lg: TxnLog | null;
  /** Latency of the current transaction, for the stats histograms (latency.ts); always on. */
  private readonly tm = new TxnTimes();
  /** The current transaction was logged (at most one line each). */
  private logged = false;
  private redispatched = false;
  /** Termination state of a transaction answered with a generated error and kept alive. */
  private failTerm = '--';
  private connectTimedOut = false;
  private srvEnds: PlainEnds | null = null;
  /** Rewrites requested by http-request rules for the current request (null: no rules ran). */
  private headEdits: HeadEdits | null = null;
  /** Body of a request for a service answered by the proxy (statistics page); null otherwise. */
  private applet: Buffer[] | null = null;
  private appletCfg: import('../stats/config.ts').StatsConfig | null = null;
  /** `http-request use-service NAME`: the service answering instead of the stats page. */
  private appletService: import('../rules/types.ts').ServiceName | null = null;
  private appletLen = 0;
  /** An interim (1xx) response reached the client: the request can no longer be retried. */
  private interimSent = false;
  private respStarted = false;
  private respDone = false;
  private respFraming: BodyFraming = { kind: 'none' };
  private respLeft = 0;
  private respScanner: ChunkedScanner | null = null;
  private respBuf: Buffer = EMPTY;
  private closeAfter = false;
  /** Soft stop (softStop()): no new transaction beyond the one answered with `connection: close`. */
  private draining = false;
  /** The server connection of the current transaction. */
  private conn: ServerConn | null = null;
  /** The connection this session used last, now pooled: preferred for its next request. */
  private lastConn: ServerConn | null = null;
  /** `http-reuse never`: idle connections private to this session, one per server. */
  private readonly privateIdle = new Map<Server, ServerConn>();
  server: Server | null = null;
  /** The server whose slot the current transaction holds (released exactly once). */
  private slot: Server | null = null;
  private waiting: QueueEntry | null = null;
  /** PickRequest view of the current request, built only if an algorithm asks. */
  private pickView: HttpPickView | null = null;
  /** The request's persistence cookie (`cookie` in the backend), and the server it chose. */
  private persist: PersistCookie | null = null;
  /** Entries `stick` rules will record the answering server in (null: none). */
  private stick: StickStores | null = null;
  private directTo: Server | null = null;
  /** Retries used by the current transaction (connection failures and retry-on). */
  private attempts = 0;
  /** The HTTP phase's timer (http-request, http-keep-alive, tarpit), see arm(). */
  private readonly phaseTimer = new Deadline(() => { const f = this.timerFn; this.timerFn = null; f?.(); });
  private timerFn: (() => void) | null = null;
  /** `timeout client` (or `timeout tunnel`): inactivity on the client side, pushed back by its reads and writes. */
  private readonly cliIdle = new Deadline(() => this.abort(this.phase === 'head' ? 'cR' : 'cD'));
  private cliIdleMs = 0;
  private connectTimer: NodeJS.Timeout | null = null;
  private cliClosed = false;
  private ended = false;
  private transactions = 0;
  private cliBlocked = false;
  /** Reading paused because too many pipelined bytes wait in `pending`. */
  private cliHeld = false;
  private srvBlocked = false;
  /** The server said it closes (or the body is close-delimited): don't reuse it. */
  private closeAfterServer = false;
  /** Captures, set-log-level and set-timeout of the current transaction (txn-state.ts). */
  private readonly tx: TxnState;
  /**
   * wait-for-body / option http-buffer-request: where the request's processing resumes
   * (processRequest step, rule index) once the body is here, and what is enough.
   */
  private bodyWait: { step: number; from: number; atLeast: number } | null = null;
  private bodyTimer: NodeJS.Timeout | null = null;
  /** The body as req.body sees it after a wait (de-chunked copy); null: not waited for. */
  private bodyCopy: Buffer | null = null;

  constructor(cli: net.Socket, inbound: Inbound | null, owner: HttpOwner, backend: Backend | null) {
    this.cli = cli;
    this.owner = owner;
    this.backend = backend;
    this.fast = inbound !== null;
    this.lg = owner.accessLog ? new TxnLog(cli) : null;
    this.sc = owner.sampleContext(cli);
    this.tx = new TxnState(owner.proxyCfg.captures);
    this.tx.onTimeout = (which) => { if (which === 'server' && this.conn?.connected) this.serverTimeoutHook(this.conn); };
    sessionStart(owner.feCounters);
    cli.setNoDelay(true);
    this.cliIdleMs = owner.clientTimeout;
    this.cliIdle.set(this.cliIdleMs);
    cli.on('error', () => this.abort(this.phase === 'head' ? 'CR' : 'CD'));
    cli.on('close', () => { this.cliClosed = true; this.finish(); });
    cli.on('end', () => this.onClientEnd());
    cli.on('drain', () => {
      this.cliIdle.set(this.cliIdleMs);
      if (this.srvBlocked) { this.srvBlocked = false; this.conn?.sock.resume(); }
    });
    if (inbound) inbound.onChunk = this.onClientData;
    else cli.on('data', this.onClientData);
    this.waitForRequest();
    cli.resume();
  }

  /**
   * Soft stop (reload, SIGUSR1): the next response says `connection: close` and the
   * connection ends after it. A connection idle between requests is closed after
   * DRAIN_IDLE_MS, not at once: the client may have a request on the wire already, and a
   * close would lose it; if one comes, it is answered (with close) instead. A response
   * whose head already promised keep-alive is followed by one more such wait.
   */
  softStop(): void {
    if (this.draining) return;
    this.draining = true;
    if (this.phase === 'head' && this.transactions > 0 && this.pending.length === 0) {
      this.arm(DRAIN_IDLE_MS, () => this.cli.end());
    }
  }

  // ---- timers -------------------------------------------------------------------

  /** Runs `fn` in `ms` unless re-armed or disarmed first (one lazy timer per connection: deadline.ts). */
  private arm(ms: number, fn: () => void): void {
    this.timerFn = ms > 0 ? fn : null;
    this.phaseTimer.set(ms, this.clock());
  }

  private disarm(): void {
    this.timerFn = null;
    this.phaseTimer.clear();
  }

  /** Enters the head phase: the first request gets http-request, later ones keep-alive. */
  private waitForRequest(): void {
    this.phase = 'head';
    if (this.lg && this.transactions > 0) { this.lg.reset(this.clock()); this.logged = false; }
    this.failTerm = '--';
    this.req = null;
    this.reqDone = false;
    this.respStarted = false;
    this.respDone = false;
    this.respBuf = EMPTY;
    const o = this.owner;
    if (this.transactions === 0 || this.pending.length > 0) {
      this.arm(o.httpRequestTimeout || o.clientTimeout, this.requestTimedOut);
    } else {
      // Idle between requests: close quietly when the keep-alive wait ends (soon when draining).
      const wait = o.httpKeepAliveTimeout || o.httpRequestTimeout || o.clientTimeout;
      this.arm(this.draining ? Math.min(wait, DRAIN_IDLE_MS) : wait, () => this.cli.end());
    }
    if (this.pending.length > 0) this.tryRequest();
  }

  // ---- client side --------------------------------------------------------------

  /**
   * performance.now() at the start of the I/O event being handled (0 between events):
   * one clock read serves the timers and latency marks of a whole event. Only the two
   * read handlers set it; everything else goes through clock().
   */
  private evNow = 0;

  private clock(): number {
    return this.evNow || performance.now();
  }

  private readonly onClientData = (chunk: Buffer): void => {
    this.evNow = performance.now();
    try {
      this.clientData(chunk);
    } finally {
      this.evNow = 0;
    }
  };

  private clientData(chunk: Buffer): void {
    const n = chunk.length;
    this.owner.feCounters.bin += n;
    this.cliIdle.set(this.cliIdleMs, this.evNow);
    if (this.lg) { this.lg.bytesIn += n; if (this.phase === 'head') this.lg.requestStarts(this.clock()); }
    switch (this.phase) {
      case 'head': {
        const first = this.pending.length === 0 && this.transactions > 0;
        this.keep(chunk);
        if (first) this.arm(this.owner.httpRequestTimeout || this.owner.clientTimeout, this.requestTimedOut);
        this.tryRequest();
        return;
      }
      case 'forwarding':
        if (this.bodyWait !== null) { this.keep(chunk); this.bodyMore(); return; }
        if (this.applet !== null && !this.reqDone) { this.appletBody(chunk); return; }
        if (!this.reqDone && this.conn !== null && this.conn.connected) { this.forwardRequestBody(chunk); return; }
        // Pipelined bytes (or body bytes before the server is ready): keep them, stop reading.
        this.keep(chunk);
        if (this.pending.length > DEFAULT_LIMITS.maxHeadBytes) { this.cliHeld = true; this.cli.pause(); }
        return;
      case 'tunnel':
        this.toServer(chunk);
        return;
      case 'closing':
        return;
    }
  }

  /** Appends client bytes to `pending`, copying: chunks may be views of a read buffer. */
  private keep(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
  }

  private onClientEnd(): void {
    if (this.phase === 'tunnel') { this.conn?.sock.end(); return; }
    if (this.phase === 'head' && this.pending.length === 0) {
      if (this.transactions === 0) this.sc?.stick?.closedBeforeRequest();
      this.cli.end();
      return;
    }
    // The client stopped sending mid-transaction: finish the response, then close —
    // unless `option abortonclose` drops a request not answered yet (queued or sent).
    if (this.phase === 'forwarding' && !this.respStarted && this.backend?.cfg.options.abortonclose) {
      this.backend.counters.cli_abrt++;
      this.abort(this.waiting ? 'CQ' : 'CH');
      return;
    }
    this.closeAfter = true;
    // Part of a head, then the end: a request and an error on the stick counters (HAProxy).
    if (this.phase === 'head') { this.sc?.stick?.newRequest(); this.fail(400, 'CR'); }
  }

  private tryRequest(): void {
    const r = parseRequestHead(this.pending);
    if (r.state === 'incomplete') return;
    if (r.state === 'error') {
      this.owner.feCounters.ereq++;
      captureError('request', this.owner.proxyCfg, null, null, this.cli, this.pending, r.error);
      if (this.lg) this.lg.requestLine = '<BADREQ>';
      this.sc?.stick?.newRequest(); // HAProxy counts a refused request as a request and an error
      this.fail(r.error.status, 'PR');
      return;
    }
    this.disarm();
    const head = r.head;
    this.req = head;
    if (this.lg) {
      const lg = this.lg;
      lg.tHead = this.clock();
      lg.requestStarts(lg.tHead);
      lg.method = head.method;
      lg.uri = head.target;
      lg.version = head.minor === 0 ? 'HTTP/1.0' : 'HTTP/1.1';
      // lg.requestLine stays '': the log joins the three parts only if a printer asks (record.ts requestLine()).
    }
    this.transactions++;
    this.tm.begin(this.clock());
    this.owner.feCounters.req_tot++;
    this.phase = 'forwarding';
    // Server side: the stricter of the frontend's and backend's modes. Client side: only
    // the frontend's httpclose closes it (HAProxy 2.6 keeps the client alive when only
    // the backend has httpclose).
    const feMode = this.owner.httpConnMode;
    if (head.close || feMode === 'close') this.closeAfter = true;
    this.serverClose = connModeOf(feMode, this.backend?.cfg.options.httpConnMode) !== 'keep-alive';
    this.reqScanner = head.framing.kind === 'chunked' ? new ChunkedScanner() : null;
    this.reqLeft = head.framing.kind === 'length' ? head.framing.length : 0;
    this.reqDone = head.framing.kind === 'none';
    // Keep only what follows the head (body or pipelined requests); copy so the head's
    // buffer can be referenced safely by the serializer.
    this.pending = head.end < this.pending.length ? Buffer.from(this.pending.subarray(head.end)) : EMPTY;
    // The client is not paused here: toggling reads costs two epoll changes per request.
    // Bytes that arrive meanwhile are kept in `pending`, which is bounded (onClientData).
    // Body bytes that came with the head are checked now, before any server is chosen:
    // a malformed chunked body sent in one piece never reaches a server.
    this.preTaken = 0;
    if (this.pending.length > 0 && !this.reqDone) {
      const take = this.consumeRequestBody(this.pending);
      if (take < 0) return;
      this.preTaken = take;
    }
    this.headEdits = null;
    this.bodyCopy = null;
    this.tx.reset();
    const sc = this.sc;
    if (sc) { sc.newTransaction(); sc.req = requestView(head, this.bodyOf); sc.res = null; sc.serverName = null; sc.useBackend(this.owner.backend); }
    // Stick counters: the last request's http-request trackers end, the session's count this one.
    sc?.stick?.newRequest();
    if (this.owner.proxyCfg.captures.request.length > 0) this.tx.captureHeaders('request', sc?.req ?? requestView(head));
    const monitor = this.owner.proxyCfg.monitorUri;
    if (monitor !== undefined && head.target === monitor) {
      // `monitor fail if COND`: report the site down (503) while a condition holds.
      const failing = this.owner.proxyCfg.monitorFail.some((c) => sc !== null && c.test(sc));
      this.answerLocally(errorResponse(failing ? 503 : 200, this.closeAfter ? 'close' : head.minor === 0 ? 'keep-alive-1.0' : 'keep-alive'));
      return;
    }
    this.processRequest(0, 0);
  }

  /**
   * The request after its head, in HAProxy's order: the frontend's body wait (option
   * http-buffer-request), tcp-request content rules and http-request rules; the backend
   * choice (use_backend); the backend's body wait, content and http-request rules; then
   * a service or a server. A wait for the body stops here and resumes at (step, from).
   */
  private processRequest(step: number, from: number): void {
    const head = this.req!;
    const sc = this.sc;
    const fe = this.owner.proxyCfg;
    if (step <= 0 && fe.options.httpBufferRequest && this.waitBody(1, 0, this.owner.httpRequestTimeout || this.owner.clientTimeout, 0)) return;
    if (step <= 1 && fe.tcpContentRules.length > 0 && !this.runContentRules(fe.tcpContentRules)) return;
    if (step <= 2 && this.owner.httpRequestRules.length > 0 && !this.runRules(head, this.owner.httpRequestRules, 2, step === 2 ? from : 0)) return;
    if (step <= 3) {
      this.backend = this.owner.routes.length > 0 ? this.owner.pickBackend(sc) : this.owner.backend;
      if (sc && this.backend !== this.owner.backend) sc.useBackend(this.backend);
    }
    const be0 = this.backend;
    const beOwn = be0 !== null && be0.cfg !== fe ? be0.cfg : null;
    if (step <= 4 && beOwn?.options.httpBufferRequest && !fe.options.httpBufferRequest && this.waitBody(5, 0, beOwn.timeouts['http-request'] ?? this.owner.httpRequestTimeout ?? 0, 0)) return;
    if (step <= 5 && beOwn && beOwn.tcpContentRules.length > 0 && !this.runContentRules(beOwn.tcpContentRules)) return;
    if (step <= 6 && beOwn && beOwn.httpRequestRules.length > 0 && !this.runRules(head, beOwn.httpRequestRules, 6, step === 6 ? from : 0)) return;
    // The statistics page: the frontend's `stats` (HAProxy's `frontend stats` setup), else the backend's.
    const stats = this.owner.proxyCfg.stats ?? this.backend?.cfg.stats ?? null;
    if (stats && statsMatches(stats, head.target)) { this.appletCfg = stats; this.appletService = null; this.startApplet(); return; }
    if (!this.backend) { this.fail(503, 'SC'); return; }
    const ro = this.backend.cfg.retryOn;
    const l7 = ro.emptyResponse || ro.junkResponse || ro.responseTimeout || ro.statuses.length > 0;
    this.copy = l7 && !head.upgrade && head.method !== 'CONNECT' ? [] : null;
    this.copyLen = 0;
    this.resend = null;
    this.interimSent = false;
    this.attempts = 0;
    this.redispatched = false;
    this.dispatch();
  }

  get srcAddr(): string {
    return this.cli.remoteAddress ?? '';
  }

  get http(): HttpPickView | null {
    if (this.req === null) return null;
    const he = this.headEdits;
    return (this.pickView ??= he !== null && !he.empty ? new EditedPickView(this.req, he) : new RequestPickView(this.req));
  }

  /** Gets a server slot for the current request, now or from a queue. */
  private dispatch(avoid?: Server): void {
    const be = this.backend!;
    this.releaseSlot();
    this.pickView = null;
    let a = null;
    if (avoid === undefined) this.persist = null; // a new request: no cookie edits carried over
    // use-server: the first rule whose condition holds names the server (if it can take traffic).
    if (avoid === undefined && be.cfg.useServers.length > 0 && this.sc) {
      const rule = be.cfg.useServers.find((u) => u.cond.test(this.sc!));
      const target = rule ? be.servers.find((s) => s.name === rule.name) : undefined;
      if (target) a = be.assignDirect(target, this);
    }
    const ck = be.cfg.cookie;
    if (ck && avoid === undefined && a === null) {
      this.persist = readPersistCookie(this.req!, ck);
      // ignore-persist: the cookie is not looked at; force-persist: honoured even when its
      // server is down (HAProxy: not in maintenance).
      const persistRules = be.cfg.persistRules;
      const rule = persistRules.length > 0 && this.sc ? persistRules.find((r) => r.cond.test(this.sc!)) : undefined;
      const target = this.persist && rule?.kind !== 'ignore' ? be.serverByCookie(this.persist.value) : null;
      a = target ? be.assignDirect(target, this, rule?.kind === 'force') : null;
      this.directTo = a ? target : null;
    } else {
      this.directTo = null;
    }
    // stick match / store-request (src/lb/stick/persist.ts): after use-server and the cookie, as HAProxy.
    if (avoid === undefined) {
      if (be.cfg.stickRules.length > 0) ({ stick: this.stick, a } = stickDispatch(be, this.sc, this, a));
      else this.stick = null;
    }
    a ??= be.assign(this, this, avoid);
    if (a.kind === 'queued') {
      this.waiting = a.entry;
      if (this.lg) {
        this.lg.tQueued = this.clock();
        const q = a.entry.owner!;
        if (q === be.queue) this.lg.bq = q.length - 1;
        else this.lg.sq = q.length - 1;
      }
      return;
    }
    if (a.kind !== 'server') { this.fail(503, a.kind === 'full' ? 'sQ' : 'SC'); return; }
    this.granted(a.server);
  }

  /** Waiter: `timeout queue` expired (HAProxy answers 503). */
  expired(): void {
    this.waiting = null;
    this.fail(503, 'sQ');
  }

  private releaseSlot(): void {
    if (this.waiting) { this.backend!.cancel(this.waiting); this.waiting = null; }
    if (this.slot) { const s = this.slot; this.slot = null; this.backend!.release(s); }
  }

  /** Waiter: a slot on `server` is ours; use an idle connection to it or open one. */
  granted(server: Server): void {
    const be = this.backend!;
    this.tm.queue = this.waiting ? performance.now() - this.waiting.since : 0;
    this.waiting = null;
    this.slot = server;
    if (this.phase !== 'forwarding') { this.releaseSlot(); return; }
    this.server = server;
    if (this.lg) this.lg.tGranted = this.clock();
    const conn = this.idleConnTo(server);
    if (conn) {
      this.conn = conn;
      if (this.lg) this.lg.reused = true;
      be.counters.reuse++;
      server.counters.reuse++;
      this.sendRequest();
      return;
    }
    this.connect();
  }

  /** An idle connection to `server` this request may use (server-pool.ts), or null. */
  private idleConnTo(server: Server): ServerConn | null {
    const mode = this.backend!.cfg.httpReuse;
    const own = this.privateIdle.get(server);
    if (own) {
      this.privateIdle.delete(server);
      if (own.usable) return own;
      destroyConn(own);
    }
    if (mode === 'never') return null;
    for (;;) {
      const c = server.pool.take(this, this.lastConn, mode, this.transactions === 1);
      if (c === null || c.usable) return c;
      destroyConn(c);
    }
  }

  private connect(): void {
    const be = this.backend!;
    const server = this.server!;
    const conn = new ServerConn(server, this.cli.localPort ?? 0, this.fast, this);
    this.conn = conn;
    this.connectTimedOut = false;
    if (this.lg) { this.lg.tConnStart = this.clock(); this.lg.reused = false; }
    this.tm.connStart = performance.now();
    const tConnect = be.cfg.timeouts.connect ?? 0;
    if (tConnect > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = null;
        conn.user = null;
        conn.sock.destroy();
        this.connectTimedOut = true;
        this.connectFailed(conn);
      }, tConnect);
    }
    conn.sock.once('connect', () => {
      if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
      conn.connected = true;
      this.tm.connect = performance.now() - this.tm.connStart;
      if (this.lg) this.lg.tConnected = this.clock();
      observe(server, 'l4-ok');
      conn.setIdleTimeout(be.cfg.timeouts.server ?? 0);
      be.counters.connect++;
      server.counters.connect++;
      if (this.conn === conn) this.sendRequest();
    });
  }

  // ---- events of the server connection in use (ConnUser) -------------------------
  // A connection this session keeps privately (http-reuse never) also reports here;
  // it is idle, so anything it says closes it.

  onConnData(conn: ServerConn, chunk: Buffer, now: number): void {
    if (conn !== this.conn) { destroyConn(conn); return; }
    this.evNow = now;
    try {
      this.onServerData(chunk);
    } finally {
      this.evNow = 0;
    }
  }

  onConnEnd(conn: ServerConn): void {
    if (conn === this.conn) this.onServerEnd();
    else destroyConn(conn);
  }

  onConnGone(conn: ServerConn): void {
    if (conn !== this.conn) {
      if (this.privateIdle.get(conn.server) === conn) this.privateIdle.delete(conn.server);
      return;
    }
    if (!conn.connected) {
      if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
      this.connectFailed(conn);
      return;
    }
    this.conn = null;
    this.serverGone();
  }

  onConnDrain(conn: ServerConn): void {
    if (conn === this.conn && this.cliBlocked) { this.cliBlocked = false; this.cli.resume(); }
  }

  onConnTimeout(conn: ServerConn): void {
    if (conn === this.conn) this.serverTimeout();
    else destroyConn(conn);
  }

  private connectFailed(conn: ServerConn): void {
    if (this.conn !== conn) return;
    const be = this.backend!;
    const server = this.server!;
    server.counters.econ++;
    be.counters.econ++;
    observe(server, 'l4-fail');
    this.conn = null;
    if (this.cli.destroyed) { this.finish(); return; }
    const n = be.cfg.retryOn.connFailure ? this.nextTry() : null;
    if (n === null) { this.fail(503, this.connectTimedOut ? 'sC' : 'SC'); return; }
    server.counters.wretr++;
    be.counters.wretr++;
    if (shouldRedispatch(be, n)) {
      be.counters.wredis++;
      server.counters.wredis++;
      this.redispatched = true;
      this.server = null;
      this.dispatch(server);
      return;
    }
    const delay = turnaroundMs(be);
    this.connectTimer = setTimeout(() => { this.connectTimer = null; if (!this.cli.destroyed) this.connect(); else this.finish(); }, delay);
  }

  private sendRequest(): void {
    const be = this.backend!;
    const req = this.req!;
    this.conn!.requests++;
    this.serverTimeoutHook(this.conn!);
    this.tm.sent = this.clock();
    if (this.lg) {
      this.lg.tSent = this.tm.sent;
      this.srvEnds = this.conn!.ends();
    }
    // In HTTP mode each request is one backend/server stream (HAProxy counts them so).
    be.counters.req_tot++;
    be.counters.stot++;
    this.server!.counters.req_tot++;
    this.server!.counters.stot++;
    if (this.resend) {
      const again = this.resend;
      this.resend = null;
      this.toServer(again);
      return;
    }
    const extra: string[] = [];
    // unique-id-header: the request's id (made now if nothing asked for it yet), first as in HAProxy.
    const uidName = this.owner.proxyCfg.log.uniqueIdHeader;
    const uid = uidName && this.sc ? this.sc.uniqueId() : null;
    if (uid !== null) extra.push(`${uidName.toLowerCase()}: ${uid}`);
    const ff = forwardedForLine(this.owner.forwardfor, be.cfg.options.forwardfor, req, this.cli.remoteAddress);
    if (ff !== null) extra.push(ff);
    const ot = forwardedForLine(this.owner.originalto, be.cfg.options.originalto, req, this.cli.localAddress);
    if (ot !== null) extra.push(ot);
    const fw = rfc7239Line(be.cfg.options.forwarded, req, this.cli);
    if (fw !== null) extra.push(fw);
    if (this.serverClose) extra.push('connection: close');
    // An HTTP/1.0 request is forwarded as 1.0: ask the server to keep the connection.
    else if (req.minor === 0) extra.push('connection: keep-alive');
    let edits: ReadonlyMap<number, string | null> | null = this.persist !== null && this.persist.edits.size > 0 ? this.persist.edits : null;
    const he = this.headEdits;
    let head: Buffer;
    if (he !== null && !he.empty) {
      if (edits !== null) edits = new Map([...edits, ...he.fields]);
      else edits = he.fields;
      head = writeRequestHead(req, [...he.addedLines(), ...extra], edits, he.method, he.target);
    } else {
      head = writeRequestHead(req, extra, edits);
    }
    if (req.upgrade || req.method === 'CONNECT') {
      // Bytes after the head belong to the other protocol once the server agrees.
      this.reqDone = true;
      this.toServer(head);
      return;
    }
    const body = this.pending;
    this.pending = EMPTY;
    // preTaken bytes were validated at parse time; what arrived since is validated now.
    let take = this.preTaken;
    this.preTaken = 0;
    if (!this.reqDone && body.length > take) {
      const more = this.consumeRequestBody(body.subarray(take));
      if (more < 0) return;
      take += more;
    }
    // Head and the body bytes already here leave in one write (one syscall).
    const first = take > 0 ? Buffer.concat([head, body.subarray(0, take)]) : head;
    this.record(first);
    this.toServer(first);
    if (take < body.length) this.pending = body.subarray(take);
    this.afterRequestBytes();
  }

  /**
   * Takes one retry from the transaction's budget (`retries`, shared by connection
   * failures and retry-on): its 1-based number, or null when none is left.
   */
  private nextTry(): number | null {
    if (this.attempts >= this.backend!.cfg.retries) return null;
    return ++this.attempts;
  }

  // ---- http-request rules (src/lb/rules) -----------------------------------------

  /**
   * Runs one list of `http-request` rules from rule `from`; false when a rule answered or
   * ended the transaction, or a wait-for-body paused it (processRequest resumes at `step`).
   */
  /** After a rule rewrote the request: conditions and samples of the next rules see the rewrite. */
  private readonly refreshReq = (): void => {
    const sc = this.sc;
    if (sc?.req && this.headEdits) sc.req = editedRequestView(sc.req, this.headEdits);
  };

  private runRules(head: RequestHead, rules: readonly HttpRequestRule[], step = 0, from = 0): boolean {
    const edits = (this.headEdits ??= new HeadEdits(head));
    const ctx: RuleContext = { edits, method: head.method, target: head.target, minor: head.minor, sample: this.sc, txn: this.tx, refresh: this.sc ? this.refreshReq : undefined };
    const v = runRequestRules(rules, ctx, from);
    switch (v.kind) {
      case 'continue':
        return true;
      case 'wait-body':
        if (this.waitBody(step, v.next, v.time, v.atLeast)) return false;
        return this.phase === 'forwarding' && this.runRules(head, rules, step, v.next);
      case 'reject':
        this.owner.feCounters.dreq++;
        this.abort('PR', v.silent === true);
        return false;
      case 'error':
        this.owner.feCounters.dreq++;
        if (!this.reqDone) this.closeAfter = true;
        this.fail(v.status, 'PR');
        return false;
      case 'tarpit': {
        this.owner.feCounters.dreq++;
        // Hold the client for `timeout tarpit` (default `timeout connect`), then answer. As
        // HAProxy 2.6 does, a complete request keeps its connection (the answer has no
        // `connection: close`): an abusive keep-alive client is held again on its next request.
        const be = this.backend?.cfg ?? this.owner.proxyCfg;
        const ms = be.timeouts.tarpit ?? this.owner.proxyCfg.timeouts.tarpit ?? be.timeouts.connect ?? 0;
        if (!this.reqDone) this.closeAfter = true;
        if (ms > 0) this.arm(ms, () => this.fail(v.status, 'PT'));
        else this.fail(v.status, 'PT');
        return false;
      }
      case 'respond':
        if (v.close) this.closeAfter = true;
        this.answerLocally(v.response);
        return false;
      case 'service':
        this.appletCfg = null;
        this.appletService = v.service;
        this.startApplet();
        return false;
    }
  }

  /** `tcp-request content` rules on the parsed request (mode http): false when one rejected it. */
  private runContentRules(rules: readonly TcpRule[]): boolean {
    const v = this.sc ? runTcpRules(rules, this.sc, 0, this.tx) : null;
    if (v?.kind !== 'reject') return true;
    this.owner.feCounters.dreq++;
    this.abort('PR', v.silent === true);
    return false;
  }

  // ---- request body waits (wait-for-body, option http-buffer-request) -------------

  /** req.body: the body collected by a wait (null before: the fetch then answers empty). */
  private readonly bodyOf = (): Buffer | null => this.bodyCopy;

  /**
   * Waits until the whole body, `atLeast` bytes of it (when > 0) or a full buffer is
   * here, at most `time` ms (then 408). True when processing must stop here (waiting, or
   * the body turned out malformed and was answered); false to go on at once.
   */
  private waitBody(step: number, from: number, time: number, atLeast: number): boolean {
    const ready = this.bodyReady(atLeast);
    if (this.phase !== 'forwarding') return true;
    if (ready) return false;
    const req = this.req!;
    if (req.expectContinue && !this.interimSent) {
      // The client waits for our go-ahead before sending the body; the server will not see Expect.
      this.toClient(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1'));
      this.interimSent = true;
      (this.headEdits ??= new HeadEdits(req)).del('expect');
    }
    this.bodyWait = { step, from, atLeast };
    if (time > 0) {
      this.bodyTimer = setTimeout(() => {
        this.bodyTimer = null;
        if (this.bodyWait === null) return;
        this.bodyWait = null;
        this.closeAfter = true;
        this.fail(408, 'cD');
      }, time);
    }
    return true;
  }

  /** Validates body bytes that arrived; true when the wait is over (the body copy is then made). */
  private bodyReady(atLeast: number): boolean {
    if (!this.reqDone && this.pending.length > this.preTaken) {
      const more = this.consumeRequestBody(this.pending.subarray(this.preTaken));
      if (more < 0) return true;
      this.preTaken += more;
    }
    const raw = this.pending.subarray(0, this.preTaken);
    const body = this.req!.framing.kind === 'chunked' ? dechunk(raw) : raw;
    const ok = this.reqDone || (atLeast > 0 && body.length >= atLeast) || this.preTaken >= DEFAULT_LIMITS.maxHeadBytes;
    if (ok) this.bodyCopy = Buffer.from(body);
    return ok;
  }

  /** More client bytes while waiting for the body. */
  private bodyMore(): void {
    const w = this.bodyWait!;
    const ready = this.bodyReady(w.atLeast);
    if (!ready && this.phase === 'forwarding') return;
    this.bodyWait = null;
    if (this.bodyTimer) { clearTimeout(this.bodyTimer); this.bodyTimer = null; }
    if (this.phase === 'forwarding') this.processRequest(w.step, w.from);
  }

  // ---- http-after-response, captures, set-timeout --------------------------------

  /** The http-after-response lists that apply now (the backend's, then the frontend's), or null. */
  private afterRules(): AfterRules | null {
    const fe = this.owner.proxyCfg.httpAfterResponseRules;
    const beCfg = this.backend?.cfg;
    const be = beCfg && beCfg !== this.owner.proxyCfg ? beCfg.httpAfterResponseRules : NO_RULES;
    return fe.length > 0 || be.length > 0 ? { be, fe } : null;
  }

  /**
   * A response the proxy generated, through the http-after-response rules — except the
   * errors for a request that never parsed (400, 408 in the head phase), which HAProxy's
   * HTTP/1 layer sends without a stream, hence without rules.
   */
  private afterGenerated(buf: Buffer): Buffer {
    const req = this.req;
    if (req === null) return buf;
    const after = this.afterRules();
    if (after === null) return buf;
    const out = rewriteGenerated(buf, after, (edits, head) => {
      if (this.sc) this.sc.res = responseView(head);
      return { edits, method: req.method, target: req.target, minor: req.minor, sample: this.sc, txn: this.tx };
    }, () => { if (this.sc) this.sc.res = null; });
    if (out !== buf && this.lg) this.lg.status = Number(out.toString('latin1', 9, 12));
    return out;
  }

  /** `set-timeout server`: applied to the connection the request uses; a reused one gets its default back after. */
  private serverTimeoutHook(conn: ServerConn): void {
    const ms = this.tx.serverTimeout;
    if (ms === null && !conn.timeoutOverridden) return;
    conn.setIdleTimeout(ms ?? this.backend?.cfg.timeouts.server ?? 0);
    conn.timeoutOverridden = ms !== null;
  }

  /** Answers the current request with a response built by the proxy (rules, monitor-uri). */
  private answerLocally(response: Buffer): void {
    response = this.afterGenerated(response);
    if (!this.reqDone) this.closeAfter = true;
    const line = this.closeAfter ? 'connection: close' : this.req?.minor === 0 ? 'connection: keep-alive' : null;
    if (line !== null) response = withConnection(response, line);
    this.releaseSlot();
    const status = Number(response.toString('latin1', 9, 12));
    if (this.lg) this.lg.status = status;
    countStatus(this.owner.feCounters, status);
    this.sc?.stick?.status(status);
    this.toClient(response);
    this.respStarted = true;
    this.respDone = true;
    this.reqDone = true;
    this.failTerm = 'LR';
    this.maybeTransactionDone();
  }

  // ---- services answered by the proxy itself (the statistics page) ----------------

  /** The request is for a service: collect its body (at most one buffer), then answer. */
  private startApplet(): void {
    this.applet = [];
    this.appletLen = 0;
    const body = this.pending.subarray(0, this.preTaken);
    this.pending = this.pending.subarray(this.preTaken);
    this.preTaken = 0;
    if (body.length > 0) this.appletAdd(body);
    if (this.reqDone) this.answerApplet();
    else if (this.pending.length > 0) { const more = this.pending; this.pending = EMPTY; this.appletBody(more); }
  }

  private appletBody(chunk: Buffer): void {
    const take = this.consumeRequestBody(chunk);
    if (take < 0) return;
    if (take > 0 && !this.appletAdd(chunk.subarray(0, take))) return;
    if (take < chunk.length) this.keep(chunk.subarray(take));
    if (this.reqDone) this.answerApplet();
  }

  private appletAdd(bytes: Buffer): boolean {
    this.appletLen += bytes.length;
    if (this.appletLen > BUFSIZE) { this.fail(413, 'PR'); return false; }
    this.applet!.push(Buffer.from(bytes));
    return true;
  }

  private answerApplet(): void {
    const req = this.req!;
    const view = this.http!;
    const body = Buffer.concat(this.applet!);
    this.applet = null;
    // A service sees the request as the rules left it (set-path before use-service counts).
    const target = this.headEdits?.target ?? req.target;
    const answer = this.appletService !== null
      ? serviceResponse(this.appletService, this.owner.proxyCfg, req.method, target)
      : statsResponse({
        cfg: this.appletCfg!, method: req.method, target: req.target, body,
        header: (name) => view.header(name), clientAddr: this.srcAddr, sample: this.sc,
      });
    const send = (buf: Buffer): void => {
      if (this.phase !== 'forwarding' || this.ended) return;
      this.toClient(this.afterGenerated(buf));
      this.respDone = true;
      this.maybeTransactionDone();
    };
    if (answer instanceof Promise) answer.then(send, () => this.fail(500, 'PR'));
    else send(answer);
  }

  /** Keeps a copy of what was sent, for retry-on; a request over one buffer is not retried. */
  private record(bytes: Buffer): void {
    if (!this.copy) return;
    this.copyLen += bytes.length;
    if (this.copyLen > BUFSIZE) { this.copy = null; return; }
    this.copy.push(bytes);
  }

  /**
   * HAProxy's L7 retries: after `why` (and nothing sent to the client yet), sends the
   * request again — on another server when the redispatch rule says so, else on a new
   * connection to the same one after the turn-around — within `retries`. False when
   * `retry-on` does not cover it or the request cannot be replayed.
   */
  private retryRequest(why: 'empty' | 'junk' | 'timeout' | 'status'): boolean {
    const be = this.backend!;
    const ro = be.cfg.retryOn;
    const on = why === 'empty' ? ro.emptyResponse : why === 'junk' ? ro.junkResponse : why === 'timeout' ? ro.responseTimeout : true;
    if (!on || !this.copy || !this.reqDone || this.interimSent || this.respStarted || this.cli.destroyed) return false;
    const n = this.nextTry();
    if (n === null) return false;
    const server = this.server!;
    server.counters.wretr++;
    be.counters.wretr++;
    this.dropServer();
    this.respBuf = EMPTY;
    this.resend = Buffer.concat(this.copy);
    if (shouldRedispatch(be, n)) {
      be.counters.wredis++;
      server.counters.wredis++;
      this.redispatched = true;
      this.server = null;
      this.dispatch(server);
      return true;
    }
    this.connectTimer = setTimeout(() => { this.connectTimer = null; if (!this.cli.destroyed) this.connect(); else this.finish(); }, turnaroundMs(be));
    return true;
  }

  /** Forwards request body bytes from `chunk`; keeps what follows the body. */
  private forwardRequestBody(chunk: Buffer): void {
    const take = this.consumeRequestBody(chunk);
    if (take < 0) return;
    if (take > 0) {
      const part = take === chunk.length ? chunk : chunk.subarray(0, take);
      if (this.copy) this.record(Buffer.from(part)); // chunk is a view of the read buffer
      this.toServer(part);
    }
    if (take < chunk.length) {
      const rest = chunk.subarray(take);
      this.keep(rest);
    }
    this.afterRequestBytes();
  }

  /** Advances the request body framing over `chunk`: bytes that belong to the body, or -1 on error. */
  private consumeRequestBody(chunk: Buffer): number {
    if (this.reqScanner) {
      const p = this.reqScanner.feed(chunk);
      if (p.error) { this.owner.feCounters.ereq++; this.fail(400, 'PD'); return -1; }
      if (p.done) this.reqDone = true;
      return p.consumed;
    }
    const take = Math.min(this.reqLeft, chunk.length);
    this.reqLeft -= take;
    if (this.reqLeft === 0) this.reqDone = true;
    return take;
  }

  private afterRequestBytes(): void {
    if (this.reqDone) this.maybeTransactionDone();
    else if (this.cliHeld && !this.cliBlocked) { this.cliHeld = false; this.cli.resume(); }
  }

  private toServer(chunk: Buffer): void {
    const srv = this.conn?.sock;
    if (!srv) return;
    this.backend!.counters.bin += chunk.length;
    this.conn!.server.counters.bin += chunk.length;
    this.conn!.touch(this.clock());
    if (this.fast ? writeOut(srv, chunk) : srv.write(chunk)) return;
    this.cliBlocked = true;
    this.cli.pause();
  }

  private toClient(chunk: Buffer): void {
    const cli = this.cli;
    this.owner.feCounters.bout += chunk.length;
    if (this.lg) this.lg.bytesOut += chunk.length;
    if (this.server && this.respStarted) { this.server.counters.bout += chunk.length; this.backend!.counters.bout += chunk.length; }
    this.cliIdle.set(this.cliIdleMs, this.clock());
    if (this.fast ? writeOut(cli, chunk) : cli.write(chunk)) return;
    this.srvBlocked = true;
    this.conn?.sock.pause();
  }

  // ---- server side --------------------------------------------------------------

  private onServerData(chunk: Buffer): void {
    if (this.phase === 'tunnel') { this.toClient(chunk); return; }
    if (this.respDone) {
      // Bytes after a complete response: the connection is not reusable.
      this.dropServer();
      return;
    }
    if (!this.respStarted) {
      if (this.respBuf.length === 0) {
        // Usually the whole head arrives at once: parse it in the read buffer itself
        // (everything derived from it is used before this callback returns) and copy
        // only what must wait for more bytes.
        this.respBuf = chunk;
        this.tryResponse();
        if (this.respBuf === chunk) this.respBuf = Buffer.from(chunk);
        return;
      }
      this.respBuf = Buffer.concat([this.respBuf, chunk]);
      this.tryResponse();
      return;
    }
    this.forwardResponseBody(chunk);
  }

  private tryResponse(): void {
    for (;;) {
      const req = this.req;
      if (!req) return;
      const r = parseResponseHead(this.respBuf, req.method);
      if (r.state === 'incomplete') return;
      if (r.state === 'error') {
        this.backend!.counters.eresp++;
        captureError('response', this.backend!.cfg, this.owner.proxyCfg, this.server, this.cli, this.respBuf, r.error);
        this.server!.counters.eresp++;
        observe(this.server!, 'l7-fail', 'Invalid http response (headers)');
        if (this.retryRequest('junk')) return;
        this.dropServer();
        this.fail(502, 'PH');
        return;
      }
      const head = r.head;
      observeHttpStatus(this.server!, head.status);
      if (head.status >= 200 && this.copy && this.backend!.cfg.retryOn.statuses.includes(head.status) && this.retryRequest('status')) return;
      const rest = head.end < this.respBuf.length ? this.respBuf.subarray(head.end) : EMPTY;
      countStatus(this.owner.feCounters, head.status);
      this.sc?.stick?.status(head.status);
      countStatus(this.backend!.counters, head.status);
      countStatus(this.server!.counters, head.status);
      if (head.status < 200 && head.status !== 101) {
        // Interim response (100 Continue …): forward it and keep waiting.
        this.interimSent = true;
        this.toClient(writeResponseHead(head));
        this.respBuf = rest.length > 0 ? Buffer.from(rest) : EMPTY;
        if (this.respBuf.length === 0) return;
        continue;
      }
      // stick store-request / store-response: the server that answered is recorded.
      if (this.stick !== null) { this.stick.commit(this.server!, this.sc, () => responseView(head)); this.stick = null; }
      if (this.owner.proxyCfg.captures.response.length > 0) this.tx.captureHeaders('response', responseView(head));
      // http-response rules: they may rewrite the head, or replace the whole response.
      let respEdits: HeadEdits | null = null;
      const feR = this.owner.proxyCfg.httpResponseRules;
      const beR = this.backend!.cfg !== this.owner.proxyCfg ? this.backend!.cfg.httpResponseRules : NO_RULES;
      if (feR.length > 0 || beR.length > 0) {
        respEdits = new HeadEdits(head);
        if (this.sc) { this.sc.res = responseView(head); this.sc.serverName = this.server?.name ?? null; }
        // The head may be a view of the read buffer: the rules read it now, never later.
        const sc = this.sc;
        const edits = respEdits;
        const refresh = sc ? (): void => { if (sc.res) sc.res = editedResponseView(sc.res, edits); } : undefined;
        const ctx: RuleContext = { edits: respEdits, method: req.method, target: req.target, minor: req.minor, sample: this.sc, txn: this.tx, refresh };
        // HAProxy runs the backend's response rules first, then the frontend's.
        let v = runResponseRules(beR, ctx);
        if (v.kind === 'continue') v = runResponseRules(feR, ctx);
        if (this.sc) this.sc.res = null;
        if (v.kind !== 'continue') {
          // The server's response is replaced: its connection cannot be reused (body unread).
          this.dropServer();
          this.owner.feCounters.dresp++;
          if (v.kind === 'respond') this.answerLocally(v.response);
          else if (v.kind === 'error') this.fail(v.status, 'PH');
          else this.abort('PH');
          return;
        }
      }
      const after = this.afterRules();
      if (after !== null) {
        respEdits ??= new HeadEdits(head);
        if (this.sc) { this.sc.res = responseView(head); this.sc.serverName = this.server?.name ?? null; }
        const sc = this.sc;
        const edits = respEdits;
        const refresh = sc ? (): void => { if (sc.res) sc.res = editedResponseView(sc.res, edits); } : undefined;
        runAfterRules(after, { edits: respEdits, method: req.method, target: req.target, minor: req.minor, sample: this.sc, txn: this.tx, refresh });
        if (this.sc) this.sc.res = null;
      }
      this.respStarted = true;
      const now = this.clock();
      this.tm.response = now - this.tm.sent;
      if (this.lg) { this.lg.tResp = now; this.lg.status = respEdits?.status ?? head.status; }
      this.respBuf = EMPTY;
      this.respFraming = head.framing;
      if (head.framing.kind === 'close' || head.close) this.closeAfterServer = true;
      if (head.framing.kind === 'close' || this.draining) this.closeAfter = true;
      // HTTP/1.0 clients only keep a connection that the response says is kept.
      let lines = this.closeAfter ? CONN_CLOSE : req.minor === 0 ? CONN_KEEP_ALIVE : NO_LINES;
      const ck = this.backend!.cfg.cookie;
      const change = ck ? responseCookie(head, ck, this.server!.cfg.cookie, this.directTo === this.server, req.method, this.persist) : null;
      if (change) lines = [...lines, ...change.extra];
      const kind = head.framing.kind;
      // Body bytes that came with the head are checked first, then leave in the same
      // buffer as the head (one allocation, one write, one syscall).
      let take = 0;
      if (kind !== 'tunnel') {
        this.respScanner = kind === 'chunked' ? new ChunkedScanner() : null;
        this.respLeft = kind === 'length' ? head.framing.length : 0;
        if (kind !== 'none' && rest.length > 0) take = this.consumeResponseBody(rest);
        if (take < 0) {
          // Invalid body framing before anything reached the client: a clean 502.
          this.respStarted = false;
          this.dropServer();
          this.fail(502, 'PH');
          return;
        }
      }
      let out: Buffer;
      if (respEdits !== null && !respEdits.empty) {
        const edits = change?.edits ? new Map([...change.edits, ...respEdits.fields]) : respEdits.fields;
        out = writeResponseHead(head, [...respEdits.addedLines(), ...lines], edits, respEdits.status, respEdits.reason, rest, take);
      } else {
        out = writeResponseHead(head, lines, change?.edits ?? null, null, null, rest, take);
      }
      this.toClient(out);
      if (kind === 'tunnel') { this.enterTunnel(rest); return; }
      if (kind === 'none') {
        if (rest.length > 0) this.dropServer();
        this.responseDone();
        return;
      }
      this.afterResponseBytes(take, rest.length);
      return;
    }
  }

  /** http-server-close / httpclose: the server connection is not kept after a response. */
  private serverClose = false;

  private forwardResponseBody(chunk: Buffer): void {
    const take = this.consumeResponseBody(chunk);
    if (take < 0) { this.abort('PD'); return; }
    if (take > 0) this.toClient(take === chunk.length ? chunk : chunk.subarray(0, take));
    this.afterResponseBytes(take, chunk.length);
  }

  /** Advances the response body framing over `chunk`: bytes that belong to the body, or -1 on error. */
  private consumeResponseBody(chunk: Buffer): number {
    if (this.respFraming.kind === 'close') return chunk.length;
    if (this.respScanner) {
      const p = this.respScanner.feed(chunk);
      if (p.error) { this.backend!.counters.eresp++; this.server!.counters.eresp++; return -1; }
      if (p.done) this.respLeft = -1;
      return p.consumed;
    }
    const take = Math.min(this.respLeft, chunk.length);
    this.respLeft -= take;
    if (this.respLeft === 0) this.respLeft = -1;
    return take;
  }

  /** After forwarding `take` of `len` bytes: garbage after the response, end of response. */
  private afterResponseBytes(take: number, len: number): void {
    if (take < len) this.dropServer(); // bytes after the response: the connection is not reusable
    if (this.respLeft === -1) this.responseDone();
  }

  private onServerEnd(): void {
    if (this.phase === 'tunnel') { this.cli.end(); return; }
    if (this.respStarted && this.respFraming.kind === 'close' && !this.respDone) {
      this.responseDone();
      return;
    }
    this.serverGone();
  }

  /** The server connection ended or failed. */
  private serverGone(): void {
    if (this.ended || this.phase === 'closing') return;
    if (this.phase === 'tunnel') { this.abort('SD'); return; }
    if (this.phase === 'forwarding' && !this.respStarted && this.conn === null && this.connectTimer) return;
    if (this.phase === 'forwarding') {
      if (!this.respStarted) {
        this.backend!.counters.srv_abrt++;
        if (this.server) observe(this.server, 'l7-fail', 'Close from server (http)');
        // Nothing received is an empty response; part of a head is junk (HAProxy's terms).
        if (this.retryRequest(this.respBuf.length > 0 ? 'junk' : 'empty')) return;
        // Not the first request of this client connection and not a byte of answer: close
        // the client connection without one (HAProxy 2.6), as an idle keep-alive
        // connection closes — clients then retry, where a 502 would be final.
        if (this.transactions > 1 && this.respBuf.length === 0 && !this.interimSent) { this.abort('SH'); return; }
        this.fail(502, 'SH');
      } else if (!this.respDone) {
        this.abort('SD');
      }
    }
    // In the head phase an idle server connection closing is normal.
  }

  private serverTimeout(): void {
    if (this.phase === 'forwarding' && !this.respStarted) {
      if (this.server) observe(this.server, 'l7-fail', 'Read timeout (http)');
      if (this.retryRequest('timeout')) return;
      this.dropServer();
      this.fail(504, 'sH');
      return;
    }
    if (this.phase === 'head') { this.dropServer(); return; }
    this.abort('sD');
  }

  private responseDone(): void {
    this.respDone = true;
    if (this.closeAfterServer || this.serverClose) { this.closeAfterServer = false; this.dropServer(); }
    this.maybeTransactionDone();
  }

  /** Writes the access-log line of the current transaction (once). */
  private logTxn(ts: string): void {
    const lg = this.lg;
    if (!lg || this.logged) return;
    this.logged = true;
    const be = this.backend;
    // A request refused before it was parsed never reached a backend: HAProxy names the frontend.
    const rec = lg.finish(this.owner.logSource, this.cli, this.req ? be : null, this.req ? this.server : null, this.srvEnds, ts, this.attempts, this.redispatched, this.clock());
    if (!this.tx.decorate(rec, this.req !== null)) return; // set-log-level silent
    rec.sample = this.sc;
    this.owner.accessLog!.write(rec);
  }

  private maybeTransactionDone(): void {
    if (!this.reqDone || !this.respDone || this.phase !== 'forwarding') return;
    this.logTxn(this.failTerm);
    recordTxn(this.tm, this.clock(), this.owner.feCounters, this.backend?.counters ?? null, this.server?.counters ?? null);
    this.sc?.stick?.endStream();
    this.releaseSlot();
    this.parkServer();
    if (this.closeAfter) {
      this.phase = 'closing';
      this.cli.end();
      return;
    }
    this.waitForRequest();
    if ((this.phase as Phase) === 'head' && this.cliHeld) { this.cliHeld = false; this.cli.resume(); }
  }

  private enterTunnel(rest: Buffer): void {
    this.phase = 'tunnel';
    const tTunnel = this.tx.tunnelTimeout ?? this.backend!.cfg.timeouts.tunnel ?? 0;
    if (tTunnel > 0) { this.cliIdleMs = tTunnel; this.cliIdle.set(tTunnel); this.conn?.setIdleTimeout(tTunnel); }
    if (rest.length > 0) this.toClient(Buffer.from(rest));
    const early = this.pending;
    this.pending = EMPTY;
    if (early.length > 0) this.toServer(early);
    this.cli.resume();
  }

  /** Closes the connection of the current transaction (not reusable, or the transaction failed). */
  private dropServer(): void {
    const c = this.conn;
    this.conn = null;
    if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
    if (c) destroyConn(c);
  }

  /** max-reuse reached (also for connections kept private). */
  private spent(c: ServerConn): boolean {
    const max = c.server.cfg.maxReuse;
    return max >= 0 && c.requests > max;
  }

  /** The transaction is complete and its connection reusable: keep it for later requests. */
  private parkServer(): void {
    const c = this.conn;
    if (!c) return;
    this.conn = null;
    // `never`, or a full pool: the session keeps the connection for itself.
    const verdict = this.backend!.cfg.httpReuse === 'never' ? 'full' : c.server.pool.park(c, this.clock());
    if (verdict === 'parked') { this.lastConn = c; return; }
    if (verdict === 'spent' || !c.usable || this.spent(c)) { destroyConn(c); return; }
    const old = this.privateIdle.get(c.server);
    if (old && old !== c) destroyConn(old);
    this.privateIdle.set(c.server, c);
  }

  // ---- ending -------------------------------------------------------------------

  /**
   * Answers with a generated error. After a server-side failure on a complete request
   * the client connection stays open for its next request, as in HAProxy (errors.ts);
   * otherwise — a refused request, a body not fully read, a client that asked to close,
   * an operator's errorfile — the connection closes after the answer.
   */
  /**
   * `timeout http-request` ran out before a whole head came. HAProxy 2.6 counts it as a
   * request on the stick counters but not as an error (checked against haproxy).
   */
  private readonly requestTimedOut = (): void => {
    this.sc?.stick?.newRequest();
    this.fail(408, 'cR', false);
  };

  private fail(status: number, ts = 'PR', countError = true): void {
    if (this.phase === 'closing' || this.ended) return;
    this.disarm();
    this.releaseSlot();
    this.dropServer();
    if (this.respStarted) { this.logTxn(ts[0] + 'D'); this.phase = 'closing'; this.cli.destroy(); return; }
    countStatus(this.owner.feCounters, status);
    if (countError) this.sc?.stick?.status(status);
    this.failTerm = ts;
    if (this.lg) { this.lg.status = status; if (this.lg.tResp < 0) this.lg.tResp = -1; }
    // errorfile: the backend's if it has one for this status, else the frontend's.
    const file = this.backend?.cfg.errorfiles[status] ?? this.owner.errorfiles[status];
    const req = this.req;
    if (!file && req && this.phase === 'forwarding' && this.reqDone && !this.closeAfter && errorKeepsConnection(status)) {
      this.toClient(this.afterGenerated(errorResponse(status, req.minor === 0 ? 'keep-alive-1.0' : 'keep-alive')));
      this.respDone = true;
      this.maybeTransactionDone();
      return;
    }
    this.phase = 'closing';
    const body = this.afterGenerated(file ?? errorResponse(status, 'close'));
    this.owner.feCounters.bout += body.length;
    if (this.lg) this.lg.bytesOut += body.length;
    this.logTxn(ts);
    this.sc?.stick?.endStream();
    this.cli.end(body);
    // Keep reading (phase 'closing' drops the bytes): a paused socket never sees the
    // client's FIN, so it never closed and kept its maxconn slot (every tarpit and 408 leaked one).
  }

  /** Ends the connection at once; `ts` is the log's termination state (default: the client left). */
  abort(ts = 'CD', silent = false): void {
    if (this.phase === 'forwarding' || this.phase === 'tunnel') this.logTxn(this.phase === 'tunnel' && ts === 'CD' ? 'CD' : ts);
    this.disarm();
    this.releaseSlot();
    this.dropServer();
    this.phase = 'closing';
    if (silent) silentDrop(this.cli);
    else this.cli.destroy();
  }

  private finish(): void {
    if (this.ended || !this.cliClosed) return;
    this.ended = true;
    if (this.lg && !this.logged) {
      // A transaction cut short by the client; or a connection that never sent a request
      // (HAProxy's <BADREQ>, which `option dontlognull` hides). An idle keep-alive close is not logged.
      if (this.phase === 'forwarding' || this.phase === 'tunnel') this.logTxn('CD');
      else if (this.phase === 'head' && (this.transactions === 0 || this.pending.length > 0)) {
        if (this.lg.requestLine === '') this.lg.requestLine = '<BADREQ>';
        if (this.lg.status === 0) this.lg.status = 400; // HAProxy logs these as 400s
        this.logTxn('CR');
      }
    }
    this.disarm();
    this.releaseSlot();
    if (this.bodyTimer) { clearTimeout(this.bodyTimer); this.bodyTimer = null; }
    this.phaseTimer.stop();
    this.cliIdle.stop();
    this.dropServer();
    for (const c of this.privateIdle.values()) destroyConn(c);
    this.privateIdle.clear();
    this.owner.feCounters.scur--;
    this.owner.onEnd(this);
  }
}
