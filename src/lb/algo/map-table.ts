/**
 * HAProxy's server map (lb_map.c): a table of `total weight` entries in which each
 * server appears `weight` times, spread out. `static-rr` walks it; `hash-type map-based`
 * indexes it with `hash % size`.
 *
 * The order is HAProxy's scoring: at step k every server adds its weight to its score,
 * the server with the highest floor((score + T) / T) wins (ties to the earlier-declared
 * server) and loses T. Written out, the winner is the server maximising
 * D = floor(k·w / T) − (times picked so far). HAProxy recomputes every score at every
 * step (O(T·n)); here D only changes when floor(k·w/T) steps up — T events in all, kept
 * in a heap by due step — and the best D is found in per-value buckets ordered by
 * declaration: O(T log n) for the whole table.
 *
 * Weights are divided by their common divisor first (as HAProxy does): the table with
 * weights k·w is the table with weights w repeated k times, so both the order and
 * `hash % size` lookups are unchanged, and the table is smaller.
 */
import { SlotHeap } from './heap.ts';

export function gcdOf(weights: readonly number[]): number {
  let g = 0;
  for (let w of weights) {
    let a = g;
    while (w) { const t = a % w; a = w; w = t; }
    g = a;
  }
  return g;
}

/**
 * The map for `weights` (0 = not in the map): an array of server indexes, of length
 * sum(weights). Callers divide by the common divisor beforehand when they want to.
 */
export function buildMap(weights: readonly number[]): Int32Array {
  const n = weights.length;
  let total = 0;
  for (const w of weights) total += w;
  const map = new Int32Array(total);
  if (total === 0) return map;
  // due[i]: step at which floor(k·w/T) next increases; m[i]: its current value.
  const due = new Float64Array(n);
  const m = new Float64Array(n);
  const d = new Int32Array(n);
  const where = new Int32Array(n).fill(-1);
  const events = new SlotHeap(new Int32Array(n).fill(-1), (a, b) => due[a]! < due[b]! || (due[a] === due[b] && a < b));
  // Buckets of servers by D, each a heap by declaration order. D stays within a few units.
  const buckets = new Map<number, SlotHeap>();
  const bucket = (v: number): SlotHeap => {
    let b = buckets.get(v);
    if (!b) { b = new SlotHeap(where, (a, c) => a < c); buckets.set(v, b); }
    return b;
  };
  let maxD = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (w <= 0) continue;
    due[i] = Math.ceil(total / w);
    events.push(i);
    bucket(0).push(i);
  }
  for (let k = 1; k <= total; k++) {
    while (events.size > 0 && due[events.peek()]! === k) {
      const i = events.pop();
      buckets.get(d[i]!)!.remove(i);
      d[i]!++;
      bucket(d[i]!).push(i);
      if (d[i]! > maxD) maxD = d[i]!;
      m[i]!++;
      due[i] = Math.ceil(((m[i]! + 1) * total) / weights[i]!);
      if (m[i]! < weights[i]!) events.push(i);
    }
    let b = buckets.get(maxD);
    while (!b || b.size === 0) b = buckets.get(--maxD);
    const best = b.pop();
    map[k - 1] = best;
    d[best]!--;
    bucket(d[best]!).push(best);
  }
  return map;
}

/** The same table computed the way HAProxy describes it, O(T·n): the reference for tests. */
export function buildMapNaive(weights: readonly number[]): Int32Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const score = new Float64Array(weights.length);
  const map = new Int32Array(total);
  for (let o = 0; o < total; o++) {
    let best = -1;
    let max = 0;
    for (let i = 0; i < weights.length; i++) {
      if (weights[i]! <= 0) continue;
      score[i]! += weights[i]!;
      const v = Math.floor((score[i]! + total) / total);
      if (best < 0 || v > max) { max = v; best = i; }
    }
    map[o] = best;
    score[best]! -= total;
  }
  return map;
}
