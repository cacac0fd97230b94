/**
 * What a stream (a TCP session, or one HTTP transaction) reports when it ends, for the
 * access log. Field names follow HAProxy's log-format variables (configuration manual
 * §8.2.4) so a format can be evaluated without translation. The core fills a record;
 * src/lb/log turns it into lines. Times are milliseconds; -1 means "this step was not
 * reached" (HAProxy prints -1 too).
 */
import type { SampleContext } from '../acl/types.ts';

export interface LogRecord {
  /** Client address and port (%ci %cp). */
  ci: string;
  cp: number;
  /** Frontend (listening) address and port (%fi %fp). */
  fi: string;
  fp: number;
  /** Backend-side source address and port of the server connection (%bi %bp), '' / 0 when none. */
  bi: string;
  bp: number;
  /** Server address and port (%si %sp), '' / 0 when none. */
  si: string;
  sp: number;
  /** Frontend, backend and server names (%f/%ft, %b, %s); '<NOSRV>' when no server was chosen. */
  f: string;
  b: string;
  s: string;
  /** When the connection was accepted (ms since the epoch), and when the request began (HTTP). */
  acceptDate: number;
  requestDate: number;
  /** %Th: accept → first request byte (handshake; 0 without TLS). */
  Th: number;
  /** %Ti: idle time before the request (keep-alive wait). */
  Ti: number;
  /** %TR: time to receive the full request head. */
  TR: number;
  /** %Tw: time waiting in queues. */
  Tw: number;
  /** %Tc: time to connect to the server. */
  Tc: number;
  /** %Tr: server response time (request sent → response head received). */
  Tr: number;
  /** %Ta: active time of the request (request start → end of the response). */
  Ta: number;
  /** %Tt: total session time (accept → close). */
  Tt: number;
  /** %ST: HTTP status sent to the client (0 in TCP mode / none). */
  ST: number;
  /** %B: bytes sent to the client; %U: bytes received from the client. */
  B: number;
  U: number;
  /**
   * %ts: termination state, two characters (HAProxy §8.5): the first says who ended the
   * session or what happened (C client, S server, P proxy, R resource, I internal,
   * D down, U up, K killed, c/s client/server-side timeout, '-' normal), the second in
   * which phase (R request, Q queue, C connect, H headers, D data, L last data, T tarpit,
   * '-' normal).
   */
  ts: string;
  /** Persistence cookie flags (the last two of %tsc), '--' without cookies. */
  cookieFlags: string;
  /** %ac %fc %bc %sc: process, frontend, backend and server concurrent connections when logged. */
  ac: number;
  fc: number;
  bc: number;
  sc: number;
  /** %rc: retries; `redispatched` prints it as +N. */
  rc: number;
  redispatched: boolean;
  /** %sq %bq: requests ahead of this one in the server and backend queues when it was queued. */
  sq: number;
  bq: number;
  /**
   * HTTP request line (%r), method, URI, version; all '' in TCP mode. `r` is '' when the line
   * is the three parts joined by spaces (an HTTP stream does not build that string for every
   * request; requestLine() does when a printer needs it), or set when it is something else
   * ('<BADREQ>'). Read %r through requestLine().
   */
  r: string;
  method: string;
  uri: string;
  version: string;
  /** Captured request/response headers (%hr %hs), empty until `capture` exists. */
  hr: readonly string[];
  hs: readonly string[];
  /** The mode of the frontend ('tcp' | 'http'). */
  mode: 'tcp' | 'http';
  /** True when the session/transaction ended in error (for option log-separate-errors / dontlognull). */
  error: boolean;
  /** %rt: the process-wide stream counter (HAProxy's unique stream id, from 0); '-' when absent. */
  rt?: number;
  /** %ID: the unique id (`unique-id-format`); when absent, `sample.uniqueId()` makes it. */
  ID?: string;
  /** `set-log-level`: the syslog level (0–7) this line goes out at, instead of info/err. */
  level?: number;
  /**
   * The transaction's sample context (src/lb/core StreamSampleContext), attached by the
   * stream when its frontend evaluates samples; read by `%[…]`, `%ID` and `%rt`. Absent
   * in TCP mode and without samples: `%[…]` then sees only what the record holds.
   */
  sample?: LogSampleSource | null;
}

/** What the log reads from a sample context beyond the sample engine's own contract. */
export type LogSampleSource = SampleContext & {
  /** The stream's process-wide number (%rt), drawn when first read. */
  readonly rt?: number;
};

/** %r of a record: `r`, or when that is '' the method, URI and version joined ('' in TCP mode). */
export function requestLine(r: LogRecord): string {
  return r.r !== '' || r.method === '' ? r.r : `${r.method} ${r.uri} ${r.version}`;
}
