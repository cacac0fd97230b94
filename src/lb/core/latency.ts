/**
 * Latency histograms: how long requests wait in a queue, how long connecting to a
 * server takes, how long the server takes to start answering, and how long the whole
 * transaction (HTTP) or session (TCP) lasts — per frontend, backend and server.
 *
 * The contract with the hot path: recording is a handful of comparisons and additions
 * on preallocated typed arrays, never an allocation; streams take performance.now()
 * only at the few points a measure needs (TxnTimes, one object per connection, reused
 * by every transaction on it). The buckets are fixed and the same everywhere, so the
 * stats page, the JSON output and the Prometheus exporter read the same numbers, and
 * histograms from several objects (or processes, later threads) add up bucket by bucket.
 *
 * Buckets are log-scaled on a 1-2-5 series from 0.5 ms to 60 s (with 30 s, a common
 * timeout, in between), plus an overflow bucket. A value v is counted in the first
 * bucket whose upper bound is >= v (Prometheus' `le`). Each histogram also keeps its
 * sum, its maximum, and a sliding average over about the last 1024 values, which fill
 * HAProxy's qtime/ctime/rtime/ttime and *_max columns.
 */

/** Upper bounds of the finite buckets, in milliseconds (ascending). */
export const BUCKET_BOUNDS_MS: readonly number[] = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000];

const BOUNDS = Float64Array.from(BUCKET_BOUNDS_MS);
const NB = BOUNDS.length;
/** HAProxy averages its time columns over the last 1024 samples. */
const WINDOW = 1024;

export class Histogram {
  /** counts[i] for bucket i (NB finite buckets, then the overflow at index NB). */
  readonly counts = new Float64Array(NB + 1);
  count = 0;
  /** Sum of the recorded values, ms. */
  sum = 0;
  max = 0;
  /** Sliding average over about the last 1024 values, ms. */
  avg = 0;

  record(ms: number): void {
    if (!(ms >= 0)) ms = 0; // clock steps or NaN never make a negative bucket
    let i = 0;
    while (i < NB && ms > BOUNDS[i]!) i++;
    this.counts[i]!++;
    const n = ++this.count;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    this.avg += (ms - this.avg) / (n < WINDOW ? n : WINDOW);
  }

  /**
   * The q-quantile (0 < q <= 1) estimated from the buckets: linear within the bucket
   * that holds it, never above the largest value seen. 0 when empty.
   */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i <= NB; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      if (seen + c >= rank) {
        const lo = i === 0 ? 0 : BOUNDS[i - 1]!;
        const hi = i < NB ? Math.min(BOUNDS[i]!, this.max) : this.max;
        const v = lo + (hi - lo) * ((rank - seen) / c);
        return Math.min(Math.max(v, 0), this.max);
      }
      seen += c;
    }
    return this.max;
  }

  /** Counts at or below each finite bound, then the total (Prometheus' cumulative buckets). */
  cumulative(): number[] {
    const out: number[] = [];
    let n = 0;
    for (let i = 0; i <= NB; i++) { n += this.counts[i]!; out.push(n); }
    return out;
  }
}

/** The four measures kept for one frontend, backend or server. */
export class Latency {
  /** Waiting for a server slot (0 when none was needed). */
  readonly queue = new Histogram();
  /** TCP connection to the server (new connections only; a reused one has none). */
  readonly connect = new Histogram();
  /** From the request sent (HTTP) or the connection established (TCP) to the server's first byte. */
  readonly response = new Histogram();
  /** HTTP: from the request head to the end of the response; TCP: the whole session. */
  readonly total = new Histogram();
}

export type LatencyMeasure = 'queue' | 'connect' | 'response' | 'total';
export const MEASURES: readonly LatencyMeasure[] = ['queue', 'connect', 'response', 'total'];

/**
 * Timestamps and durations of the current transaction of one stream (reset per
 * transaction, allocated once per connection). Durations are -1 until measured.
 */
export class TxnTimes {
  /** performance.now() when the transaction started (HTTP: head parsed; TCP: accept). */
  start = 0;
  /** performance.now() when the request went to the server (HTTP) or the connection was made (TCP). */
  sent = -1;
  /** performance.now() of the current connection attempt. */
  connStart = -1;
  queue = -1;
  connect = -1;
  response = -1;

  begin(now: number): void {
    this.start = now;
    this.sent = this.connStart = this.queue = this.connect = this.response = -1;
  }
}

/** What the record functions need of an object with counters. */
interface HasLatency { readonly lat: Latency }

/**
 * Records a finished transaction (or session) into the frontend's, the backend's and
 * the server's histograms. The frontend gets the total only; a backend and server only
 * what was measured, and nothing when no request reached the server (`sent` unset):
 * a transaction answered by the proxy itself, a connection that failed.
 */
export function recordTxn(t: TxnTimes, now: number, fe: HasLatency | null, be: HasLatency | null, srv: HasLatency | null): void {
  const total = now - t.start;
  if (fe) fe.lat.total.record(total);
  // No request reached a server in this transaction (an answer from the proxy, a failed connect).
  if (!srv || t.sent < 0) return;
  const sl = srv.lat;
  const bl = be ? be.lat : null;
  if (t.queue >= 0) { sl.queue.record(t.queue); bl?.queue.record(t.queue); }
  if (t.connect >= 0) { sl.connect.record(t.connect); bl?.connect.record(t.connect); }
  if (t.response >= 0) { sl.response.record(t.response); bl?.response.record(t.response); }
  sl.total.record(total);
  bl?.total.record(total);
}
