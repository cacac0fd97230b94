/**
 * The live server map of a static algorithm (`static-rr`, and the `map-based` hash
 * lookups): HAProxy's table (map-table.ts) over the usable servers, rebuilt when one
 * goes up or down or its weight becomes 0 or not — the table stays until then, which is
 * what makes these algorithms "static": weights are the configured ones, run-time
 * changes only switch a server off (0) and on.
 *
 * The weights are divided by the common divisor of the *configured* weights (HAProxy's
 * wmult), so the table size — and so `hash % size` and the walking index — is HAProxy's.
 * Built at init; rebuilt lazily (on the first pick after a change) in O(T log n).
 */
import type { LbServer } from './types.ts';
import { buildMap, gcdOf } from './map-table.ts';

export interface ServerMap {
  readonly servers: readonly LbServer[];
  /** Configured weights (at init). */
  readonly configured: readonly number[];
  readonly divisor: number;
  table: Int32Array;
  dirty: boolean;
  /** static-rr's walking position (kept across rebuilds, as HAProxy's rr_idx). */
  next: number;
}

export function createMap(servers: readonly LbServer[]): ServerMap {
  const configured = servers.map((s) => s.weight);
  const m: ServerMap = { servers, configured, divisor: Math.max(1, gcdOf(configured)), table: new Int32Array(0), dirty: true, next: 0 };
  mapTable(m); // built now, from the state at start (HAProxy builds it at start-up too)
  return m;
}

/** Weight of server i in the table: its configured weight while it may serve, else 0. */
function staticWeight(m: ServerMap, i: number): number {
  const s = m.servers[i]!;
  if (!s.usable || s.weight <= 0) return 0;
  const w = m.configured[i]! > 0 ? m.configured[i]! : s.weight;
  return Math.ceil(w / m.divisor);
}

export function mapTable(m: ServerMap): Int32Array {
  if (m.dirty) {
    m.table = buildMap(m.servers.map((_, i) => staticWeight(m, i)));
    m.dirty = false;
  }
  return m.table;
}

export function markDirty(m: ServerMap): void {
  m.dirty = true;
}

/** True when server i may take a request now (live state; hooks may lag behind). */
export function canServe(s: LbServer): boolean {
  return s.usable && s.weight > 0 && s.hasRoom;
}

/**
 * Walks the table from `m.next` (static-rr, and the round-robin fallback of map-based
 * hashing): the first server that can serve and is not `avoid`; `avoid` itself when it
 * is the only one; null when every one is full or down.
 */
export function mapWalk(m: ServerMap, avoid?: LbServer): LbServer | null {
  const table = mapTable(m);
  const n = table.length;
  let fallback: LbServer | null = null;
  let fallbackNext = 0;
  let idx = m.next;
  for (let k = 0; k < n; k++) {
    if (idx >= n) idx = 0;
    const s = m.servers[table[idx++]!]!;
    if (!canServe(s)) continue;
    if (s === avoid) {
      if (!fallback) { fallback = s; fallbackNext = idx; }
      continue;
    }
    m.next = idx;
    return s;
  }
  if (fallback) m.next = fallbackNext;
  return fallback;
}

/** `hash % size` lookup (map-based hashing): the server even when full; null when none. */
export function mapLookup(m: ServerMap, hash: number, avoid?: LbServer): LbServer | null {
  const table = mapTable(m);
  const n = table.length;
  if (n === 0) return null;
  let idx = hash % n;
  const first = m.servers[table[idx]!]!;
  if (first !== avoid && first.usable && first.weight > 0) return first;
  // Avoided (redispatch) or down without the hook yet: the next different server in the table.
  for (let k = 1; k < n; k++) {
    if (++idx >= n) idx = 0;
    const s = m.servers[table[idx]!]!;
    if (s !== avoid && s.usable && s.weight > 0) return s;
  }
  return first.usable && first.weight > 0 ? first : null;
}
