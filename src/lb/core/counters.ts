/**
 * Traffic counters, named after HAProxy's stats columns so the stats issue can expose
 * them as-is (scur, smax, stot, bin, bout, econ, …). Kept as plain objects of numbers:
 * incrementing a field is the cheapest thing we can do on the hot path, and the layout
 * can later move to a SharedArrayBuffer for multi-threading without changing callers.
 */
import { Latency } from './latency.ts';

export interface Counters {
  /** Current sessions. */
  scur: number;
  /** Highest scur seen. */
  smax: number;
  /** Total sessions. */
  stot: number;
  /** Bytes received from clients (frontend) or sent to servers (backend/server): "in" is client→server. */
  bin: number;
  /** Bytes sent back to clients: server→client. */
  bout: number;
  /** Connection errors (failed connects to a server). */
  econ: number;
  /** Response errors (server aborted before sending anything, …). */
  eresp: number;
  /** Request errors (client side). */
  ereq: number;
  /** Retried connection attempts. */
  wretr: number;
  /** Redispatches to another server. */
  wredis: number;
  /** Sessions ended by a client abort or client-side timeout. */
  cli_abrt: number;
  /** Sessions ended by a server abort or server-side timeout. */
  srv_abrt: number;
  /** Times a server was chosen by the load-balancing algorithm. */
  lbtot: number;
  /** Connections denied (e.g. when a held connection had to be dropped). */
  dcon: number;
  /** Requests denied by rules (deny, tarpit, reject). */
  dreq: number;
  /** Responses denied or replaced by http-response rules. */
  dresp: number;
  /** HTTP requests (frontend: received; backend/server: forwarded). */
  req_tot: number;
  /** HTTP responses by status class, and the rest. */
  hrsp_1xx: number;
  hrsp_2xx: number;
  hrsp_3xx: number;
  hrsp_4xx: number;
  hrsp_5xx: number;
  hrsp_other: number;
  /** Server connections opened, and requests sent over an already-used connection. */
  connect: number;
  reuse: number;
  /** Requests waiting in the queue now (server: its own queue; backend: the shared one), and the most seen. */
  qcur: number;
  qmax: number;
  /** Latency histograms (latency.ts); `clear counters all` starts them afresh with the rest. */
  lat: Latency;
}

/** Counts one HTTP response status in its class. */
export function countStatus(c: Counters, status: number): void {
  if (status < 100) c.hrsp_other++;
  else if (status < 200) c.hrsp_1xx++;
  else if (status < 300) c.hrsp_2xx++;
  else if (status < 400) c.hrsp_3xx++;
  else if (status < 500) c.hrsp_4xx++;
  else if (status < 600) c.hrsp_5xx++;
  else c.hrsp_other++;
}

export function newCounters(): Counters {
  return {
    scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, econ: 0, eresp: 0, ereq: 0, wretr: 0, wredis: 0,
    cli_abrt: 0, srv_abrt: 0, lbtot: 0, dcon: 0, dreq: 0, dresp: 0, req_tot: 0,
    hrsp_1xx: 0, hrsp_2xx: 0, hrsp_3xx: 0, hrsp_4xx: 0, hrsp_5xx: 0, hrsp_other: 0, connect: 0, reuse: 0, qcur: 0, qmax: 0, lat: new Latency(),
  };
}

export function sessionStart(c: Counters): void {
  c.stot++;
  if (++c.scur > c.smax) c.smax = c.scur;
}
