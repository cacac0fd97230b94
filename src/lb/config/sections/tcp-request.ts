/**
 * `tcp-request` rules (HAProxy 2.6), in the order a connection meets them:
 *   - `connection ACTION [if|unless COND]` (frontend, listen): as the connection is
 *     accepted, before any byte is read, on layer-4 samples; a reject costs no stream.
 *   - `session ACTION …` (frontend, listen): once per connection, after the connection
 *     rules (and after a handshake, when there is one), still on layer-4 samples.
 *   - `inspect-delay T` + `content ACTION …` (frontend, listen, backend): on the client's
 *     first bytes. A condition that cannot be decided yet (req.len, req.payload… on too
 *     few bytes) makes the rule wait for more, at most T; with T unset rules are decided
 *     on what is there. In mode http they run per request on the parsed head, before the
 *     http-request rules; a backend's run after use_backend chose it.
 * Actions: accept, reject, track-sc0|1|2 KEY [table T], sc-inc-gpc0|1(N), sc-set-gpt0(N),
 * set-var(scope.name) EXPR, unset-var(scope.name); content rules also
 * `capture SAMPLE len N` (a request capture slot). Other HAProxy actions (silent-drop,
 * expect-proxy, set-src, switch-mode, use-service, set-log-level…) are refused as not
 * implemented yet.
 */
import type { ParseContext } from '../context.ts';
import type { ProxyConfig } from '../types.ts';
import { compileCondition, envOf } from './acl.ts';
import { compileStickAction, isStickAction, type StickRun } from '../../stick/actions.ts';
import { SampleError } from '../../acl/types.ts';
import { compileExpr, parseVarName, type CompiledExpr, type VarScope } from '../../acl/index.ts';
import { parseTime, parseUint } from '../units.ts';
import { addCaptureSlot } from './capture.ts';

export type TcpStage = 'connection' | 'session' | 'content';

export interface TcpRule {
  /** accept/reject/silent-drop end the list; the others run and go on. */
  action: 'accept' | 'reject' | 'silent-drop' | 'stick' | 'set-var' | 'unset-var' | 'capture';
  cond: import('../../acl/index.ts').CompiledCondition | null;
  /** The stick action's closure over the connection's sample context ('stick' only). */
  stick?: StickRun;
  /** set-var / unset-var: the variable (and the expression for set-var). */
  variable?: { scope: VarScope; name: string; expr: CompiledExpr | null };
  /** capture: the expression, its request capture slot and length. */
  capture?: { expr: CompiledExpr; slot: number; len: number };
}

/** Kept for the connection stage's users. */
export type TcpConnectionRule = TcpRule;

const STAGES = ['inspect-delay', 'content', 'connection', 'session'];
const SERVED = 'accept, reject, silent-drop, track-sc0|1|2, sc-inc-gpc0|1(N), sc-set-gpt0(N), set-var(NAME) EXPR, unset-var(NAME)';
const KNOWN_NOT_YET = new Set([
  'expect-proxy', 'expect-netscaler-cip', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port',
  'set-mark', 'set-tos', 'set-nice', 'set-log-level', 'switch-mode', 'use-service', 'do-resolve', 'set-priority-class',
  'set-priority-offset', 'attach-srv', 'sc-add-gpc', 'sc-inc-gpc', 'set-bandwidth-limit', 'send-spoe-group', 'lua',
]);

/** `tcp-request inspect-delay T`, the one tcp-request form a defaults section may hold here. */
export function parseInspectDelay(ctx: ParseContext, s: { tcpInspectDelay?: number }, args: string[]): void {
  const v = parseTime(args[2] ?? '');
  if (!args[2] || !v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request inspect-delay' expects a time (milliseconds by default, or with a unit: us, ms, s, m, h, d)${args[2] ? `, not '${args[2]}'` : ''}.`);
  if (args.length > 3) return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request inspect-delay' : unexpected argument '${args[3]}'.`);
  s.tcpInspectDelay = v.value;
}

export function parseTcpRequest(ctx: ParseContext, p: ProxyConfig, args: string[]): void {
  const stage = args[1];
  if (!stage || !STAGES.includes(stage)) {
    return ctx.alert('SY_ERR_CFG_ARG', `'tcp-request' expects 'inspect-delay', 'content', 'connection' or 'session'${stage ? `, not '${stage}'` : ''}.`);
  }
  if (stage === 'inspect-delay') return parseInspectDelay(ctx, p, args);
  if (stage !== 'content' && !p.cap.frontend) return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `tcp-request ${stage} is not allowed because ${p.kind} ${p.name} is not a frontend.`);
  const rule = parseRule(ctx, p, args, stage as TcpStage);
  if (!rule) return;
  // Rules run by stage, not in the order written: say so when the order suggests otherwise (as HAProxy).
  const later = stage === 'connection' ? (p.tcpContentRules.length > 0 ? 'content' : p.tcpSessionRules.length > 0 ? 'session' : null)
    : stage === 'session' && p.tcpContentRules.length > 0 ? 'content' : null;
  if (later) ctx.warning(`a 'tcp-request ${stage}' rule placed after a 'tcp-request ${later}' rule is still run before it.`);
  else if (p.httpRequestRules.length > 0) ctx.warning(`a 'tcp-request ${stage}' rule placed after an 'http-request' rule is still run before it.`);
  if (stage === 'connection') p.tcpConnectionRules.push(rule);
  else if (stage === 'session') p.tcpSessionRules.push(rule);
  else p.tcpContentRules.push(rule);
}

