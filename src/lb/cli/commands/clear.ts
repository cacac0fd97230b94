/**
 * `clear counters [all]`: without `all` (operator), the maximums (sessions, queues,
 * rates) start again from the current values; with `all` (admin), every counter returns to zero — except the gauges
 * of what is in progress now (current sessions and queue lengths), which stay true.
 */
import type { CliCommand } from '../types.ts';
import type { Runtime } from '../../core/runtime.ts';
import { newCounters, type Counters } from '../../core/counters.ts';
import { LEVEL_RANK, PERMISSION_DENIED } from '../types.ts';
import { resetSamples } from '../../stats/sampler.ts';

function everyCounters(rt: Runtime): Counters[] {
  const out: Counters[] = rt.frontends.map((fe) => fe.feCounters);
  for (const be of rt.backends.values()) {
    out.push(be.counters);
    for (const s of be.servers) out.push(s.counters);
  }
  return out;
}

export const clearCounters: CliCommand = {
  words: ['clear', 'counters'], usage: 'clear counters [all]', help: 'restart maximums from current values (all: zero every counter)', level: 'operator',
  run(rt, args, session) {
    const all = args[0] === 'all';
    if (all && LEVEL_RANK[session.level] < LEVEL_RANK.admin) return PERMISSION_DENIED;
    for (const c of everyCounters(rt)) {
      if (all) Object.assign(c, newCounters(), { scur: c.scur, qcur: c.qcur, smax: c.scur, qmax: c.qcur });
      else { c.smax = c.scur; c.qmax = c.qcur; }
      resetSamples(c, all);
    }
    return '';
  },
};
