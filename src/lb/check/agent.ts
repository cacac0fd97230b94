/**
 * The agent check: connect to the server's agent (agent-addr:agent-port), send
 * `agent-send` if set, read one line. The line is a list of words separated by spaces,
 * tabs or commas, as HAProxy reads it:
 *   - `NN%`           weight as a percentage of the configured weight;
 *   - `maxconn:N`     the server's maxconn;
 *   - `ready|drain|maint`            the administrative state;
 *   - `up|down|fail|failed|stopped`  the operational state (down words count as a
 *     failed check, `up` as a passed one, with the server's rise/fall);
 *   - `#text` (at the start of a word) ends the words: a description for the log.
 * Unknown words are ignored. Failing to reach the agent is not an error (the regular
 * check tests connectivity): the result is neutral.
 */
import type { CheckResult, ProbeTarget } from './types.ts';
import { ProbeConn } from './conn.ts';

export interface AgentReply {
  weightPercent?: number;
  maxconn?: number;
  admin?: 'ready' | 'drain' | 'maint';
  state?: 'up' | 'down' | 'fail' | 'stopped';
  description?: string;
}

const STATES: Readonly<Record<string, AgentReply['state']>> = { up: 'up', down: 'down', fail: 'fail', failed: 'fail', stopped: 'stopped' };

export function parseAgentReply(text: string): AgentReply {
  const line = text.split(/[\r\n]/, 1)[0] ?? '';
  const out: AgentReply = {};
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === ',') { i++; continue; }
    if (c === '#') {
      out.description = line.slice(i + 1).trim();
      break;
    }
    let j = i + 1;
    while (j < line.length && !' \t,'.includes(line[j]!)) j++;
    const w = line.slice(i, j).toLowerCase();
    i = j;
    const pct = /^(\d+)%$/.exec(w);
    if (pct) { out.weightPercent = Number(pct[1]); continue; }
    const mc = /^maxconn:(\d+)$/.exec(w);
    if (mc) { out.maxconn = Number(mc[1]); continue; }
    if (w === 'ready' || w === 'drain' || w === 'maint') { out.admin = w; continue; }
    const st = STATES[w];
    if (st) out.state = st;
  }
  return out;
}

/** The agent's reply and the check result its state word amounts to. */
export async function probeAgent(target: ProbeTarget, send: string): Promise<{ result: CheckResult; reply: AgentReply | null }> {
  const conn = new ProbeConn(target);
  try {
    const c = await conn.connect();
    if (!c.ok) return { result: { outcome: 'neutral', status: c.timeout ? 'L4TOUT' : 'L4CON', info: c.info, durationMs: conn.elapsed }, reply: null };
    if (send) conn.write(send);
    const w = await conn.waitFor(() => conn.data.includes(0x0a));
    if (conn.data.length === 0) {
      const status = w === 'timeout' ? 'L7TOUT' : 'L7RSP';
      return { result: { outcome: 'neutral', status, durationMs: conn.elapsed }, reply: null };
    }
    const reply = parseAgentReply(conn.data.toString('latin1'));
    return { result: agentResult(reply, conn.elapsed), reply };
  } finally {
    conn.close();
  }
}

/** HAProxy reports agent states as L7OK / L7STS with code 0 and info "via agent : down (desc)". */
export function agentResult(reply: AgentReply, durationMs: number): CheckResult {
  if (!reply.state) return { outcome: 'neutral', status: 'L7OK', durationMs };
  const word = reply.state === 'fail' ? 'fail' : reply.state;
  const info = `via agent : ${word}${reply.description ? ` (${reply.description})` : ''}`;
  if (reply.state === 'up') return { outcome: 'passed', status: 'L7OK', code: 0, info, durationMs };
  return { outcome: 'failed', status: 'L7STS', code: 0, info, durationMs };
}