function parseRule(ctx: ParseContext, p: ProxyConfig, args: string[], stage: TcpStage): TcpRule | null {
  const kw = `tcp-request ${stage}`;
  const action = args[2];
  const env = envOf(p, ctx);
  // Layer-4 samples only before the content stage.
  const fetchStage = stage === 'content' ? 'request' : 'connection';
  let rule: TcpRule;
  let next = 3;
  try {
    const varm = action ? /^(set-var|unset-var)\(([^),]+)\)$/.exec(action) : null;
    if (action && isStickAction(action)) {
      let stick: StickRun;
      ({ run: stick, next } = compileStickAction(args, 2, env, stage === 'content' ? 'stream' : 'session', fetchStage));
      rule = { action: 'stick', cond: null, stick };
    } else if (varm) {
      const v = parseVarName(varm[2]!);
      if (varm[1] === 'unset-var') rule = { action: 'unset-var', cond: null, variable: { ...v, expr: null } };
      else {
        const text = args[3];
        if (!text || text === 'if' || text === 'unless') { ctx.alert('SY_ERR_CFG_ARG', `'${kw} ${action}' expects a sample expression.`); return null; }
        rule = { action: 'set-var', cond: null, variable: { ...v, expr: compileExpr(text, env) } };
        next = 4;
      }
    } else if (action === 'capture' && stage === 'content') {
      const text = args[3];
      if (!text || args[4] !== 'len') { ctx.alert('SY_ERR_CFG_ARG', `'${kw} capture' expects <sample> 'len' <length>.`); return null; }
      const n = parseUint(args[5], 1, 65535);
      if (!n.ok) { ctx.alert('SY_ERR_CFG_ARG', `'${kw} capture … len' ${n.reason}.`); return null; }
      if (!p.cap.frontend) { ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'${kw} capture' : proxy '${p.name}' has no frontend capability.`); return null; }
      rule = { action: 'capture', cond: null, capture: { expr: compileExpr(text, env), slot: addCaptureSlot(p, 'request', null, n.value), len: n.value } };
      next = 6;
    } else if (action === 'accept' || action === 'reject' || action === 'silent-drop') {
      rule = { action, cond: null };
    } else {
      if (action && (KNOWN_NOT_YET.has(action) || action === 'capture')) {
        ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${kw} ${action}' is not implemented yet in Switchyard; supported: ${SERVED}${stage === 'content' ? ', capture SAMPLE len N' : ''}.`);
      } else {
        ctx.alert('SY_ERR_CFG_ARG', `'${kw}' expects ${SERVED}${action ? `, not '${action}'` : ''}.`);
      }
      return null;
    }
  } catch (e) {
    if (e instanceof SampleError) { ctx.alert('SY_ERR_CFG_ARG', `'${kw} ${action}' : ${e.message}.`); return null; }
    throw e;
  }
  if (args.length > next) {
    if (args[next] !== 'if' && args[next] !== 'unless') { ctx.alert('SY_ERR_CFG_ARG', `'${kw} ${action}' : expects 'if' or 'unless', found '${args[next]}'.`); return null; }
    const cond = compileCondition(ctx, p, args.slice(next), { keyword: kw, stage: fetchStage });
    if (!cond) return null;
    rule.cond = cond;
  }
  return rule;
}

/** Fetches that read the inspected bytes: without an inspect-delay they see whatever happened to arrive. */
const CONTENT_FETCHES = new Set(['req.len', 'req.payload', 'req.payload_lv']);

/**
 * After parsing: a mode-tcp content rule that reads the request's bytes while the proxy has
 * no `tcp-request inspect-delay` decides on whatever has arrived — HAProxy warns, so do we.
 */
export function checkInspectDelay(ctx: ParseContext, p: ProxyConfig): void {
  if (p.mode !== 'tcp' || (p.tcpInspectDelay ?? 0) > 0) return;
  for (const r of p.tcpContentRules) {
    const exprs = [...(r.cond?.acls.flatMap((a) => a.terms.map((t) => t.expr)) ?? []), ...(r.capture ? [r.capture.expr] : []), ...(r.variable?.expr ? [r.variable.expr] : [])];
    if (!exprs.some((e) => CONTENT_FETCHES.has(e.fetch.name))) continue;
    ctx.warning(`${p.kind} '${p.name}' : a 'tcp-request content ${r.action}' rule reads the request's contents but no 'tcp-request inspect-delay' is set, so it decides on whatever bytes happen to be there; set an inspect-delay.`, p.where);
    return;
  }
}
