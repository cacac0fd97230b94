/**
 * HAProxy's consistent-hash ring (lb_chash.c), for `hash-type consistent` and `random`.
 *
 * Each usable server owns `weight × 16` points on a 32-bit circle; point j of the server
 * with id `id` sits at avalanche(id × 4096 + j) — so a server keeps its points whatever
 * the other servers do, and removing one of N servers moves only the keys it owned
 * (about 1/N). A key goes to the *nearest* point, before or after it (ties: before), as
 * in HAProxy; when that server is to be avoided, or is over its bounded load
 * (`hash-balance-factor`), the walk continues clockwise.
 *
 * The ring is sorted once as `point × 2^20 + slot` (exact in a double: 32 + 20 bits), then
 * kept as two arrays (points, owners) plus an index by the points' top 16 bits, so a
 * lookup is a binary search within one of 65,536 buckets: O(log N) at worst, a few steps
 * in practice. It is rebuilt lazily after a change (O(N log N),
 * N = points) — or, when few servers changed, by replacing just their points (O(N));
 * either keeps the round-robin walk's position by index.
 *
 * Bounded load (hash-balance-factor F): a server may take a request while its `served`
 * is below its share of (total served + 1) × F / 100, shares split by weight the way
 * HAProxy does (whole slots per weight unit, the remainder by cumulative weight in
 * declaration order — kept in a Fenwick tree so the check is O(log n)). Totals count
 * the servers of this instance (active or backup), tracked through onTake/onDrop.
 */
import type { LbServer } from './types.ts';
import { avalanche } from './hash-fn.ts';

const SCALE = 16;
const SLOT_BITS = 2 ** 20;

export interface Ring {
  readonly servers: readonly LbServer[];
  readonly index: Map<LbServer, number>;
  readonly factor: number;
  /** Ring points in increasing order, and the server slot owning each. */
  keys: Uint32Array;
  slots: Int32Array;
  /** First point index whose top 16 bits are >= b, for b in 0..65536: narrows each search. */
  buckets: Int32Array;
  /** Effective weight (×16) each server had at the last rebuild; 0 = not on the ring. */
  ew: Float64Array;
  /** Fenwick tree of `ew`, for the cumulative weights of bounded load. */
  fenwick: Float64Array;
  totalWeight: number;
  totalServed: number;
  dirty: boolean;
  /** Servers changed since the last build (null: build everything). */
  changed: Set<number> | null;
  /** Round-robin walk position (fallback when a request has no key). */
  last: number;
}

export function createRing(servers: readonly LbServer[], factor: number): Ring {
  return {
    servers, index: new Map(servers.map((s, i) => [s, i])), factor,
    keys: new Uint32Array(0), slots: new Int32Array(0), buckets: new Int32Array(65537), ew: new Float64Array(servers.length), fenwick: new Float64Array(servers.length + 1),
    totalWeight: 0, totalServed: servers.reduce((t, s) => t + s.served, 0), dirty: true, changed: null, last: -1,
  };
}

/** Marks the ring stale: for one server (its points are replaced at the next lookup), or all. */
export function ringDirty(r: Ring, s?: LbServer): void {
  r.dirty = true;
  const i = s === undefined ? undefined : r.index.get(s);
  if (i === undefined) r.changed = null;
  else r.changed?.add(i);
}

export function ringTake(r: Ring): void { r.totalServed++; }
export function ringDrop(r: Ring): void { if (r.totalServed > 0) r.totalServed--; }

const weightOf = (s: LbServer): number => (s.usable && s.weight > 0 ? s.weight * SCALE : 0);

/** Packed points (point × 2^20 + slot) of server i at weight w, sorted. */
function pointsOf(r: Ring, i: number, w: number): Float64Array {
  const pts = new Float64Array(w);
  const base = r.servers[i]!.id * 4096;
  for (let j = 0; j < w; j++) pts[j] = avalanche((base + j) >>> 0) * SLOT_BITS + i;
  return pts.sort();
}

function indexBuckets(r: Ring): void {
  const count = r.keys.length;
  let k = 0;
  for (let b = 0; b <= 65536; b++) {
    while (k < count && r.keys[k]! >>> 16 < b) k++;
    r.buckets[b] = k;
  }
  if (r.last >= count) r.last = -1;
  r.dirty = false;
  r.changed = new Set();
}

/**
 * Replaces the points of the changed servers only: one pass dropping their old points,
 * one merge with their new ones — O(N + k log k) instead of sorting all N points again
 * (a server going up or down in a 10,000-server farm costs a few milliseconds, not tens).
 */
