/**
 * Traffic counters, named after HAProxy's stats columns so the stats issue can expose
 * them as-is (scur, smax, stot, bin, bout, econ, …). Kept as plain objects of numbers:
 * incrementing a field is the cheapest thing we can do on the hot path, and the layout
 * can later move to a SharedArrayBuffer for multi-threading without changing callers.
 */
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
}

export function newCounters(): Counters {
  return { scur: 0, smax: 0, stot: 0, bin: 0, bout: 0, econ: 0, eresp: 0, ereq: 0, wretr: 0, wredis: 0, cli_abrt: 0, srv_abrt: 0, lbtot: 0, dcon: 0 };
}

export function sessionStart(c: Counters): void {
  c.stot++;
  if (++c.scur > c.smax) c.smax = c.scur;
}
