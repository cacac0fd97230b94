/**
 * The words the statistics show for a server, a backend and a frontend (HAProxy 2.6's
 * status column): "UP", "DOWN", "no check", "MAINT", "DRAIN", and while a checked server
 * is between states "UP 1/3" (going down: step within fall) or "DOWN 1/2" (going up:
 * step within rise). Check details come from the health-check monitor when the server
 * has one (read-only).
 */
import type { Backend } from '../core/backend.ts';
import type { Server } from '../core/server.ts';
import type { Frontend } from '../core/frontend.ts';
import { monitorOf, type ServerMonitor } from '../check/monitor.ts';
import { STATUS_TEXT, type CheckStatus } from '../check/types.ts';

export function monitor(server: Server): ServerMonitor | undefined {
  return monitorOf(server);
}

/**
 * The last check status, when the monitor exposes it. The monitor keeps it for its log
 * lines and does not publish it yet: read it defensively, show nothing if it is absent.
 */
export function lastCheckStatus(server: Server): CheckStatus | null {
  const m = monitorOf(server) as unknown as { lastStatus?: unknown } | undefined;
  const s = m?.lastStatus;
  return typeof s === 'string' && s in STATUS_TEXT ? (s as CheckStatus) : null;
}

export function serverStatus(s: Server): string {
  if (s.admin === 'maint') return 'MAINT';
  const hc = monitorOf(s)?.check ?? null;
  if (s.health === 'up') {
    const goingDown = hc !== null && hc.health < hc.max;
    if (s.admin === 'drain') return goingDown ? `DRAIN ${hc!.health - hc!.rise + 1}/${hc!.fall}` : 'DRAIN';
    if (goingDown) return `UP ${hc!.health - hc!.rise + 1}/${hc!.fall}`;
    return hc === null ? 'no check' : 'UP';
  }
  if (hc !== null && hc.health > 0) return `DOWN ${hc.health}/${hc.rise}`;
  return 'DOWN';
}

/** The coarse state Prometheus and the page colours use: UP, DOWN, MAINT, DRAIN, NOLB. */
export function serverState(s: Server): 'UP' | 'DOWN' | 'MAINT' | 'DRAIN' | 'NOLB' {
  if (s.admin === 'maint') return 'MAINT';
  if (s.health === 'down') return 'DOWN';
  if (s.admin === 'drain') return 'DRAIN';
  return 'UP';
}

/** A backend without servers (a stats-only listen) counts as UP, as in HAProxy. */
export function backendStatus(be: Backend): 'UP' | 'DOWN' {
  return be.servers.length === 0 || be.usableCount() > 0 ? 'UP' : 'DOWN';
}

export function frontendStatus(fe: Frontend): 'OPEN' | 'FULL' | 'STOP' {
  if (fe.listeners.length === 0) return 'STOP';
  return fe.streams.size >= fe.maxconn ? 'FULL' : 'OPEN';
}
