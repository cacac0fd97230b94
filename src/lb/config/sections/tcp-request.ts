/**
 * `tcp-request connection accept|reject [if|unless COND]` (frontend, listen): the first
 * line of defence, evaluated on layer-4 samples as a connection is accepted, before any
 * byte is read — a rejected connection is closed at once and costs no stream (HAProxy's
 * "dcon"). Other tcp-request forms (content rules with inspect-delay, track-sc*,
 * expect-proxy, silent-drop, session rules) are refused as not implemented yet.
 */
import type { ParseContext } from '../context.ts';
import type { ProxyConfig } from '../types.ts';
import { compileCondition } from './acl.ts';

export interface TcpConnectionRule {
  action: 'accept' | 'reject';
  cond: import('../../acl/index.ts').CompiledCondition | null;
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
  if (action !== 'accept' && action !== 'reject') {
    if (action && ['silent-drop', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0', 'track-sc1', 'track-sc2', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt0', 'set-src', 'set-mark', 'set-tos', 'set-var', 'unset-var'].includes(action)) {
      return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'tcp-request connection ${action}' is not implemented yet in Switchyard; supported: accept, reject.`);
    }
    return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request connection' expects 'accept' or 'reject'${action ? `, not '${action}'` : ''}.`);
  }
  let cond: TcpConnectionRule['cond'] = null;
  if (args.length > 3) {
    if (args[3] !== 'if' && args[3] !== 'unless') return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request connection ${action}' : expects 'if' or 'unless', found '${args[3]}'.`);
    cond = compileCondition(ctx, p, args.slice(3), { keyword: 'tcp-request connection', stage: 'connection' });
    if (!cond) return;
  }
  p.tcpConnectionRules.push({ action, cond });
}
