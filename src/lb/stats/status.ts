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
import { monitorOf, type CheckFacts, type ServerMonitor } from '../check/monitor.ts';
import { STATUS_TEXT, type CheckResult, type CheckStatus } from '../check/types.ts';

export function monitor(server: Server): ServerMonitor | undefined {
  return monitorOf(server);
}

/** The check facts of a server with a monitor (last results, running probe, chkfail). */
export function checkFacts(server: Server): CheckFacts | null {
  return monitorOf(server)?.facts() ?? null;
}

/** The last check status word, null before the first check or without a check. */
export function lastCheckStatus(server: Server): CheckStatus | null {
  return monitorOf(server)?.facts().check?.status ?? null;
}

/** HAProxy's status word for stats: the last result's, INI before the first one. */
export function statusWord(r: CheckResult | null): string {
  return r ? r.status : 'INI';
}

/** The description column (check_desc, agent_desc): HAProxy's text of the status word. */
export function statusDesc(r: CheckResult | null): string {
  return r ? STATUS_TEXT[r.status] : 'Initializing';
}

/** Only layer-7 verdicts carry a response code in stats (check_code, agent_code). */
export function statusCode(r: CheckResult | null): number | undefined {
  if (!r || r.code === undefined) return undefined;
  return r.status === 'L7OK' || r.status === 'L7OKC' || r.status === 'L7STS' ? r.code : undefined;
}

/**
 * Only a check that runs counts here (HAProxy reads its "enabled" bit): a check disabled
 * at run time leaves "no check" on an up server and no progress figures. A stopped
 * server whose running agent said down shows "DOWN (agent)".
 */
export function serverStatus(s: Server): string {
  if (s.admin === 'maint') return 'MAINT';
  const m = monitorOf(s);
  const hc = m?.check && m.checkEnabled ? m.check : null;
  if (s.health === 'up') {
    const goingDown = hc !== null && hc.health < hc.max;
    if (s.admin === 'drain') return goingDown ? `DRAIN ${hc!.health - hc!.rise + 1}/${hc!.fall}` : 'DRAIN';
    if (goingDown) return `UP ${hc!.health - hc!.rise + 1}/${hc!.fall}`;
    return hc === null ? 'no check' : 'UP';
  }
  if (m?.agent && m.agentEnabled && m.agent.health === 0) return 'DOWN (agent)';
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
