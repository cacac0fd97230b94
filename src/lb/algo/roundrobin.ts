/**
 * `balance roundrobin`: smooth weighted round-robin with dynamic weights.
 *
 * Each pick adds every usable server's weight to its running score, takes the highest
 * score (ties go to the earlier-declared server) and subtracts the total weight from
 * it. With weights 5,1,1 this yields a a b a c a a — spread out, never bursts of one
 * server — and with equal weights it is the plain declaration order HAProxy users
 * expect. A weight change takes effect on the next pick. O(n) per pick; the weighted
 * tree for thousands of servers comes with the balancing issue.
 */
import type { LbAlgorithm, LbServer } from './types.ts';

interface RrState {
  servers: readonly LbServer[];
  score: Float64Array;
}

function pick(st: RrState, avoid?: LbServer): LbServer | null {
  let best = -1;
  let total = 0;
  const { servers, score } = st;
  for (let pass = 0; pass < 2 && best < 0; pass++) {
    total = 0;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i]!;
      if (!s.usable || s.weight === 0 || (pass === 0 && s === avoid)) continue;
      score[i]! += s.weight;
      total += s.weight;
      if (best < 0 || score[i]! > score[best]!) best = i;
    }
  }
  if (best < 0) return null;
  score[best]! -= total;
  return servers[best]!;
}

function reset(st: RrState, server: LbServer): void {
  const i = st.servers.indexOf(server);
  if (i >= 0) st.score[i] = 0;
}

export const roundrobin: LbAlgorithm<RrState> = {
  name: 'roundrobin',
  needs: 'nothing',
  dynamicWeights: true,
  init: (servers) => ({ servers, score: new Float64Array(servers.length) }),
  pick,
  onServerUp: reset,
  onServerDown: reset,
  onWeight: reset,
};
