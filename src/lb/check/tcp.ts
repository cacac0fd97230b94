/**
 * The plain check (`check` without option httpchk / tcp-check): the server is healthy
 * when a TCP connection opens within the bound (HAProxy's L4OK), and the connection is
 * closed at once. Also the shared wording of connection failures for every probe.
 */
import type { CheckResult, ProbeTarget } from './types.ts';
import { ProbeConn, type ConnectOutcome } from './conn.ts';

export async function probeConnect(target: ProbeTarget): Promise<CheckResult> {
  const conn = new ProbeConn(target);
  try {
    const c = await conn.connect();
    if (!c.ok) return connectFailure(conn, c);
    return { outcome: 'passed', status: 'L4OK', durationMs: conn.elapsed };
  } finally {
    conn.close();
  }
}

/** L4TOUT / L4CON for a failed connect; `step` adds HAProxy's " at step N of …" suffix. */
export function connectFailure(conn: ProbeConn, c: Extract<ConnectOutcome, { ok: false }>, step = ''): CheckResult {
  if (c.timeout) return { outcome: 'failed', status: 'L4TOUT', durationMs: conn.elapsed, ...(step ? { info: step.trimStart() } : {}) };
  return { outcome: 'failed', status: 'L4CON', info: `${c.info}${step}`, durationMs: conn.elapsed };
}
