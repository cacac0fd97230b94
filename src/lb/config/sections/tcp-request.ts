/**
 * `tcp-request connection accept|reject [if|unless COND]` (frontend, listen): the first
 * line of defence, evaluated on layer-4 samples as a connection is accepted, before any
 * byte is read — a rejected connection is closed at once and costs no stream (HAProxy's
 * "dcon"). Also the stick-counter actions (`track-sc0|1|2 KEY [table T]`,
 * `sc-inc-gpc0|1(N)`, `sc-set-gpt0(N) V`, src/lb/stick/actions.ts), which run and go on.
 * Other tcp-request forms (content rules with inspect-delay, expect-proxy, silent-drop,
 * session rules) are refused as not implemented yet.
 */
import type { ParseContext } from '../context.ts';
import type { ProxyConfig } from '../types.ts';
import { compileCondition, envOf } from './acl.ts';
import { compileStickAction, isStickAction, type StickRun } from '../../stick/actions.ts';
import { SampleError } from '../../acl/types.ts';

export interface TcpConnectionRule {
  /** accept/reject end the list; 'stick' (track-sc*, sc-inc-gpc*, sc-set-gpt0) runs and goes on. */
  action: 'accept' | 'reject' | 'stick';
  cond: import('../../acl/index.ts').CompiledCondition | null;
  /** The stick action's closure over the connection's sample context ('stick' only). */
  stick?: StickRun;
}

export function parseTcpRequest(ctx: ParseContext, p: ProxyConfig, args: string[]): void {
  const stage = args[1];
  if (stage !== 'connection') {
    if (stage === 'content' || stage === 'session' || stage === 'inspect-delay') {
      return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'tcp-request ${stage}' is not implemented yet in Switchyard; supported: 'tcp-request connection accept|reject [if|unless COND]'.`);
    }
    return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request' expects 'inspect-delay', 'content', 'connection' or 'session'${stage ? `, not '${stage}'` : ''}.`);
  }
  if (!p.cap.frontend) return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `tcp-request connection is not allowed because ${p.kind} ${p.name} is not a frontend.`);
  const action = args[2];
  let stick: StickRun | undefined;
  let next = 3;
  if (action && isStickAction(action)) {
    try {
      ({ run: stick, next } = compileStickAction(args, 2, envOf(p), 'session', 'connection'));
    } catch (e) {
      if (e instanceof SampleError) return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request connection ${action}' : ${e.message}`);
      throw e;
    }
  } else if (action !== 'accept' && action !== 'reject') {
    if (action && ['silent-drop', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0', 'track-sc1', 'track-sc2', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt0', 'set-src', 'set-mark', 'set-tos', 'set-var', 'unset-var'].includes(action)) {
      return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'tcp-request connection ${action}' is not implemented yet in Switchyard; supported: accept, reject, track-sc0|1|2, sc-inc-gpc0|1(N), sc-set-gpt0(N).`);
    }
    return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request connection' expects 'accept' or 'reject'${action ? `, not '${action}'` : ''}.`);
  }
  let cond: TcpConnectionRule['cond'] = null;
  if (args.length > next) {
    if (args[next] !== 'if' && args[next] !== 'unless') return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request connection ${action}' : expects 'if' or 'unless', found '${args[next]}'.`);
    cond = compileCondition(ctx, p, args.slice(next), { keyword: 'tcp-request connection', stage: 'connection' });
    if (!cond) return;
  }
  p.tcpConnectionRules.push(stick ? { action: 'stick', cond, stick } : { action: action as 'accept' | 'reject', cond });
}
