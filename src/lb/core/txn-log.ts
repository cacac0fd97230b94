/**
 * Timing and outcome of one stream (a TCP session) or one HTTP transaction, for the
 * access log (src/lb/log). Streams call the marks as they pass each step — only when the
 * frontend logs, so a proxy without `log` pays nothing — and finish() builds the
 * LogRecord once, when the stream or transaction ends.
 *
 * Times (HAProxy's meanings): Ti idle before the request, TR request head, Tw queue,
 * Tc connect (0 on a reused connection), Tr server response head, Ta whole transaction,
 * Tt whole session. A step not reached stays -1.
 */
import type { LogRecord } from '../log/record.ts';
import type { Server } from './server.ts';
import { performance } from 'node:perf_hooks';

export interface AccessLogSink {
  write(record: LogRecord): void;
}

/** Where counters and names come from when the record is built. */
export interface LogSource {
  readonly feName: string;
  readonly mode: 'tcp' | 'http';
  /** Process, frontend, backend concurrent sessions at logging time. */
  actconn(): number;
  feconn(): number;
}

export class TxnLog {
  /** performance.now() of the accept, and Date.now() at that moment. */
  private readonly tAccept: number;
  private readonly acceptDate: number;
  /** End of the previous transaction (or the accept): the start of the idle time. */
  private tIdleFrom: number;
  tReqStart = -1;
  tHead = -1;
  tQueued = -1;
  tGranted = -1;
  tConnStart = -1;
  tConnected = -1;
  tSent = -1;
  tResp = -1;
  reused = false;
  status = 0;
  bytesOut = 0;
  bytesIn = 0;
  sq = 0;
  bq = 0;
  /** Persistence cookie flags (the last two characters of %tsc). */
  cookieFlags = '--';
  requestLine = '';
  method = '';
  uri = '';
  version = '';

  /**
   * The connection's addresses, copied at accept (a closed socket no longer has them),
   * IPv4-mapped IPv6 addresses already written as IPv4 (once per connection, not per line).
   */
  private readonly ends: PlainEnds | null;

  constructor(sock: SocketEnds | null = null) {
    this.ends = sock ? plainEnds(sock) : null;
    this.tAccept = performance.now();
    this.acceptDate = Date.now();
    this.tIdleFrom = this.tAccept;
  }

  /** First byte of a request (HTTP): the end of the idle time. `now`: the caller's clock reading, if it has one. */
  requestStarts(now?: number): void {
    if (this.tReqStart < 0) this.tReqStart = now ?? performance.now();
  }

  /** Starts the next transaction on the same connection. */
  reset(now?: number): void {
    this.tIdleFrom = now ?? performance.now();
    this.tReqStart = this.tHead = this.tQueued = this.tGranted = this.tConnStart = this.tConnected = this.tSent = this.tResp = -1;
    this.reused = false;
    this.status = 0;
    this.bytesOut = this.bytesIn = 0;
    this.sq = this.bq = 0;
    this.cookieFlags = '--';
    this.requestLine = this.method = this.uri = this.version = '';
  }

  /** The record, with termination state `ts` (two characters, '--' when normal). */
  finish(src: LogSource, sock: SocketEnds,
    backend: { name: string; beconn: number } | null, server: Server | null, srvEnds: PlainEnds | null,
    ts: string, retries: number, redispatched: boolean, now: number = performance.now()): LogRecord {
    const ends = this.ends ?? plainEnds(sock);
    const ms = (a: number, b: number): number => (a < 0 || b < 0 ? -1 : Math.round(b - a));
    const reqStart = this.tReqStart >= 0 ? this.tReqStart : this.tAccept;
    const Tw = this.tQueued >= 0 ? ms(this.tQueued, this.tGranted >= 0 ? this.tGranted : now) : (this.tGranted >= 0 || this.tConnStart >= 0 || this.reused ? 0 : -1);
    const Tc = this.reused ? 0 : ms(this.tConnStart, this.tConnected);
    const http = src.mode === 'http';
    return {
      ci: ends.address,
      cp: ends.port,
      fi: ends.localAddress,
      fp: ends.localPort,
      bi: srvEnds?.localAddress ?? '',
      bp: srvEnds?.localPort ?? 0,
      si: srvEnds?.address ?? '',
      sp: srvEnds?.port ?? 0,
      f: src.feName,
      b: backend?.name ?? src.feName,
      s: server?.name ?? '<NOSRV>',
      acceptDate: this.acceptDate,
      requestDate: this.acceptDate + Math.round(reqStart - this.tAccept),
      Th: 0,
      Ti: http ? Math.max(0, Math.round(reqStart - this.tIdleFrom)) : -1,
      TR: http ? ms(reqStart, this.tHead) : -1,
      Tw,
      Tc,
      Tr: ms(this.tSent, this.tResp),
      Ta: Math.round(now - reqStart),
      Tt: Math.round(now - this.tAccept),
      ST: this.status,
      B: this.bytesOut,
      U: this.bytesIn,
      ts,
      cookieFlags: this.cookieFlags,
      ac: src.actconn(),
      fc: src.feconn(),
      bc: backend?.beconn ?? 0,
      sc: server?.served ?? 0,
      rc: retries,
      redispatched,
      sq: this.sq,
      bq: this.bq,
      r: this.requestLine,
      method: this.method,
      uri: this.uri,
      version: this.version,
      hr: NO_CAPTURES,
      hs: NO_CAPTURES,
      mode: src.mode,
      error: ts !== '--' || this.status >= 500,
      // Set later by some callers: present from the start so every record has one shape.
      rt: undefined,
      ID: undefined,
      level: undefined,
      sample: null,
    };
  }
}

/** The captures of a record without any (decorate() puts the transaction's own arrays in their place). */
const NO_CAPTURES: readonly string[] = [];

/** A connection's addresses as a socket gives them. */
type SocketEnds = { remoteAddress?: string; remotePort?: number; localAddress?: string; localPort?: number };

/**
 * A connection's peer and local address and port as the log prints them (IPv4-mapped
 * addresses as IPv4): the client's (%ci %cp %fi %fp) or a server connection's
 * (%si %sp %bi %bp). Made once per connection, not per record.
 */
export interface PlainEnds { address: string; port: number; localAddress: string; localPort: number }

export function plainEnds(s: SocketEnds): PlainEnds {
  return { address: plain(s.remoteAddress ?? ''), port: s.remotePort ?? 0, localAddress: plain(s.localAddress ?? ''), localPort: s.localPort ?? 0 };
}

/** IPv4 peers of dual-stack sockets appear as ::ffff:a.b.c.d; logs show a.b.c.d. */
function plain(addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}
