/**
 * `balance first`: the usable server with the lowest id that has room takes the request;
 * once it reaches its maxconn the next one fills up, so the farm uses as few servers as
 * possible (the others can be powered down). Weights only switch servers off (0).
 *
 * A segment tree over the servers sorted by id holds one bit per server: "usable, weight
 * > 0, and not seen full". A pick finds the lowest set bit in O(log n) and checks the
 * live `hasRoom`; a server found full has its bit cleared until its next onDrop (or
 * up/weight change) sets it again — so filled servers are not rescanned at every pick.
 * (A server that gains room only because its dynamic maxconn grew is seen again at its
 * next onDrop, which its held connections bring soon.)
 */
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';

export interface FirstState {
  readonly servers: readonly LbServer[];
  /** Slot → position in id order, and back. */
  readonly pos: Map<LbServer, number>;
  readonly byId: readonly LbServer[];
  /** Segment tree of counts over positions; leaves at size + p. */
  readonly tree: Int32Array;
  readonly size: number;
}

function set(st: FirstState, p: number, on: boolean): void {
  let k = st.size + p;
  const v = on ? 1 : 0;
  if (st.tree[k] === v) return;
  st.tree[k] = v;
  for (k >>= 1; k >= 1; k >>= 1) st.tree[k] = st.tree[2 * k]! + st.tree[2 * k + 1]!;
}

/** Lowest set position >= from, or -1. */
function findFrom(st: FirstState, from: number): number {
  if (from >= st.size) return -1;
  // Walk up from the leaf, looking for a right sibling subtree with a set bit.
  let k = st.size + from;
  if (st.tree[k]) return from;
  for (;;) {
    if (k === 1) return -1;
    if ((k & 1) === 0 && st.tree[k + 1]! > 0) { k = k + 1; break; }
    k >>= 1;
  }
  while (k < st.size) k = st.tree[2 * k]! > 0 ? 2 * k : 2 * k + 1;
  return k - st.size;
}

function candidate(s: LbServer): boolean {
  return s.usable && s.weight > 0;
}

function create(servers: readonly LbServer[]): FirstState {
  const byId = [...servers].sort((a, b) => a.id - b.id);
  let size = 1;
  while (size < Math.max(1, byId.length)) size *= 2;
  const st: FirstState = { servers, pos: new Map(byId.map((s, p) => [s, p])), byId, tree: new Int32Array(2 * size), size };
  byId.forEach((s, p) => set(st, p, candidate(s)));
  return st;
}

function pick(st: FirstState, _req: PickRequest, avoid?: LbServer): LbServer | null {
  let avoided: LbServer | null = null;
  for (let p = findFrom(st, 0); p >= 0; p = findFrom(st, p + 1)) {
    const s = st.byId[p]!;
    if (!candidate(s) || !s.hasRoom) { set(st, p, false); continue; }
    if (s === avoid) { avoided = s; continue; }
    return s;
  }
  return avoided;
}

const refresh = (st: FirstState, s: LbServer): void => {
  const p = st.pos.get(s);
  if (p !== undefined) set(st, p, candidate(s));
};

export const first: LbAlgorithm<FirstState> = {
  name: 'first',
  needs: 'nothing',
  dynamicWeights: true,
  deterministic: false,
  init: (servers) => create(servers),
  pick,
  onServerUp: refresh,
  onServerDown: refresh,
  onWeight: refresh,
  onTake: (st, s) => { const p = st.pos.get(s); if (p !== undefined && !s.hasRoom) set(st, p, false); },
  onDrop: refresh,
};
