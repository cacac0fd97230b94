/**
 * `balance roundrobin`: weighted round-robin with dynamic weights.
 *
 * Each pick adds every usable server's weight to its running score and takes the
 * server with the highest score *bucket* floor((score + total) / total) — ties go to
 * the earlier-declared server — then subtracts the total weight from the winner. This
 * is HAProxy's own map scoring (lb_map.c), so a cycle has exactly each server's share,
 * heavy servers' turns are spread out, and equal weights give plain declaration order.
 * A weight change takes effect on the next pick. O(n) per pick; the weighted tree for
 * thousands of servers comes with the balancing issue.
 */
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';

interface RrState {
  servers: readonly LbServer[];
  score: Float64Array;
}

function pick(st: RrState, _req: PickRequest, avoid?: LbServer): LbServer | null {
  const { servers, score } = st;
  let total = 0;
  let others = 0;
  for (const s of servers) {
    if (!s.usable || s.weight === 0 || !s.hasRoom) continue;
    total += s.weight;
    if (s !== avoid) others++;
  }
  if (total === 0) return null;
  const skipAvoid = others > 0;
  let best = -1;
  let bestBucket = -Infinity;
  for (let i = 0; i < servers.length; i++) {
    const s = servers[i]!;
    if (!s.usable || s.weight === 0 || !s.hasRoom) continue;
    score[i]! += s.weight;
    if (skipAvoid && s === avoid) continue;
    const bucket = Math.floor((score[i]! + total) / total);
    if (bucket > bestBucket) { best = i; bestBucket = bucket; }
  }
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
  deterministic: false,
  init: (servers) => ({ servers, score: new Float64Array(servers.length) }),
  pick,
  onServerUp: reset,
  onServerDown: reset,
  onWeight: reset,
};
