/**
 * `balance leastconn`: the server serving the fewest requests relative to its weight.
 *
 * Servers sit in a heap keyed as in HAProxy: 0 while idle, else
 * floor((served + 1) × 4096 / (weight × 16)); equal keys are served first-in first-out,
 * and a server is re-queued (at the back of its key) whenever its load changes — so idle
 * servers, and servers with the same load, take turns (round-robin ties). With every
 * server idle, weights do not matter: they weigh loads, and there is none to weigh.
 * O(log n) per pick and per connection taken or dropped (onTake/onDrop); full servers
 * and `avoid` are stepped over (O(k log n) for k of them), as in HAProxy.
 */
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';
import { SlotHeap } from './heap.ts';

export interface LcState {
  readonly servers: readonly LbServer[];
  readonly index: Map<LbServer, number>;
  readonly key: Float64Array;
  readonly seq: Float64Array;
  nextSeq: number;
  readonly heap: SlotHeap;
}

function keyOf(s: LbServer): number {
  return s.served > 0 ? Math.floor(((s.served + 1) * 4096) / (s.weight * 16)) : 0;
}

function place(st: LcState, i: number): void {
  const s = st.servers[i]!;
  const inHeap = st.heap.has(i);
  if (!s.usable || s.weight <= 0) {
    if (inHeap) st.heap.remove(i);
    return;
  }
  const k = keyOf(s);
  if (inHeap && k === st.key[i]) return;
  st.key[i] = k;
  st.seq[i] = st.nextSeq++;
  if (inHeap) st.heap.update(i);
  else st.heap.push(i);
}

function create(servers: readonly LbServer[]): LcState {
  const n = servers.length;
  const key = new Float64Array(n);
  const seq = new Float64Array(n);
  const heap = new SlotHeap(new Int32Array(n).fill(-1), (a, b) => key[a]! !== key[b]! ? key[a]! < key[b]! : seq[a]! < seq[b]!);
  const st: LcState = { servers, index: new Map(servers.map((s, i) => [s, i])), key, seq, nextSeq: 0, heap };
  for (let i = 0; i < n; i++) place(st, i);
  return st;
}

function pick(st: LcState, _req: PickRequest, avoid?: LbServer): LbServer | null {
  const top = st.heap.peek();
  if (top >= 0) {
    const s = st.servers[top]!;
    if (s.hasRoom && s !== avoid && s.usable && s.weight > 0) return s;
  }
  const out: number[] = [];
  let chosen = -1;
  let avoided = -1;
  while (st.heap.size > 0) {
    const i = st.heap.pop();
    out.push(i);
    const s = st.servers[i]!;
    if (!s.usable || s.weight <= 0 || !s.hasRoom) continue;
    if (s === avoid) { avoided = i; continue; }
    chosen = i;
    break;
  }
  // Put back what was looked at, keys and order unchanged (the pick itself re-queues
  // nothing: the connection the backend takes does, through onTake).
  for (const i of out) {
    const s = st.servers[i]!;
    if (s.usable && s.weight > 0) st.heap.push(i);
  }
  if (chosen < 0) chosen = avoided;
  return chosen >= 0 ? st.servers[chosen]! : null;
}

const update = (st: LcState, s: LbServer): void => {
  const i = st.index.get(s);
  if (i !== undefined) place(st, i);
};

export const leastconn: LbAlgorithm<LcState> = {
  name: 'leastconn',
  needs: 'nothing',
  dynamicWeights: true,
  deterministic: false,
  init: (servers) => create(servers),
  pick,
  onServerUp: update,
  onServerDown: update,
  onWeight: (st, s) => {
    const i = st.index.get(s);
    if (i === undefined) return;
    st.key[i] = -1; // force a re-key even if the load is unchanged
    place(st, i);
  },
  onTake: update,
  onDrop: update,
};
