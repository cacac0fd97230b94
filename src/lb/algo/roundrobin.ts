/**
 * `balance roundrobin`: smooth weighted round-robin with dynamic weights, O(log n) per
 * pick, in HAProxy's order (the "fast weighted round-robin" idea of lb_fwrr.c, rebuilt
 * here on binary heaps; orders checked against HAProxy 2.6 in haproxy-orders.json).
 *
 * How it works. Weights are scaled by 16 (HAProxy's BE_WEIGHT_SCALE): the integer
 * arithmetic below then rounds exactly as HAProxy's does, which is what makes the orders
 * identical. Picks happen in *windows* of `currWeight` picks (the total
 * weight when the window opened); `currPos` counts picks. Each server carries `npos`, the
 * position at which it is next due: after being picked it moves `step = total / weight`
 * positions ahead (the remainder accumulates in `rweight` and adds one position when it
 * reaches a whole weight), so a server of weight w comes back every total/w picks.
 * Three heaps hold the servers:
 *   - `curr`: servers placed in this window, by (npos, heavier first, FIFO);
 *   - `init`: servers not placed yet (start-up, after a window switch), heaviest first;
 *   - `next`: servers whose next turn falls after the window, heaviest first.
 * A pick takes the first of `curr` if it is due (npos <= currPos), else the heaviest of
 * `init` (so a new window starts with the heavy servers and light ones fill the holes),
 * else the first of `curr` anyway; when both are empty the window ends: `next` becomes
 * `init`. A server leaving `init` starts afresh at the current position. A server that
 * is full (or to be avoided) is taken out, its turn consumed, and put back after the
 * pick — as if it had been served, so it does not get a burst later.
 *
 * Weight and state changes touch one server, O(log n), and place it as HAProxy does
 * (checked against HAProxy 2.6 with servers going down, up and changing weight): a
 * server coming up gets its share of the rest of the window, a re-weighted one its next
 * turn one new step after its last.
 */
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';
import { SlotHeap } from './heap.ts';

/** HAProxy's weight scale: effective weights are user weights × 16. */
const SCALE = 16;
/** Effective weight of a server of weight 256, the maximum. */
const EW_MAX = 256 * SCALE;

const NONE = 0, INIT = 1, CURR = 2, NEXT = 3;

export interface RrState {
  readonly servers: readonly LbServer[];
  readonly index: Map<LbServer, number>;
  /** Effective weight each server is accounted with (0 = out of the trees). */
  readonly ew: Float64Array;
  readonly npos: Float64Array;
  readonly lpos: Float64Array;
  readonly rweight: Float64Array;
  readonly fresh: Uint8Array;
  readonly tree: Uint8Array;
  /** Insertion order, for FIFO among equal keys. */
  readonly seq: Float64Array;
  /** Second key in `curr` (same npos): weight left to serve, heavier first (HAProxy's key). */
  readonly sec: Float64Array;
  /** Servers stepped over during one pick (reused, empty between picks). */
  readonly skipped: number[];
  nextSeq: number;
  curr: SlotHeap;
  init: SlotHeap;
  next: SlotHeap;
  currWeight: number;
  nextWeight: number;
  currPos: number;
}

function effective(s: LbServer): number {
  return s.usable && s.weight > 0 ? s.weight * SCALE : 0;
}

function create(servers: readonly LbServer[]): RrState {
  const n = servers.length;
  const where = new Int32Array(n).fill(-1);
  const ew = new Float64Array(n);
  const npos = new Float64Array(n);
  const sec = new Float64Array(n);
  const seq = new Float64Array(n);
  const byWeight = (a: number, b: number): boolean => (ew[a]! !== ew[b]! ? ew[a]! > ew[b]! : seq[a]! < seq[b]!);
  const byPos = (a: number, b: number): boolean =>
    npos[a]! !== npos[b]! ? npos[a]! < npos[b]! : sec[a]! !== sec[b]! ? sec[a]! < sec[b]! : seq[a]! < seq[b]!;
  const st: RrState = {
    servers,
    index: new Map(servers.map((s, i) => [s, i])),
    ew, npos, lpos: new Float64Array(n), rweight: new Float64Array(n),
    fresh: new Uint8Array(n).fill(1), tree: new Uint8Array(n), seq, sec, skipped: [], nextSeq: 0,
    curr: new SlotHeap(where, byPos), init: new SlotHeap(where, byWeight), next: new SlotHeap(where, byWeight),
    currWeight: 0, nextWeight: 0, currPos: 0,
  };
  for (let i = 0; i < n; i++) {
    const w = effective(servers[i]!);
    if (w === 0) continue;
    st.ew[i] = w;
    st.nextWeight += w;
    toWeightHeap(st, i, INIT);
  }
  st.currWeight = st.currPos = st.nextWeight;
  return st;
}

