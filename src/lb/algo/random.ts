/**
 * `balance random[(draws)]`: "power of N choices". Each draw is a random point on the
 * consistent-hash ring (chash-ring.ts: weights respected, run-time changes at once);
 * of the `draws` servers drawn (default 2) the one with the lowest served/weight wins
 * (HAProxy's comparison; on a tie the later draw). `hash-balance-factor` bounds each
 * draw's server as in consistent hashing. A free choice: drawn servers that are full
 * are discarded; when no draw found room, the ring is walked from the last point to the
 * next server with room (null when every server is full). O(draws × log n).
 */
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';
import { createRing, ringDirty, ringDrop, ringLookup, ringTake, ringWalk, type Ring } from './chash-ring.ts';

export interface RandomState {
  readonly ring: Ring;
  readonly draws: number;
  /** A 32-bit random number; tests replace it to replay draws. */
  rand: () => number;
}

const rand32 = (): number => (Math.random() * 0x100000000) >>> 0;

function pick(st: RandomState, _req: PickRequest, avoid?: LbServer): LbServer | null {
  let best: LbServer | null = null;
  for (let d = 0; d < st.draws; d++) {
    const s = ringLookup(st.ring, st.rand(), avoid);
    if (s === null) return null;
    if (!s.hasRoom || s === avoid) continue;
    if (best !== null && best !== s && s.served * best.weight > best.served * s.weight) continue;
    best = s;
  }
  return best ?? ringWalk(st.ring, avoid);
}

export const random: LbAlgorithm<RandomState> = {
  name: 'random',
  needs: 'nothing',
  dynamicWeights: true,
  deterministic: false,
  init: (servers, cfg) => ({ ring: createRing(servers, cfg.hashBalanceFactor), draws: cfg.draws ?? 2, rand: rand32 }),
  pick,
  onServerUp: (st, s) => ringDirty(st.ring, s),
  onServerDown: (st, s) => ringDirty(st.ring, s),
  onWeight: (st, s) => ringDirty(st.ring, s),
  onTake: (st) => ringTake(st.ring),
  onDrop: (st) => ringDrop(st.ring),
};
