/**
 * Frequency counters over a period (HAProxy's "freq_ctr_period" semantics, 2.6).
 *
 * A counter keeps the events of the current period (`curr`), those of the period before
 * (`prev`) and when the current period started (`tick`, ms). Periods are aligned on the
 * first event, not on the clock: an event more than one period after `tick` opens the
 * next period (prev ← curr) and more than two periods after drops both (the period then
 * starts at that event). Reading weights the previous period by the fraction of the
 * current period still to run, so the value slides linearly instead of falling to zero
 * at a boundary:  rate = curr + prev × remaining / period  (integer, rounded down).
 * Everything is a plain function over a plain object so a table can hold thousands.
 */

export interface FreqCtr {
  tick: number;
  curr: number;
  prev: number;
}

export function newFreq(): FreqCtr {
  return { tick: 0, curr: 0, prev: 0 };
}

/** Adds `inc` events at time `now` (ms). */
export function freqAdd(f: FreqCtr, period: number, inc: number, now: number): void {
  const elapsed = now - f.tick;
  if (elapsed >= period) {
    if (elapsed < 2 * period) {
      f.prev = f.curr;
      f.tick += period;
    } else {
      f.prev = 0;
      f.tick = now;
    }
    f.curr = 0;
  }
  f.curr += inc;
}

/** Events over the last `period` ms as seen at `now` (the sliding estimate above). */
export function freqRead(f: FreqCtr, period: number, now: number): number {
  let curr = f.curr;
  let prev = f.prev;
  let remain = f.tick + period - now;
  if (remain < 0) {
    // The current period is over: it becomes the previous one, if still within reach.
    remain += period;
    prev = remain >= 0 ? curr : 0;
    curr = 0;
  }
  if (remain < 0) remain = 0;
  if (remain > period) remain = period;
  return Math.floor((prev * remain + curr * period) / period);
}

/*
 * The same counter stored as three numbers at d[i] (tick), d[i+1] (curr), d[i+2] (prev)
 * of a table entry's data array (table.ts keeps entries flat to save memory). Same
 * rules as freqAdd/freqRead above.
 */

export function freqAddAt(d: number[], i: number, period: number, inc: number, now: number): void {
  const elapsed = now - d[i]!;
  if (elapsed >= period) {
    if (elapsed < 2 * period) {
      d[i + 2] = d[i + 1]!;
      d[i] = d[i]! + period;
    } else {
      d[i + 2] = 0;
      d[i] = now;
    }
    d[i + 1] = 0;
  }
  d[i + 1] = d[i + 1]! + inc;
}

export function freqReadAt(d: readonly number[], i: number, period: number, now: number): number {
  return freqRead({ tick: d[i]!, curr: d[i + 1]!, prev: d[i + 2]! }, period, now);
}
