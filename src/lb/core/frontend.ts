/**
 * A live frontend: its listening sockets, where it routes, and its connection limit.
 *
 * maxconn (per frontend and global) pauses accepting instead of refusing: a connection
 * that arrives at the limit is held, unread, in a FIFO and served when a slot frees —
 * what a client sees is a slow accept, exactly as with HAProxy's paused listeners.
 * The hold queue is bounded (one backlog, as large as maxconn); past it the connection
 * is closed, which is what a full kernel backlog does too.
 */
import type net from 'node:net';
import type { ProxyConfig } from '../config/types.ts';
import type { Backend } from './backend.ts';
import { newCounters, type Counters } from './counters.ts';
import { TcpStream, type StreamOwner } from './tcp-stream.ts';
import { HttpStream, type HttpOwner } from './http-stream.ts';
import type { BoundSocket } from './bind.ts';
import type { Inbound } from './fast-io.ts';
import { TxnLog, type AccessLogSink, type LogSource } from './txn-log.ts';
import type { CompiledCondition, SampleContext } from '../acl/index.ts';
import { StreamSampleContext, type BackendsLookup } from './sample-context.ts';
import type { UniqueIdGen } from '../log/unique-id.ts';
import { runTcpRules } from '../rules/tcp-rules.ts';
import { inspectContent } from './tcp-inspect.ts';
import type { RuleContext, Value } from '../rules/types.ts';
import { silentDrop } from './silent-drop.ts';

/**
 * A `use_backend` rule resolved to its live backend; a dynamic one (a log-format name)
 * has no backend but the name's format and the backends to look it up among.
 */
export interface Route {
  backend: Backend | null;
  cond: CompiledCondition | null;
  dynamic?: { name: Value; backends: ReadonlyMap<string, Backend> };
}

export interface ConnectionGate {
  /** Sessions in the process now (%ac). */
  readonly cur: number;
  /** True when the process may start one more session. */
  hasRoom(): boolean;
  taken(): void;
  released(): void;
}

type Stream = TcpStream | HttpStream;

export class Frontend implements StreamOwner, HttpOwner {
  readonly name: string;
  readonly cfg: ProxyConfig;
  readonly feCounters: Counters = newCounters();
  readonly clientTimeout: number;
  readonly clientFinTimeout: number;
  readonly httpRequestTimeout: number;
  readonly httpKeepAliveTimeout: number;
  readonly httpConnMode: ProxyConfig['options']['httpConnMode'];
  readonly forwardfor: ProxyConfig['options']['forwardfor'];
  readonly originalto: ProxyConfig['options']['originalto'];
  readonly errorfiles: Record<number, Buffer>;
  /** HTTP processing when the frontend or its backend is in `mode http` (as HAProxy). */
  readonly http: boolean;
  /** Changed at run time by the runtime API's `set maxconn frontend`. */
  maxconn: number;
  /** default_backend (or the listen itself): where requests go when no use_backend matches. */
  readonly backend: Backend | null;
  /** `use_backend` rules in order. */
  readonly routes: readonly Route[];
  /** Streams build a sample context (conditions, log-format values, unique ids need one); the runtime may set it after construction. */
  needsSamples: boolean;
  /** `unique-id-format` compiled (set by the runtime); null: none. */
  uniqueIdGen: UniqueIdGen | null = null;
  private readonly lookup: BackendsLookup | null;
  readonly streams = new Set<Stream>();
  /** When each stream was accepted (ms epoch), for the runtime API's `show sess`. */
  readonly acceptedAt = new WeakMap<Stream, number>();
  /** The access log (set by the runtime from the `log` settings); null: no log. */
  accessLog: AccessLogSink | null = null;
  /** HAProxy's default log format: one "Connect from …" line per accepted connection. */
  connectLog: AccessLogSink | null = null;
  readonly logSource: LogSource;
  readonly httpRequestRules: ProxyConfig['httpRequestRules'];
  readonly proxyCfg: ProxyConfig;
  listeners: BoundSocket[] = [];
  private readonly held: { sock: net.Socket; inbound: Inbound | null }[] = [];
  /** Sample contexts of connections that tcp-request rules started tracking (stick counters). */
  private readonly tracked = new WeakMap<net.Socket, StreamSampleContext>();
  private readonly gate: ConnectionGate;
  private readonly onIdle: () => void;

