/**
 * Process-wide accept rates: global `maxconnrate` / `maxsessrate` and their run-time
 * forms `set rate-limit connections|sessions global N` (HAProxy's cps_lim / sps_lim).
 *
 * Counting follows HAProxy's per-second frequency counter: two numbers, the events of
 * the current wall-clock second and those of the previous one. The rate over the last
 * 1000 ms is estimated as `curr + prev × (part of the previous second still inside the
 * window)`: constant memory, whatever the limit, and the same figures `show info`
 * prints (ConnRate, SessRate) and the same peaks (MaxConnRate, MaxSessRate).
 *
 * Enforcement pauses accepting rather than refusing, as HAProxy pauses its listeners:
 * a connection arriving while the rate is at its limit is held unread in the
 * frontend's FIFO (the one maxconn uses), and the runtime wakes the frontends after
 * wait() ms, when the estimate has dropped below the limit. A client sees a slow
 * accept, never a reset.
 */

const PERIOD = 1000;

export class FreqCounter {
  private sec = 0;
  private curr = 0;
  private prev = 0;
  /** Highest rate() seen right after an event (show info MaxConnRate / MaxSessRate). */
  peak = 0;

  /** Moves the two buckets forward to the second containing `now`. */
  private rotate(now: number): void {
    const sec = Math.floor(now / PERIOD);
    if (sec === this.sec) return;
    this.prev = sec === this.sec + 1 ? this.curr : 0;
    this.curr = 0;
    this.sec = sec;
  }

  add(now = Date.now()): void {
    this.rotate(now);
    this.curr++;
    const r = this.rate(now);
    if (r > this.peak) this.peak = r;
  }

  /** Events in the last second (the two-bucket estimate, rounded down as HAProxy does). */
  rate(now = Date.now()): number {
    this.rotate(now);
    const left = PERIOD - (now % PERIOD);
    return this.curr + Math.floor((this.prev * left) / PERIOD);
  }

  /** ms to wait before one more event keeps the rate within `limit`; 0: now. 0 as limit means none. */
  wait(limit: number, now = Date.now()): number {
    if (limit <= 0 || this.rate(now) < limit) return 0;
    const into = now % PERIOD;
    if (this.curr < limit && this.prev > 0) {
      // Within this second: prev's share shrinks linearly; find when curr + share < limit.
      const t = Math.ceil(PERIOD * (1 - (limit - this.curr) / this.prev)) + 1;
      if (t < PERIOD) return Math.max(1, t - into);
    }
    // The current second is full: in the next one, curr becomes prev.
    const next = PERIOD - into;
    if (this.curr < limit) return next;
    return next + Math.max(1, Math.ceil(PERIOD * (1 - limit / this.curr)) + 1);
  }

  reset(): void {
    this.curr = this.prev = this.peak = 0;
  }
}
