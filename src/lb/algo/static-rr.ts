/**
 * `balance static-rr`: weighted round-robin over the weights the configuration gave,
 * precomputed once (HAProxy: "static", weight changes at run time have no effect on the
 * order). The cycle is built with HAProxy's map scoring (lb_map.c: highest
 * floor((score + total) / total), ties to the earlier server), so the order is HAProxy's
 * exactly. O(1) per pick, plus a skip over servers that are down.
 */
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';

interface StaticState {
  cycle: LbServer[];
  next: number;
}

function buildCycle(servers: readonly LbServer[]): LbServer[] {
  const score = new Float64Array(servers.length);
  const total = servers.reduce((t, s) => t + s.weight, 0);
  const cycle: LbServer[] = [];
  for (let n = 0; n < total; n++) {
    let best = -1;
    for (let i = 0; i < servers.length; i++) {
      if (servers[i]!.weight === 0) continue;
      score[i]! += servers[i]!.weight;
      if (best < 0 || Math.floor((score[i]! + total) / total) > Math.floor((score[best]! + total) / total)) best = i;
    }
    score[best]! -= total;
    cycle.push(servers[best]!);
  }
  return cycle;
}

export const staticRr: LbAlgorithm<StaticState> = {
  name: 'static-rr',
  needs: 'nothing',
  dynamicWeights: false,
  deterministic: false,
  init: (servers) => ({ cycle: buildCycle(servers), next: 0 }),
  pick(st, _req, avoid) {
    const n = st.cycle.length;
    let fallback: LbServer | null = null;
    for (let k = 0; k < n; k++) {
      const s = st.cycle[st.next]!;
      st.next = (st.next + 1) % n;
      if (!s.usable || s.weight === 0 || !s.hasRoom) continue;
      if (s === avoid) { fallback = s; continue; }
      return s;
    }
    return fallback;
  },
};