  constructor(cfg: ProxyConfig, backend: Backend | null, maxconn: number, gate: ConnectionGate, onIdle: () => void, routes: readonly Route[] = [], lookup: BackendsLookup | null = null) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.backend = backend;
    this.routes = routes;
    this.lookup = lookup;
    const dyn = routes.find((r) => r.dynamic)?.dynamic;
    const cfgs = [cfg, ...routes.map((r) => r.backend?.cfg), ...(dyn ? [...dyn.backends.values()].map((b) => b.cfg) : []), ...(backend ? [backend.cfg] : [])].filter((c) => c !== undefined);
    this.needsSamples = routes.some((r) => r.cond !== null || r.dynamic) || cfg.monitorFail.length > 0 || cfgs.some(usesSamples)
      || cfgs.some((c) => c.persistRules.length > 0 || c.useServers.length > 0 || c.stickRules.length > 0 || c.stats?.admin != null);
    this.maxconn = maxconn;
    this.gate = gate;
    this.onIdle = onIdle;
    this.clientTimeout = cfg.timeouts.client ?? 0;
    this.clientFinTimeout = cfg.timeouts['client-fin'] ?? 0;
    this.httpRequestTimeout = cfg.timeouts['http-request'] ?? 0;
    this.httpKeepAliveTimeout = cfg.timeouts['http-keep-alive'] ?? 0;
    this.httpConnMode = cfg.options.httpConnMode;
    this.forwardfor = cfg.options.forwardfor;
    this.originalto = cfg.options.originalto;
    this.errorfiles = cfg.errorfiles;
    this.http = cfg.mode === 'http' || backend?.cfg.mode === 'http' || routes.some((r) => r.backend?.cfg.mode === 'http');
    this.httpRequestRules = cfg.httpRequestRules;
    this.proxyCfg = cfg;
    this.logSource = {
      feName: cfg.name,
      mode: this.http ? 'http' : 'tcp',
      actconn: () => gate.cur,
      // Connections still being inspected (tcp-request content) count as HAProxy counts them.
      feconn: () => this.feCounters.scur + this.inspecting,
    };
  }

  private logConnect(sock: net.Socket): void {
    // finish() reads the socket's addresses through txn-log plainEnds() (IPv4-mapped as IPv4).
    this.connectLog!.write(new TxnLog().finish(this.logSource, sock, null, null, null, '--', 0, false));
  }

  /** A sample context for a new stream, or null when nothing here evaluates samples. */
  sampleContext(sock: net.Socket): StreamSampleContext | null {
    const pre = this.tracked.get(sock);
    if (pre) return pre;
    return this.needsSamples ? new StreamSampleContext(sock, this.name, this.lookup, this.uniqueIdGen) : null;
  }

  /** The backend for a request (or a TCP session): the first use_backend whose condition holds, else the default. */
  pickBackend(ctx: SampleContext | null): Backend | null {
    for (const r of this.routes) {
      if (r.cond !== null && (ctx === null || !r.cond.test(ctx))) continue;
      if (!r.dynamic) return r.backend;
      // A name that is no backend here ends the search: default_backend (HAProxy 2.6).
      const name = r.dynamic.name({ sample: ctx } as unknown as RuleContext);
      const be = r.dynamic.backends.get(name);
      return be && be.cfg.cap.backend && be.cfg !== this.cfg ? be : this.backend;
    }
    return this.backend;
  }

  /** Listener callback: sockets arrive paused. */
  readonly accept = (sock: net.Socket, inbound: Inbound | null): void => {
    // tcp-request connection rules: the first whose condition holds decides; a rejected
    // connection is closed before any byte is read (HAProxy's denied connections, dcon).
    // Then tcp-request session rules, once per connection (no handshake here to wait for).
    const rules = this.cfg.tcpConnectionRules;
    const sessRules = this.cfg.tcpSessionRules;
    if (rules.length > 0 || sessRules.length > 0) {
      const ctx = new StreamSampleContext(sock, this.name, this.lookup);
      const cv = rules.length > 0 ? runTcpRules(rules, ctx) : null;
      if (cv?.kind === 'reject') { this.feCounters.dcon++; closeRejected(sock, cv.silent === true); return; }
      // A rejected session is closed silently (HAProxy counts it apart from denied connections).
      const sv = sessRules.length > 0 ? runTcpRules(sessRules, ctx) : null;
      if (sv?.kind === 'reject') { closeRejected(sock, sv.silent === true); return; }
      // Counters tracked and variables set here belong to the session: its stream keeps this context.
      if (ctx.stick || sessRules.length > 0 || rules.some((r) => r.action === 'set-var')) this.tracked.set(sock, ctx);
    }
    if (this.streams.size + this.inspecting < this.maxconn && this.gate.hasRoom() && this.held.length === 0) {
      this.start(sock, inbound);
      return;
    }
    if (this.held.length >= this.maxconn) {
      sock.destroy();
      return;
    }
    sock.on('error', () => sock.destroy());
    this.held.push({ sock, inbound });
  };

  private start(sock: net.Socket, inbound: Inbound | null): void {
    this.gate.taken();
    if (this.connectLog) this.logConnect(sock);
    if (!this.http && this.needsInspection()) { this.inspect(sock, inbound); return; }
    // A TCP session picks its backend once, from what the connection shows (layer 4).
    const st = this.http ? new HttpStream(sock, inbound, this, this.backend)
      : new TcpStream(sock, inbound, this, this.routes.length > 0 ? this.pickBackend(this.sampleContext(sock)) : this.backend);
    this.streams.add(st);
    this.acceptedAt.set(st, Date.now());
  }

  /** Mode tcp with `tcp-request content` rules here or in a backend it may choose. */
  private needsInspection(): boolean {
    if (this.cfg.tcpContentRules.length > 0) return true;
    return this.routes.some((r) => (r.backend?.cfg.tcpContentRules.length ?? 0) > 0) || (this.backend?.cfg.tcpContentRules.length ?? 0) > 0;
  }

  /** Connections whose content is being inspected (they count against maxconn like streams). */
  private inspecting = 0;

  /**
   * Mode tcp: the frontend's content rules, then use_backend (which may read the content),
   * then the chosen backend's content rules, then the session starts with the bytes read.
   */
  private inspect(sock: net.Socket, inbound: Inbound | null): void {
    this.inspecting++;
    const ctx = this.sampleContext(sock) ?? new StreamSampleContext(sock, this.name, this.lookup);
    // A rejected session is logged as HAProxy does (fe/<NOSRV>, no queue nor connect time, PR).
    const lg = this.accessLog ? new TxnLog(sock) : null;
    const rejected = (counters: Counters, silent: boolean): void => {
      counters.dreq++;
      if (lg) this.accessLog!.write(lg.finish(this.logSource, sock, null, null, null, 'PR', 0, false));
      closeRejected(sock, silent);
    };
    const end = (): void => { this.inspecting--; this.gate.released(); if (this.streams.size === 0 && this.held.length === 0 && this.inspecting === 0) this.onIdle(); };
    const startStream = (be: Backend | null, data: Buffer): void => {
      this.inspecting--;
      const st = new TcpStream(sock, inbound, this, be, data.length > 0 ? data : null);
      this.streams.add(st);
      this.acceptedAt.set(st, Date.now());
    };
    inspectContent(sock, inbound, ctx, this.cfg.tcpContentRules, this.cfg.tcpInspectDelay ?? 0, Buffer.alloc(0), (outcome, data) => {
      if (outcome !== 'accept') { if (outcome !== 'gone') rejected(this.feCounters, outcome === 'drop'); end(); return; }
      const be = this.routes.length > 0 ? this.pickBackend(ctx) : this.backend;
      if (!be || be.cfg === this.cfg || be.cfg.tcpContentRules.length === 0) { startStream(be, data); return; }
      inspectContent(sock, inbound, ctx, be.cfg.tcpContentRules, be.cfg.tcpInspectDelay ?? 0, data, (o2, d2) => {
        if (o2 !== 'accept') { if (o2 !== 'gone') rejected(be.counters, o2 === 'drop'); end(); return; }
        startStream(be, d2);
      });
    });
  }

  onEnd(stream: Stream): void {
    this.streams.delete(stream);
    // The gate drains held connections of every frontend (a global slot just freed).
    this.gate.released();
    if (this.streams.size === 0 && this.held.length === 0) this.onIdle();
  }

  /** Starts held connections while there is room; returns true if one was started. */
  drainHeld(): boolean {
    let started = false;
    while (this.held.length > 0 && this.streams.size + this.inspecting < this.maxconn && this.gate.hasRoom()) {
      const { sock, inbound } = this.held.shift()!;
      if (sock.destroyed) continue;
      sock.removeAllListeners('error');
      this.start(sock, inbound);
      started = true;
    }
    return started;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Stops accepting; connections already accepted keep running (soft stop). */
  stopListening(): void {
    for (const l of this.listeners) l.server.close();
    this.listeners = [];
  }

  /** Soft stop of the sessions: HTTP keep-alive connections end after their current transaction. */
  drainStreams(): void {
    for (const st of this.streams) if (st instanceof HttpStream) st.softStop();
  }

  /** Ends one session now, as the operator's kill (`shutdown session(s)`): logged with termination state K. */
  kill(st: Stream): void {
    if (st instanceof TcpStream) st.abort('admin');
    else st.abort('KD');
  }

  /** Kills every session and held connection (hard stop). */
  killAll(): void {
    for (const h of this.held.splice(0)) h.sock.destroy();
    for (const st of this.streams) {
      if (st instanceof TcpStream) st.abort('admin');
      else st.abort();
    }
  }
}

/**
 * Whether a proxy's rules may read samples: a condition, or a value-bearing action (a
 * literal and a log-format look alike once compiled). The context is cheap — one object
 * per stream, request views built on demand — but a proxy without rules skips it.
 */
function usesSamples(cfg: ProxyConfig): boolean {
  if (cfg.tcpContentRules.length > 0 || cfg.tcpSessionRules.length > 0) return true;
  const rules = [...cfg.httpRequestRules, ...cfg.httpResponseRules, ...cfg.httpAfterResponseRules];
  return rules.some((r) => r.cond !== null || r.action.kind === 'stick' || 'value' in r.action || 'body' in r.action || 'replacement' in r.action || 'headers' in r.action || 'expr' in r.action);
}

/** A connection refused by a rule: closed, or dropped without a word to the client (silent-drop). */
function closeRejected(sock: net.Socket, silent: boolean): void {
  if (silent) silentDrop(sock);
  else sock.destroy();
}
