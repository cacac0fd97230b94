/**
 * HAProxy's state-change lines, word for word, as measured on HAProxy 2.6's stderr:
 *   Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused",
 *     check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active,
 *     0 requeued, 0 remaining in queue.
 *   Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 2ms.
 *     1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
 *   Server b3/t1 is DOWN via b2/h1. 2 active and 0 backup servers left. …
 *   Health check for server be/s1 failed, reason: …, check duration: 0ms, status: 0/2 DOWN.
 *   backend 'be' has no server available!
 * Backup servers are "Backup Server …"; "Running on backup." follows the counts when
 * only backup servers are left.
 */
import type { CheckResult } from './types.ts';
import { STATUS_TEXT } from './types.ts';

/** "reason: X[, code: N][, info: "I"], check duration: Nms" */
export function reasonText(r: CheckResult): string {
  let s = `reason: ${STATUS_TEXT[r.status]}`;
  if (r.code !== undefined) s += `, code: ${r.code}`;
  if (r.info) s += `, info: "${r.info}"`;
  return `${s}, check duration: ${r.durationMs}ms`;
}

export interface Counts {
  active: number;
  backup: number;
}

export interface ChangeLine {
  backend: string;
  server: string;
  backup: boolean;
  /** 'DOWN' | 'UP' | 'stopping' (disable-on-404). */
  state: 'DOWN' | 'UP' | 'stopping';
  /** The check result that caused it; omitted with log-health-checks or via tracking. */
  result?: CheckResult;
  /** "proxy/server" when the change follows a tracked server. */
  via?: string;
  counts: Counts;
  sessions: number;
  requeued: number;
  queued: number;
}

export function stateLine(c: ChangeLine): string {
  let s = `${c.backup ? 'Backup ' : ''}Server ${c.backend}/${c.server} is ${c.state}`;
  if (c.via) s += ` via ${c.via}`;
  else if (c.result) s += `, ${reasonText(c.result)}`;
  const onBackup = c.counts.active === 0 && c.counts.backup > 0 ? ' Running on backup.' : '';
  if (c.state === 'DOWN') {
    return `${s}. ${c.counts.active} active and ${c.counts.backup} backup servers left.${onBackup} ${c.sessions} sessions active, ${c.requeued} requeued, ${c.queued} remaining in queue.`;
  }
  return `${s}. ${c.counts.active} active and ${c.counts.backup} backup servers online.${onBackup} ${c.requeued} sessions requeued, ${c.queued} total in queue.`;
}

/** `option log-health-checks`: "Health check for [backup ]server be/s succeeded, …, status: 3/3 UP." */
export function healthLine(kind: 'Health' | 'Agent', backend: string, server: string, backup: boolean, r: CheckResult, position: string): string {
  const verdict = r.outcome === 'condpass' ? 'conditionally succeeded' : r.outcome === 'failed' ? 'failed' : 'succeeded';
  return `${kind} check for ${backup ? 'backup ' : ''}server ${backend}/${server} ${verdict}, ${reasonText(r)}, status: ${position}.`;
}

export function noServerLine(backend: string): string {
  return `backend '${backend}' has no server available!`;
}
