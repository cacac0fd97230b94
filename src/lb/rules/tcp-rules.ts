/**
 * Runs `tcp-request connection|session|content` rules (src/lb/config/sections/tcp-request.ts)
 * over a connection's sample context, HAProxy's tcp_exec_l4_rules / tcp_inspect_request:
 * in order, the first accept or reject whose condition holds ends the list; the other
 * actions (stick counters, variables, captures) run and go on. With buffered content
 * that is not final, a condition that cannot be decided yet stops the walk with 'wait'
 * and the index to resume at (actions already run are not run again).
 */
import type { TcpRule } from '../config/sections/tcp-request.ts';
import type { SampleContext } from '../acl/index.ts';
import { sampleToString } from '../acl/index.ts';
import type { TxnHooks } from './types.ts';

/** `silent`: silent-drop — the connection goes without the client being told (core/silent-drop.ts). */
export type TcpVerdict = { kind: 'accept' } | { kind: 'reject'; silent?: boolean } | { kind: 'wait'; at: number };

const ACCEPT: TcpVerdict = { kind: 'accept' };
const REJECT: TcpVerdict = { kind: 'reject' };
const DROP: TcpVerdict = { kind: 'reject', silent: true };

/** `ctx` is the stream's context (it may carry `content`); `txn` receives captures (HTTP only). */
export function runTcpRules(rules: readonly TcpRule[], ctx: SampleContext, from = 0, txn?: TxnHooks): TcpVerdict {
  for (let i = from; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.cond !== null) {
      const t = r.cond.test3(ctx);
      if (t === 2) return { kind: 'wait', at: i };
      if (t === 0) continue;
    }
    switch (r.action) {
      case 'accept': return ACCEPT;
      case 'reject': return REJECT;
      case 'silent-drop': return DROP;
      case 'stick': r.stick!(ctx); break;
      case 'set-var': {
        const v = r.variable!;
        const s = v.expr!.eval(ctx);
        if (s !== null && ctx.vars) ctx.vars.set(v.scope, v.name, s);
        break;
      }
      case 'unset-var': ctx.vars?.unset(r.variable!.scope, r.variable!.name); break;
      case 'capture': {
        const c = r.capture!;
        const s = c.expr.eval(ctx);
        const str = s === null ? null : sampleToString(s);
        if (str !== null && str.type === 'str') txn?.capture('request', c.slot, c.len, str.v);
        break;
      }
    }
  }
  return ACCEPT;
}
