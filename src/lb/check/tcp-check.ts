/**
 * `option tcp-check`: runs the proxy's tcp-check ruleset on one connection (or several,
 * when `connect` steps open new ones). A ruleset without a first `connect` starts with
 * an implicit one to the check address. `send` drops what was received so far (a new
 * exchange begins); `expect` waits for more bytes until its pattern is found, the server
 * closes or the probe's time is up — exactly when HAProxy concludes, with its wording
 * ("TCPCHK did not match content 'OK' at step 2").
 *
 * Steps are numbered from 1 in the order written (the implicit connect has no number).
 */
import type { CheckRule, ExpectRule } from './config.ts';
import type { CheckResult, ProbeTarget } from './types.ts';
import { ProbeConn } from './conn.ts';
import { connectFailure } from './tcp.ts';

export async function runTcpCheck(target: ProbeTarget, rules: readonly CheckRule[]): Promise<CheckResult> {
  const conn = new ProbeConn(target);
  try {
    if (rules[0]?.kind !== 'connect') {
      const c = await conn.connect();
      if (!c.ok) return connectFailure(conn, c, ' at initial connection step of tcp-check');
    }
    let layer7 = false;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      const step = i + 1;
      if (r.kind === 'connect') {
        conn.close();
        const c = await conn.connect(r.addr ?? target.host, r.port || target.port);
        if (!c.ok) return connectFailure(conn, c, ` at step ${step} of tcp-check (connect${r.port ? ` port ${r.port}` : ''})`);
      } else if (r.kind === 'send') {
        conn.reset();
        conn.write(r.data);
        layer7 = true;
      } else if (r.kind === 'expect') {
        layer7 = true;
        const failed = await expectStep(conn, r, step);
        if (failed) return failed;
      }
    }
    return layer7 ? { outcome: 'passed', status: 'L7OK', code: 0, info: '(tcp-check)', durationMs: conn.elapsed }
      : { outcome: 'passed', status: 'L4OK', durationMs: conn.elapsed };
  } finally {
    conn.close();
  }
}

/** Does the received data contain the rule's pattern? */
export function matches(r: ExpectRule, data: Buffer): boolean {
  switch (r.match) {
    case 'string': return data.includes(Buffer.from(r.pattern, 'latin1'));
    case 'binary': return data.includes(r.bytes!);
    case 'rstring': return new RegExp(r.pattern).test(data.toString('latin1'));
    case 'rbinary': return new RegExp(r.pattern).test(data.toString('hex').toUpperCase()) || new RegExp(r.pattern).test(data.toString('hex'));
    default: return false;
  }
}

function describe(r: ExpectRule): string {
  return r.match === 'string' ? `content '${r.pattern}'`
    : r.match === 'binary' ? `binary '${r.pattern}'`
      : `regex '${r.pattern}'`;
}

/** Runs one expect step; returns the failure, or null when the step passed. */
async function expectStep(conn: ProbeConn, r: ExpectRule, step: number): Promise<CheckResult | null> {
  // A positive match concludes as soon as it is seen; an inverted one only at close.
  const w = await conn.waitFor(() => matches(r, conn.data) || (r.inverse && conn.ended));
  const found = matches(r, conn.data);
  if (w === 'timeout' && !(r.inverse && found)) {
    return { outcome: 'failed', status: 'L7TOUT', info: ` at step ${step} of tcp-check (expect ${r.inverse ? '! ' : ''}${r.match} '${r.pattern}')`, durationMs: conn.elapsed };
  }
  if (r.inverse) {
    if (found) return { outcome: 'failed', status: 'L7RSP', info: `TCPCHK matched unwanted ${describe(r)} at step ${step}`, durationMs: conn.elapsed };
    return null;
  }
  if (found) return null;
  if (conn.data.length === 0) return { outcome: 'failed', status: 'L7RSP', info: `TCPCHK got an empty response at step ${step}`, durationMs: conn.elapsed };
  return { outcome: 'failed', status: 'L7RSP', info: `TCPCHK did not match ${describe(r)} at step ${step}`, durationMs: conn.elapsed };
}
