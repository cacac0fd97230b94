/**
 * `http-request ACTION [args] [if|unless CONDITION]` in frontend, backend and listen
 * sections (HAProxy 2.6 forms). Each action reads its own arguments, then what remains
 * must be empty or a condition. Conditions and log-format values (`%[…]`, `%ci`, …) are
 * compiled by the sample/ACL engine through `setRuleCompilers`; until it is plugged in,
 * they are refused as not implemented — never ignored.
 *
 * Deliberate difference: rules may not add, set or delete Content-Length or
 * Transfer-Encoding (a rewritten framing field is a request-smuggling hole).
 */
import { readFileSync } from 'node:fs';
import type { ParseContext } from '../context.ts';
import type { ProxyConfig } from '../types.ts';
import type { Condition, HeaderMatch, HttpRequestAction, HttpRequestRule, Value } from '../../rules/types.ts';
import { compileStickAction, isStickAction } from '../../stick/actions.ts';
import { SampleError } from '../../acl/types.ts';
import { envOf } from './acl.ts';
import { compileExpr, parseVarName } from '../../acl/index.ts';
import { parseTime } from '../units.ts';
import { addCaptureSlot } from './capture.ts';
import { NORMALIZE_OPS, NORMALIZE_OPTION, type NormalizeOp } from '../../rules/normalize-uri.ts';

/** Which rule list a line belongs to. */
type Side = 'request' | 'response' | 'after';
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

type CondCompiler = (ctx: ParseContext, proxy: ProxyConfig, words: string[], side: 'request' | 'response') => Condition | null;
type ValueCompiler = (ctx: ParseContext, proxy: ProxyConfig, text: string) => Value | null;

let compileCond: CondCompiler | null = null;
let compileValue: ValueCompiler | null = null;

/** Plugs in the sample/ACL engine's compilers (conditions, log-format values). */
export function setRuleCompilers(cond: CondCompiler, value: ValueCompiler): void {
  compileCond = cond;
  compileValue = value;
}