function update(r: Ring, changed: Set<number>): void {
  const n = r.servers.length;
  const isChanged = new Uint8Array(n);
  const fresh: Float64Array[] = [];
  let added = 0;
  for (const i of changed) {
    isChanged[i] = 1;
    const w = weightOf(r.servers[i]!);
    const delta = w - r.ew[i]!;
    r.ew[i] = w;
    r.totalWeight += delta;
    for (let k = i + 1; k <= n; k += k & -k) r.fenwick[k]! += delta;
    if (w > 0) { fresh.push(pointsOf(r, i, w)); added += w; }
  }
  const incoming = new Float64Array(added);
  let p = 0;
  for (const f of fresh) { incoming.set(f, p); p += f.length; }
  incoming.sort();
  const { keys, slots } = r;
  let kept = 0;
  for (let k = 0; k < slots.length; k++) if (!isChanged[slots[k]!]) kept++;
  const nk = new Uint32Array(kept + added);
  const ns = new Int32Array(kept + added);
  let a = 0;
  let b = 0;
  for (let o = 0; o < nk.length; o++) {
    while (a < keys.length && isChanged[slots[a]!]) a++;
    const fromOld = a < keys.length && (b >= added || keys[a]! * SLOT_BITS + slots[a]! < incoming[b]!);
    if (fromOld) {
      nk[o] = keys[a]!;
      ns[o] = slots[a++]!;
    } else {
      nk[o] = Math.floor(incoming[b]! / SLOT_BITS);
      ns[o] = incoming[b++]! % SLOT_BITS;
    }
  }
  r.keys = nk;
  r.slots = ns;
  indexBuckets(r);
}

function rebuild(r: Ring): void {
  const n = r.servers.length;
  let count = 0;
  r.fenwick.fill(0);
  r.totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const w = weightOf(r.servers[i]!);
    r.ew[i] = w;
    count += w;
    r.totalWeight += w;
    for (let k = i + 1; k <= n; k += k & -k) r.fenwick[k]! += w;
  }
  const pts = new Float64Array(count);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const base = r.servers[i]!.id * 4096;
    for (let j = 0; j < r.ew[i]!; j++) pts[p++] = avalanche((base + j) >>> 0) * SLOT_BITS + i;
  }
  pts.sort();
  // Split for the lookups: 4-byte keys make the binary search cache-friendlier.
  r.keys = new Uint32Array(count);
  r.slots = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    r.keys[k] = Math.floor(pts[k]! / SLOT_BITS);
    r.slots[k] = pts[k]! % SLOT_BITS;
  }
  indexBuckets(r);
}

function ready(r: Ring): void {
  if (!r.dirty) return;
  if (r.changed !== null && r.changed.size <= r.servers.length / 8) update(r, r.changed);
  else rebuild(r);
}

/** Sum of the weights of the servers declared before slot i. */
function cumulative(r: Ring, i: number): number {
  let sum = 0;
  for (let k = i; k > 0; k -= k & -k) sum += r.fenwick[k]!;
  return sum;
}

/** Bounded load: may server i take one more request? (HAProxy's arithmetic, in ×16 units.) */
export function eligible(r: Ring, i: number): boolean {
  if (r.factor === 0 || r.totalWeight === 0) return true;
  const ew = r.ew[i]!;
  const totSlots = Math.floor(((r.totalServed + 1) * r.factor + 99) / 100);
  const perWeight = Math.floor(totSlots / r.totalWeight);
  const rem = totSlots % r.totalWeight;
  const cum = cumulative(r, i);
  let slots = ew * perWeight + Math.floor(((cum + ew) * rem) / r.totalWeight) - Math.floor((cum * rem) / r.totalWeight);
  if (slots === 0) slots = 1;
  return r.servers[i]!.served < slots;
}

/** Index of the first point at or after `key`, wrapping to 0. */
function lowerBound(r: Ring, key: number): number {
  const keys = r.keys;
  const b = key >>> 16;
  let lo = r.buckets[b]!;
  let hi = r.buckets[b + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo === keys.length ? 0 : lo;
}

/**
 * The server for `hash` (a deterministic pick: returned even when full). Walks clockwise
 * past `avoid`, past servers a missing hook left on the ring, and past servers over their
 * bounded load; if none qualifies, the nearest usable server.
 */
export function ringLookup(r: Ring, hash: number, avoid?: LbServer): LbServer | null {
  ready(r);
  const { keys, slots } = r;
  const n = keys.length;
  if (n === 0) return null;
  let at = lowerBound(r, hash);
  const prev = at === 0 ? n - 1 : at - 1;
  const dp = (hash - keys[prev]!) >>> 0;
  const dn = (keys[at]! - hash) >>> 0;
  if (dp <= dn) at = prev;
  let firstUsable: LbServer | null = null;
  for (let k = 0; k < n; k++, at = at + 1 === n ? 0 : at + 1) {
    const i = slots[at]!;
    const s = r.servers[i]!;
    if (!s.usable || s.weight <= 0) continue;
    firstUsable ??= s;
    if (s === avoid) continue;
    if (!eligible(r, i)) continue;
    return s;
  }
  return firstUsable;
}

/** Round-robin over the ring's points (HAProxy's fallback): skips full servers and `avoid`. */
export function ringWalk(r: Ring, avoid?: LbServer): LbServer | null {
  ready(r);
  const n = r.slots.length;
  let fallback: LbServer | null = null;
  let fallbackAt = -1;
  let at = r.last;
  for (let k = 0; k < n; k++) {
    at = at + 1 >= n ? 0 : at + 1;
    const s = r.servers[r.slots[at]!]!;
    if (!s.usable || s.weight <= 0 || !s.hasRoom) continue;
    if (s === avoid) {
      if (fallbackAt < 0) { fallback = s; fallbackAt = at; }
      continue;
    }
    r.last = at;
    return s;
  }
  if (fallback) r.last = fallbackAt;
  return fallback;
}

/** Number of points on the ring (for tests). */
export function ringSize(r: Ring): number {
  ready(r);
  return r.keys.length;
}
