/**
 * Lazy timeouts for the forwarding path.
 *
 * An inactivity timeout is pushed back on every read and write. Done with Node's socket
 * timeouts or a timer's refresh(), each push is a trip through the timer lists (and a
 * call into libuv for the loop time): several per proxied request. A Deadline only
 * stores the new expiry time; its timer, armed at most once per period, looks at that
 * time when it fires and sleeps again for what is left. So a busy connection costs a
 * clock read per push and one timer wake-up per timeout period, and an idle one fires on
 * time. (HAProxy's tasks work the same way: an expiry date, checked when the task wakes.)
 *
 * Contract: set(ms) means "expire ms from now" (ms <= 0: off), replacing any previous
 * expiry, earlier or later; clear() turns it off; stop() also drops the timer (call it
 * when the owner goes away, so no timer outlives it). The callback runs at most once per
 * set(), never after clear() or stop(). Timers are unref'd: they never keep the process up.
 */
import { performance } from 'node:perf_hooks';

/** A timer may fire up to a millisecond early by performance.now(): libuv's clock is coarser. */
const SLACK_MS = 1;

export class Deadline {
  /** Expiry on performance.now()'s clock; 0 when off. */
  private at = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When the pending timer fires (performance.now() clock). */
  private timerAt = 0;
  private readonly onExpire: () => void;

  constructor(onExpire: () => void) {
    this.onExpire = onExpire;
  }

  get armed(): boolean {
    return this.at !== 0;
  }

  /** `now`: the caller's performance.now() reading when it has one (saves a clock read). */
  set(ms: number, now = performance.now()): void {
    if (ms <= 0) { this.at = 0; return; }
    const at = now + ms;
    this.at = at;
    // A pending timer that fires no later than the new expiry checks it then.
    if (this.timer !== null && this.timerAt <= at) return;
    this.schedule(at, ms);
  }

  clear(): void {
    this.at = 0;
  }

  stop(): void {
    this.at = 0;
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
  }

  private schedule(at: number, ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.check, Math.max(1, Math.ceil(ms)));
    this.timer.unref();
  }

  private readonly check = (): void => {
    this.timer = null;
    const at = this.at;
    if (at === 0) return;
    const now = performance.now();
    if (now + SLACK_MS >= at) {
      this.at = 0;
      this.onExpire();
      return;
    }
    this.schedule(at, at - now);
  };
}