const FINAL = new Set(['allow', 'deny', 'tarpit', 'reject', 'silent-drop', 'return', 'redirect', 'auth', 'use-service']);
const NOT_YET = new Set([
  'set-var', 'unset-var', 'track-sc0', 'track-sc1', 'track-sc2',
  'sc-inc-gpc', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt0', 'sc-add-gpc',
  'cache-use', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-nice', 'set-mark',
  'set-tos', 'set-priority-class', 'set-priority-offset', 'early-hint', 'add-acl', 'del-acl',
  'set-map', 'del-map', 'do-resolve', 'strict-mode', 'disable-l7-retry', 'replace-path', 'replace-pathq',
  'replace-uri', 'set-bandwidth-limit', 'lua',
]);
const ERROR_STATUSES = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504];
const REDIRECT_CODES = [301, 302, 303, 307, 308];
const FRAMING = new Set(['content-length', 'transfer-encoding']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const lit = (s: string): Value => () => s;

class ArgError extends Error {
  readonly code: 'SY_ERR_CFG_ARG' | 'SY_ERR_CFG_NOT_IMPLEMENTED' | 'SY_ERR_CFG_NOT_ALLOWED';
  constructor(message: string, code: 'SY_ERR_CFG_ARG' | 'SY_ERR_CFG_NOT_IMPLEMENTED' | 'SY_ERR_CFG_NOT_ALLOWED' = 'SY_ERR_CFG_ARG') {
    super(message);
    this.code = code;
  }
}

/** A log-format value: literal text, or compiled by the sample engine when it has % variables. */
function value(ctx: ParseContext, proxy: ProxyConfig, text: string | undefined, what: string): Value {
  if (text === undefined) throw new ArgError(`${what} expects a value.`);
  if (!/%[^%]/.test(text)) return lit(text.replaceAll('%%', '%'));
  if (!compileValue) throw new ArgError(`${what} : log-format values ('${text}') need the sample engine, which is not implemented yet; use a literal value.`, 'SY_ERR_CFG_NOT_IMPLEMENTED');
  const v = compileValue(ctx, proxy, text);
  if (!v) throw new ArgError(`${what} : invalid log-format value '${text}'.`);
  return v;
}

function headerName(name: string | undefined, kw: string): string {
  if (!name || !TOKEN.test(name)) throw new ArgError(`'http-request ${kw}' expects a header field name.`);
  if (FRAMING.has(name.toLowerCase())) throw new ArgError(`'http-request ${kw}' may not change '${name}': rewriting message framing is refused (request smuggling).`);
  return name;
}

function intIn(text: string | undefined, allowed: readonly number[] | null, what: string, min = 200, max = 599): number {
  const v = Number(text);
  if (!text || !/^\d+$/.test(text) || (allowed ? !allowed.includes(v) : v < min || v > max)) {
    throw new ArgError(`${what} expects ${allowed ? `one of ${allowed.join(', ')}` : `a status between ${min} and ${max}`}${text ? `, not '${text}'` : ''}.`);
  }
  return v;
}

/** deny/tarpit/return payload options; returns the index after them. */
function payload(ctx: ParseContext, p: ProxyConfig, a: string[], i: number, kw: string, out: { status: number; contentType: string | null; body: Value | null; headers: [string, Value][]; errorfile?: boolean }, statusWord: string): number {
  for (; i < a.length; i++) {
    const w = a[i]!;
    if (w === 'if' || w === 'unless') break;
    if (w === statusWord) { out.status = intIn(a[++i], kw === 'return' ? null : ERROR_STATUSES, `'http-request ${kw} ${statusWord}'`); continue; }
    if (w === 'content-type') { const t = a[++i]; if (!t) throw new ArgError(`'http-request ${kw}' : 'content-type' expects a type.`); out.contentType = t; continue; }
    if (w === 'string') { const t = a[++i]; if (t === undefined) throw new ArgError(`'http-request ${kw}' : 'string' expects a text.`); out.body = lit(t); continue; }
    if (w === 'lf-string') { out.body = value(ctx, p, a[++i], `'http-request ${kw} lf-string'`); continue; }
    if (w === 'file') {
      const f = a[++i];
      try { out.body = lit(readFileSync(f ?? '', 'latin1')); } catch { throw new ArgError(`'http-request ${kw}' : cannot read file '${f ?? ''}'.`); }
      continue;
    }
    if (w === 'hdr') { const n = headerName(a[++i], kw); out.headers.push([n, value(ctx, p, a[++i], `'http-request ${kw} hdr ${n}'`)]); continue; }
    if (w === 'default-errorfiles') { out.errorfile = true; continue; }
    if (w === 'errorfile' || w === 'errorfiles' || w === 'lf-file') throw new ArgError(`'http-request ${kw}' : '${w}' is not implemented yet.`, 'SY_ERR_CFG_NOT_IMPLEMENTED');
    throw new ArgError(`'http-request ${kw}' : unexpected argument '${w}'; allowed: ${statusWord}, content-type, string, lf-string, file, hdr, default-errorfiles, or a condition.`);
  }
  if (out.body !== null && out.contentType === null) throw new ArgError(`'http-request ${kw}' : a body needs 'content-type'.`);
  if (out.body !== null && (out.status === 204 || out.status === 304)) throw new ArgError(`'http-request ${kw}' : no body expected for ${out.status} responses.`);
  // default-errorfiles answers the proxy's error message: only for statuses that have one.
  if (out.errorfile && (out.body !== null || out.headers.length > 0)) throw new ArgError(`'http-request ${kw}' : 'default-errorfiles' excludes a payload (string, lf-string, file, hdr).`);
  if (out.errorfile && !ERROR_STATUSES.includes(out.status)) throw new ArgError(`'http-request ${kw}' : 'default-errorfiles' needs one of ${ERROR_STATUSES.join(', ')}, not ${out.status}.`);
  return i;
}

/** Actions `http-response` serves (HAProxy's response-side subset). */
const RESPONSE_ACTIONS = new Set(['allow', 'deny', 'return', 'add-header', 'set-header', 'del-header', 'replace-header', 'replace-value', 'set-status', 'capture', 'set-log-level']);
/** Actions `http-after-response` serves: rewrites only, no final answer but allow. */
const AFTER_ACTIONS = new Set(['allow', 'add-header', 'set-header', 'del-header', 'replace-header', 'replace-value', 'set-status']);
// set-var(…)/unset-var(…) are handled before the response check (both sides have them).

function parseAction(ctx: ParseContext, p: ProxyConfig, a: string[], side: Side): { action: HttpRequestAction; next: number } {
  const kw = a[1]!;
  const rule = side === 'after' ? 'http-after-response' : `http-${side}`;
  const varm = /^(set-var|unset-var)\(([^),]+)\)$/.exec(kw);
  if (varm) {
    let v: { scope: import('../../acl/index.ts').VarScope; name: string };
    try { v = parseVarName(varm[2]!); } catch (e) { throw new ArgError(`'${rule} ${kw}' : ${(e as Error).message}.`); }
    if (varm[1] === 'unset-var') return { action: { kind: 'unset-var', ...v }, next: 2 };
    if (!a[2] || a[2] === 'if' || a[2] === 'unless') throw new ArgError(`'${rule} ${kw}' expects a sample expression.`);
    try {
      return { action: { kind: 'set-var', ...v, expr: compileExpr(a[2], envOf(p, ctx)) }, next: 3 };
    } catch (e) {
      throw new ArgError(`'${rule} ${kw}' : ${(e as Error).message}.`);
    }
  }
  if (side === 'after' && !AFTER_ACTIONS.has(kw)) {
    if (NOT_YET.has(kw) || (FINAL.has(kw) && kw !== 'use-service') || kw.startsWith('set-') || kw.startsWith('sc-') || kw === 'capture' || kw === 'strict-mode') throw new ArgError(`'${rule} ${kw}' is not implemented yet in Switchyard; supported: ${[...AFTER_ACTIONS].join(', ')}, set-var, unset-var.`, 'SY_ERR_CFG_NOT_IMPLEMENTED');
    throw new ArgError(`'${rule}' expects one of ${[...AFTER_ACTIONS].join(', ')}, set-var, unset-var, got '${kw}'.`);
  }
  if (side === 'response' && !RESPONSE_ACTIONS.has(kw)) {
    if (NOT_YET.has(kw) || (FINAL.has(kw) && kw !== 'use-service') || kw.startsWith('set-') || kw === 'redirect' || kw === 'wait-for-body') throw new ArgError(`'${rule} ${kw}' is not implemented yet in Switchyard; supported: ${[...RESPONSE_ACTIONS].join(', ')}.`, 'SY_ERR_CFG_NOT_IMPLEMENTED');
    throw new ArgError(`'${rule}' expects one of ${[...RESPONSE_ACTIONS].join(', ')} (and more not implemented yet), got '${kw}'.`);
  }
  if (side === 'request' && isStickAction(kw)) {
    try {
      const { run, next } = compileStickAction(a, 1, envOf(p, ctx), 'stream', 'request');
      return { action: { kind: 'stick', run }, next };
    } catch (e) {
      if (e instanceof SampleError) throw new ArgError(`'http-request ${kw}' : ${e.message}`);
      throw e;
    }
  }
  switch (kw) {
    case 'capture': {
      // capture SAMPLE len N (request, frontend: a slot of its own) | capture SAMPLE id N.
      const text = a[2];
      if (!text || (a[3] !== 'len' && a[3] !== 'id')) throw new ArgError(`'${rule} capture' expects <sample> 'len' <length> or 'id' <slot>.`);
      const n = Number(a[4]);
      if (!a[4] || !/^\d+$/.test(a[4])) throw new ArgError(`'${rule} capture … ${a[3]}' expects an integer.`);
      let expr;
      try { expr = compileExpr(text, { baseDir: process.cwd(), mode: p.mode }); } catch (e) { throw new ArgError(`'${rule} capture' : ${(e as Error).message}.`); }
      if (a[3] === 'len') {
        if (side !== 'request') throw new ArgError(`'${rule} capture' expects 'id' <slot> (a 'declare capture response' slot).`);
        if (!p.cap.frontend) throw new ArgError(`'${rule} capture … len' : proxy '${p.name}' has no frontend capability.`);
        if (n < 1 || n > 65535) throw new ArgError(`'${rule} capture … len' expects a length between 1 and 65535.`);
        return { action: { kind: 'capture', side: 'request', expr, slot: addCaptureSlot(p, 'request', null, n), len: n }, next: 5 };
      }
      // The slot is the frontend's, checked once every slot is declared (capture.ts checkCaptureIds).
      return { action: { kind: 'capture', side: side === 'request' ? 'request' : 'response', expr, slot: n, len: -1 }, next: 5 };
    }
    case 'set-log-level': {
      const w = a[2];
      const level = w === 'silent' ? -1 : LEVELS.indexOf(w ?? '');
      if (!w || (level < 0 && w !== 'silent')) throw new ArgError(`'${rule} set-log-level' expects one of ${LEVELS.join(', ')}, silent${w ? `, not '${w}'` : ''}.`);
      return { action: { kind: 'set-log-level', level }, next: 3 };
    }
    case 'set-timeout': {
      if (side !== 'request') break;
      const which = a[2];
      if (which !== 'server' && which !== 'tunnel') throw new ArgError(`'${rule} set-timeout' supports 'server' and 'tunnel'${which ? ` (got '${which}')` : ''}.`);
      if (!p.cap.backend) throw new ArgError(`'${rule} set-timeout' : proxy '${p.name}' has no backend capability.`);
      const text = a[3];
      if (!text || text === 'if' || text === 'unless') throw new ArgError(`'${rule} set-timeout ${which}' expects a time or a sample expression.`);
      const t = /^\d/.test(text) ? parseTime(text) : null;
      if (t && !t.ok) throw new ArgError(`'${rule} set-timeout ${which}' : ${t.reason}.`);
      if (t && t.ok) return { action: { kind: 'set-timeout', which, ms: t.value, expr: null }, next: 4 };
      try {
        return { action: { kind: 'set-timeout', which, ms: null, expr: compileExpr(text, { baseDir: process.cwd(), mode: p.mode }) }, next: 4 };
      } catch (e) { throw new ArgError(`'${rule} set-timeout ${which}' : ${(e as Error).message}.`); }
    }
    case 'wait-for-body': {
      if (side !== 'request') break;
      if (a[2] !== 'time') throw new ArgError(`'${rule} wait-for-body' expects 'time' <time> [ 'at-least' <bytes> ].`);
      const t = parseTime(a[3] ?? '');
      if (!a[3] || !t.ok || t.value === 0) throw new ArgError(`'${rule} wait-for-body time' expects a non-zero time${a[3] ? `, not '${a[3]}'` : ''}.`);
      let atLeast = 0;
      let i = 4;
      if (a[4] === 'at-least') {
        if (!a[5] || !/^\d+[kKmMgG]?$/.test(a[5])) throw new ArgError(`'${rule} wait-for-body at-least' expects a size in bytes.`);
        atLeast = Number(a[5].replace(/[kKmMgG]$/, '')) * ({ k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[a[5].slice(-1).toLowerCase()] ?? 1);
        i = 6;
      }
      return { action: { kind: 'wait-for-body', time: t.value, atLeast }, next: i };
    }
    case 'set-status': {
      if (side === 'request') break;
      const status = intIn(a[2], null, `'${rule} set-status'`, 100, 999);
      let i = 3;
      let reason: string | null = null;
      if (a[3] === 'reason') { reason = a[4] ?? ''; if (!reason || /[\r\n]/.test(reason)) throw new ArgError(`'${rule} set-status … reason' expects a reason text.`); i = 5; }
      return { action: { kind: 'set-status', status, reason }, next: i };
    }
    case 'allow': return { action: { kind: 'allow' }, next: 2 };
    case 'reject': return { action: { kind: 'reject' }, next: 2 };
    // The client is not told: no FIN, no RST (core/silent-drop.ts).
    case 'silent-drop': return { action: { kind: 'reject', silent: true }, next: 2 };
    case 'deny':
    case 'tarpit':
    case 'return': {
      const out = { status: kw === 'return' ? 200 : kw === 'deny' ? (side === 'response' ? 502 : 403) : 500, contentType: null as string | null, body: null as Value | null, headers: [] as [string, Value][] };
      const next = payload(ctx, p, a, 2, kw, out, kw === 'return' ? 'status' : 'deny_status');
      if (kw === 'tarpit') {
        if (out.body || out.headers.length) throw new ArgError(`'http-request tarpit' : custom responses are not implemented yet (only deny_status).`, 'SY_ERR_CFG_NOT_IMPLEMENTED');
        return { action: { kind: 'tarpit', status: out.status }, next };
      }
      return { action: { kind: kw, ...out }, next };
    }
    case 'redirect': {
      const type = a[2];
      if (type !== 'location' && type !== 'prefix' && type !== 'scheme') throw new ArgError(`'http-request redirect' expects 'location', 'prefix' or 'scheme'${type ? `, not '${type}'` : ''}.`);
      const act = { kind: 'redirect' as const, type: type as 'location' | 'prefix' | 'scheme', value: value(ctx, p, a[3], `'http-request redirect ${type}'`), code: 302, dropQuery: false, appendSlash: false, cookie: null as string | null };
      let i = 4;
      for (; i < a.length; i++) {
        const w = a[i]!;
        if (w === 'if' || w === 'unless') break;
        if (w === 'code') { act.code = intIn(a[++i], REDIRECT_CODES, `'http-request redirect code'`); continue; }
        if (w === 'drop-query') { act.dropQuery = true; continue; }
        if (w === 'append-slash') { act.appendSlash = true; continue; }
        if (w === 'set-cookie' || w === 'clear-cookie') {
          // HAProxy 2.6: "NAME[=value]; path=/;" and, to clear, "NAME[=]; path=/; Max-Age=0;".
          const c = a[++i];
          if (!c || c === 'if' || c === 'unless' || /[\r\n;]/.test(c)) throw new ArgError(`'http-request redirect ${w}' expects a cookie NAME[=value].`);
          act.cookie = w === 'set-cookie' ? `${c}; path=/;` : `${c}; path=/; Max-Age=0;`;
          continue;
        }
        throw new ArgError(`'http-request redirect' : unexpected argument '${w}'; allowed: code, drop-query, append-slash, set-cookie, clear-cookie, or a condition.`);
      }
      return { action: act, next: i };
    }
    case 'auth': {
      let realm = p.name;
      let i = 2;
      if (a[2] === 'realm') { realm = a[3] ?? ''; if (!realm) throw new ArgError(`'http-request auth realm' expects a realm.`); i = 4; }
      if (/["\\]/.test(realm)) throw new ArgError(`'http-request auth' : the realm may not contain quotes or backslashes.`);
      return { action: { kind: 'auth', realm }, next: i };
    }
    case 'add-header':
    case 'set-header': {
      const name = headerName(a[2], kw);
      return { action: { kind: kw, name, value: value(ctx, p, a[3], `'http-request ${kw} ${name}'`) }, next: 4 };
    }
    case 'del-header': {
      let match: HeaderMatch | null = null;
      let i = 3;
      if (a[3] === '-m') {
        const m = a[4];
        if (m !== 'str' && m !== 'beg' && m !== 'end' && m !== 'sub' && m !== 'reg' && m !== 'found') throw new ArgError(`'http-request del-header -m' expects str, beg, end, sub, reg or found.`);
        match = m;
        i = 5;
      }
      // -m reg takes a regular expression, matched as written against the lower-case name.
      if (match === 'reg') {
        const src = a[2] ?? '';
        try { new RegExp(src); } catch (e) { throw new ArgError(`'http-request del-header' : invalid regex '${src}' (${(e as Error).message}).`); }
        if (!src) throw new ArgError(`'http-request del-header' expects a header field name.`);
        return { action: { kind: 'del-header', name: src, match, pattern: src }, next: i };
      }
      const name = headerName(a[2], kw);
      return { action: { kind: 'del-header', name, match, pattern: match ? name.toLowerCase() : null }, next: i };
    }
    case 'replace-header':
    case 'replace-value': {
      const name = headerName(a[2], kw);
      let re: RegExp;
      try { re = new RegExp(a[3] ?? ''); } catch (e) { throw new ArgError(`'http-request ${kw}' : invalid regex '${a[3] ?? ''}' (${(e as Error).message}).`); }
      if (a[3] === undefined) throw new ArgError(`'http-request ${kw}' expects <name> <regex> <replacement>.`);
      // HAProxy writes back-references as \1; JavaScript's replace uses $1.
      const repl = (a[4] ?? '').replace(/\\(\d)/g, '$$$1');
      if (a[4] === undefined) throw new ArgError(`'http-request ${kw}' expects <name> <regex> <replacement>.`);
      return { action: { kind: kw, name, re, replacement: value(ctx, p, repl, `'http-request ${kw}'`) }, next: 5 };
    }
    case 'normalize-uri': {
      if (side !== 'request') break;
      // HAProxy 2.6 marks the action experimental: the same opt-in is asked for here.
      if (!ctx.config.global.exposeExperimental) throw new ArgError(`'${rule} normalize-uri' is experimental in HAProxy 2.6; it needs 'expose-experimental-directives' in a global section before it.`, 'SY_ERR_CFG_NOT_ALLOWED');
      const op = a[2] as NormalizeOp | undefined;
      if (!op || !NORMALIZE_OPS.includes(op)) throw new ArgError(`'${rule} normalize-uri' expects one of ${NORMALIZE_OPS.join(', ')}${op ? `, not '${op}'` : ''}.`);
      const word = NORMALIZE_OPTION[op];
      if (word !== undefined && a[3] === word) return { action: { kind: 'normalize-uri', op, option: true }, next: 4 };
      return { action: { kind: 'normalize-uri', op, option: false }, next: 3 };
    }
    case 'use-service': {
      if (side !== 'request') break;
      const name = a[2];
      if (name !== 'prometheus-exporter') throw new ArgError(`'${rule} use-service' : unknown service '${name ?? ''}'; Switchyard serves 'prometheus-exporter'.`);
      return { action: { kind: 'use-service', service: name }, next: 3 };
    }
    case 'set-method':
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
      return { action: { kind: kw, value: value(ctx, p, a[2], `'http-request ${kw}'`) }, next: 3 };
  }
  if (NOT_YET.has(kw)) throw new ArgError(`'http-request ${kw}' is a valid HAProxy action but is not implemented yet in Switchyard.`, 'SY_ERR_CFG_NOT_IMPLEMENTED');
  throw new ArgError(`'http-request' expects 'allow', 'deny', 'tarpit', 'reject', 'return', 'redirect', 'auth', 'add-header', 'set-header', 'del-header', 'replace-header', 'replace-value', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'normalize-uri', 'use-service' (and more not implemented yet), got '${kw}'.`);
}

/** Parses one `http-request` / `http-response` line of a proxy into its rule list. */
export function parseHttpRequest(ctx: ParseContext, p: ProxyConfig, args: string[], side: Side = 'request'): void {
  const kwName = side === 'after' ? 'http-after-response' : `http-${side}`;
  if (!args[1]) return ctx.alert('SY_ERR_CFG_ARG', `'${kwName}' expects an action.`);
  try {
    const { action, next } = parseAction(ctx, p, args, side);
    let cond: Condition | null = null;
    if (next < args.length) {
      const w = args[next]!;
      if (w !== 'if' && w !== 'unless') throw new ArgError(`'http-request ${args[1]}' : unexpected argument '${w}' (expects 'if' or 'unless' followed by a condition).`);
      if (!compileCond) throw new ArgError(`'http-request ${args[1]} … ${w}' : conditions need ACLs, which are not implemented yet.`, 'SY_ERR_CFG_NOT_IMPLEMENTED');
      cond = compileCond(ctx, p, args.slice(next), side === 'request' ? 'request' : 'response');
      if (!cond) return;
    }
    const rules = side === 'request' ? p.httpRequestRules : side === 'response' ? p.httpResponseRules : p.httpAfterResponseRules;
    const last = rules[rules.length - 1];
    if (last && last.cond === null && FINAL.has(last.action.kind)) {
      ctx.warning(`previous '${kwName}' action is final and has no condition attached, further entries are NOOP.`);
    }
    const rule: HttpRequestRule = { where: { ...ctx.where }, action, cond };
    rules.push(rule);
  } catch (e) {
    if (!(e instanceof ArgError)) throw e;
    // The action parsers are shared by the three rule lists and word their messages for
    // http-request: name the directive the line really uses.
    ctx.alert(e.code, kwName === 'http-request' ? e.message : e.message.replaceAll("'http-request ", `'${kwName} `));
  }
}