function heapOf(st: RrState, tree: number): SlotHeap | null {
  return tree === INIT ? st.init : tree === CURR ? st.curr : tree === NEXT ? st.next : null;
}

function detach(st: RrState, i: number): void {
  heapOf(st, st.tree[i]!)?.remove(i);
  st.tree[i] = NONE;
}

function toWeightHeap(st: RrState, i: number, tree: typeof INIT | typeof NEXT): void {
  st.seq[i] = st.nextSeq++;
  st.tree[i] = tree;
  (tree === INIT ? st.init : st.next).push(i);
}

/** Puts a placed server back: in `curr` if its next turn is inside the window, else in `next`. */
function requeue(st: RrState, i: number): void {
  if (st.ew[i]! === 0) return;
  if (st.npos[i]! >= 2 * st.currWeight || st.npos[i]! >= st.currWeight + st.nextWeight) {
    st.npos[i]! -= st.currWeight;
    toWeightHeap(st, i, NEXT);
  } else {
    st.seq[i] = st.nextSeq++;
    st.sec[i] = Math.floor((EW_MAX + st.rweight[i]! - st.ew[i]!) / SCALE);
    st.tree[i] = CURR;
    st.curr.push(i);
  }
}

/** Moves server i to its next turn (it is being served, or skipped, at currPos). */
function advance(st: RrState, i: number): void {
  const ew = st.ew[i]!;
  const step = Math.floor(st.nextWeight / ew);
  if (st.fresh[i]) {
    st.fresh[i] = 0;
    st.lpos[i] = st.currPos;
    st.npos[i] = st.currPos + step;
  } else {
    st.lpos[i] = st.npos[i]!;
    st.npos[i]! += step;
  }
  st.rweight[i]! += st.nextWeight % ew;
  if (st.rweight[i]! >= ew) {
    st.rweight[i]! -= ew;
    st.npos[i]!++;
  }
}

/** The next candidate, taken out of its heap; -1 when `curr` and `init` are empty. */
function takeCandidate(st: RrState): number {
  const c = st.curr.peek();
  if (c >= 0 && st.npos[c]! <= st.currPos) { detach(st, c); return c; }
  const i = st.init.peek();
  if (i >= 0) {
    // Out of `init`, a server starts afresh from the current position: its place in an
    // earlier window (or before it went down) means nothing any more.
    detach(st, i);
    st.fresh[i] = 1;
    st.rweight[i] = 0;
    return i;
  }
  if (c >= 0) { detach(st, c); return c; }
  return -1;
}

function switchWindow(st: RrState): void {
  const t = st.init;
  st.init = st.next;
  st.next = t;
  for (let k = 0; k < st.init.size; k++) st.tree[st.init.at(k)] = INIT;
  st.currWeight = st.nextWeight;
  st.currPos = st.currWeight;
}

/** Takes a server out of the rotation (down, or weight 0). */
function leave(st: RrState, i: number): void {
  if (st.ew[i]! === 0) return;
  detach(st, i);
  st.nextWeight -= st.ew[i]!;
  st.ew[i] = 0;
}

/**
 * Puts a server (back) into the rotation: its next turn is its share of what is left of
 * the window ahead of the current position — HAProxy's placement, so it neither bursts
 * nor waits a whole window.
 */
