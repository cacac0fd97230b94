/**
 * Health checks for a running balancer. startHealthChecks builds one ServerMonitor per
 * server that has `check`, `agent-check` or `track`, links trackers to the servers they
 * follow, and starts the timers. Checks run on the event loop (sockets and timers only).
 *
 * Spreading (HAProxy's start_checks): the first checks of N servers are staggered evenly
 * over the longest first interval, so thousands of servers never check in lockstep; with
 * `spread-checks P`, every later interval moves at random by up to ±P %.
 */
import type { Backend } from '../core/backend.ts';
import { ServerMonitor } from './monitor.ts';
import { warning } from '../../shared/log.ts';

export interface HealthChecks {
  stop(): void;
  /** The monitors, for tests and the runtime API. */
  readonly monitors: readonly ServerMonitor[];
}

export function startHealthChecks(backends: Iterable<Backend>, opts: { spreadChecks?: number } = {}): HealthChecks {
  const list = [...backends];
  const monitors: ServerMonitor[] = [];
  const byName = new Map<string, ServerMonitor>();
  for (const be of list) {
    for (const s of be.servers) {
      const c = s.cfg.check;
      if (!c.enabled && !c.agent && !c.track) continue;
      if ((c.shutdownOnDown || c.shutdownBackupOnUp) && typeof (be as { shutdownSessions?: unknown }).shutdownSessions !== 'function') {
        warning(`Server ${be.name}/${s.name}: 'on-marked-down shutdown-sessions' / 'on-marked-up shutdown-backup-sessions' are not applied yet (the core cannot close a server's sessions).`);
      }
      const m = new ServerMonitor(be, s);
      m.spread = opts.spreadChecks ?? 0;
      monitors.push(m);
      byName.set(`${be.name}/${s.name}`, m);
    }
  }
  for (const m of monitors) {
    const t = m.cfg.track;
    if (!t) continue;
    const target = byName.get(`${t.proxy ?? m.backend.name}/${t.server}`);
    if (!target) {
      warning(`Server ${m.backend.name}/${m.server.name}: tracked server '${t.proxy ? `${t.proxy}/` : ''}${t.server}' has no check; tracking ignored.`);
      continue;
    }
    m.tracking = target;
    target.trackers.push(m);
  }
  const probing = monitors.filter((m) => m.check || m.agent);
  const longest = Math.max(0, ...probing.map((m) => m.firstInterval()));
  probing.forEach((m, i) => {
    const delay = Math.floor((longest * i) / probing.length);
    m.start(delay, delay);
  });
  return {
    monitors,
    stop(): void { for (const m of monitors) m.stop(); },
  };
}