function join(st: RrState, i: number, w: number): void {
  st.ew[i] = w;
  st.nextWeight += w;
  st.fresh[i] = 0;
  // Truncated like C's signed division (the rest of the window may be negative late in it).
  st.npos[i] = st.currPos + Math.trunc((st.nextWeight + st.currWeight - st.currPos) / w);
  requeue(st, i);
}

function pick(st: RrState, _req: PickRequest, avoid?: LbServer): LbServer | null {
  // Fast path, same result as the loop below: the first of `curr` is due and can serve,
  // and its next turn stays in this window — re-sift it in place.
  const c = st.curr.peek();
  if (c >= 0 && st.npos[c]! <= st.currPos) {
    const s = st.servers[c]!;
    if (s.hasRoom && s !== avoid && s.usable && s.weight > 0) {
      advance(st, c);
      st.currPos++;
      if (st.npos[c]! < 2 * st.currWeight && st.npos[c]! < st.currWeight + st.nextWeight) {
        st.seq[c] = st.nextSeq++;
        st.sec[c] = Math.floor((EW_MAX + st.rweight[c]! - st.ew[c]!) / SCALE);
        st.curr.update(c);
      } else {
        detach(st, c);
        requeue(st, c);
      }
      return s;
    }
  }
  if (st.currWeight === 0) st.currWeight = st.currPos = st.nextWeight;
  const skipped = st.skipped;
  const avoidIdx = avoid === undefined ? -1 : (st.index.get(avoid) ?? -1);
  let avoided = -1;
  let switched = false;
  let chosen = -1;
  for (;;) {
    let i = takeCandidate(st);
    while (i < 0) {
      if (switched) break;
      switched = true;
      switchWindow(st);
      i = takeCandidate(st);
    }
    if (i < 0) { chosen = avoided; break; }
    const s = st.servers[i]!;
    if (!s.usable || s.weight === 0) {
      // A change the hooks did not announce: drop the server until they do.
      st.tree[i] = NONE;
      st.nextWeight -= st.ew[i]!;
      st.ew[i] = 0;
      continue;
    }
    advance(st, i);
    st.currPos++;
    if (s.hasRoom) {
      if (i !== avoidIdx) { chosen = i; break; }
      avoided = i;
    }
    skipped.push(i);
  }
  if (chosen >= 0) requeue(st, chosen);
  for (const i of skipped) {
    if (i === chosen) continue;
    // After a window switch their place in the old window means nothing: by weight.
    if (switched) toWeightHeap(st, i, INIT);
    else requeue(st, i);
  }
  skipped.length = 0;
  return chosen >= 0 ? st.servers[chosen]! : null;
}

function refresh(st: RrState, s: LbServer): void {
  const i = st.index.get(s);
  if (i === undefined) return;
  const w = effective(s);
  const old = st.ew[i]!;
  if (w === old) return;
  if (w === 0) return leave(st, i);
  if (old === 0) return join(st, i, w);
  // A new weight (HAProxy's rule): not yet placed → re-sorted by weight; placed → the
  // next turn comes one new step after the last one, never later than planned, and at
  // least two positions ahead (else one new step ahead).
  st.nextWeight += w - old;
  st.ew[i] = w;
  const tree = st.tree[i]!;
  detach(st, i);
  if (tree === INIT) return toWeightHeap(st, i, INIT);
  if (tree === NEXT) st.npos[i]! += st.currWeight;
  const planned = st.npos[i]!;
  const step = Math.floor(st.nextWeight / w);
  st.npos[i] = Math.min(st.lpos[i]! + step, planned);
  st.rweight[i] = 0;
  if (st.npos[i]! < st.currPos + 2) st.npos[i] = st.currPos + step;
  requeue(st, i);
}

export const roundrobin: LbAlgorithm<RrState> = {
  name: 'roundrobin',
  needs: 'nothing',
  dynamicWeights: true,
  deterministic: false,
  init: (servers) => create(servers),
  pick,
  onServerUp: refresh,
  onServerDown: refresh,
  onWeight: refresh,
};

/** Round-robin over a set of servers for the other algorithms' fallbacks. */
export const rrCreate = create;
export const rrPick = pick;
export const rrRefresh = refresh;
