/**
 * Proxy-level health-check keywords: `option httpchk`, `option tcp-check`,
 * `http-check …`, `tcp-check …`, `option log-health-checks`. They fill
 * ProxySettings.healthCheck; src/lb/check runs the probes.
 *
 * `parseCheckKeyword` returns false when the line is not one of its keywords, so the
 * proxy parser goes on with its own rules. The forms and messages are HAProxy 2.6's
 * (checked with `haproxy -c`); the forms we do not serve yet (log-format variants,
 * comments, ssl/proxy options of connect, set-var) are refused as not implemented.
 *
 * Rulesets are HAProxy's: a list of steps run in order on one check. A `connect` step,
 * when present, must come first; without it the check connects first on its own. An
 * `http-check send` without a `connect` before it may appear only once.
 */
import type { ParseContext } from '../context.ts';
import type { CheckRule, ExpectMatch, ExpectRule, ProxyCheckConfig } from '../../check/config.ts';
import { parseCheckAddr } from './server-check.ts';

/** Keywords (first word) this module owns; `option X` names are in CHECK_OPTIONS. */
export const CHECK_KEYWORDS: readonly string[] = ['http-check', 'tcp-check'];
/** `option` names this module owns. */
export const CHECK_OPTIONS: readonly string[] = ['httpchk', 'tcp-check', 'log-health-checks'];

/** What parseCheckKeyword needs to know about the section (a proxy, or defaults). */
interface CheckTarget {
  healthCheck: ProxyCheckConfig;
  kind?: string;
  name?: string;
  cap?: { frontend: boolean; backend: boolean };
}

export function parseCheckKeyword(ctx: ParseContext, s: CheckTarget, args: string[], on: boolean): boolean {
  const isOption = args[0] === 'option';
  const kw = isOption ? args[1]! : args[0]!;
  if (isOption ? !CHECK_OPTIONS.includes(kw) : !CHECK_KEYWORDS.includes(kw)) return false;
  if (s.cap && !s.cap.backend) {
    ctx.warning(`'${kw}' ignored because ${s.kind} '${s.name}' has no backend capability.`);
    return true;
  }
  const hc = s.healthCheck;
  if (isOption) {
    if (kw === 'httpchk') {
      if (!on) { if (hc.kind === 'http') hc.kind = 'tcp'; return true; }
      parseOptionHttpchk(ctx, hc, args.slice(2));
      return true;
    }
    if (args.length > 2) {
      ctx.alert('SY_ERR_CFG_ARG', `'option ${kw}' cannot handle unexpected argument '${args[2]}'.`);
      return true;
    }
    if (kw === 'tcp-check') {
      if (on) hc.kind = 'tcp-check';
      else if (hc.kind === 'tcp-check') hc.kind = 'tcp';
    } else {
      hc.logHealthChecks = on;
    }
    return true;
  }
  if (kw === 'http-check') parseHttpCheck(ctx, hc, args);
  else parseTcpCheck(ctx, hc, args);
  return true;
}

/** `option httpchk [<uri>]`, `[<meth> <uri>]`, `[<meth> <uri> <version>]` (2.6 forms). */
function parseOptionHttpchk(ctx: ParseContext, hc: ProxyCheckConfig, a: string[]): void {
  if (a.length > 3) {
    ctx.alert('SY_ERR_CFG_ARG', `'option httpchk' cannot handle unexpected argument '${a[3]}'; expects [<method>] [<uri>] [<version>].`);
    return;
  }
  const http = { meth: 'OPTIONS', uri: '/', ver: 'HTTP/1.0', headers: [] as [string, string][] };
  if (a.length === 1) http.uri = a[0]!;
  if (a.length >= 2) { http.meth = a[0]!; http.uri = a[1]!; }
  if (a.length === 3) {
    // Headers hidden after the version ("HTTP/1.1\r\nHost:\ x") still work, deprecated.
    const [ver, ...lines] = a[2]!.split('\r\n');
    http.ver = ver!;
    if (lines.length > 0) {
      ctx.warning(`'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.`);
      for (const l of lines) {
        const c = l.indexOf(':');
        if (c > 0) http.headers.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]);
      }
    }
  }
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(http.meth)) {
    ctx.alert('SY_ERR_CFG_ARG', `'option httpchk' : invalid method '${http.meth}' (a token such as GET, HEAD, OPTIONS).`);
    return;
  }
  hc.kind = 'http';
  hc.http = http;
}

const HTTP_CHECK_VERBS = "'disable-on-404', 'connect', 'send', 'expect'";
const HTTP_CHECK_KNOWN = new Set(['send-state', 'comment']);
const TCP_CHECK_VERBS = "'connect', 'send', 'send-binary', 'expect'";

function parseHttpCheck(ctx: ParseContext, hc: ProxyCheckConfig, args: string[]): void {
  const verb = args[1] ?? '';
  if (verb === 'disable-on-404') {
    if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'http-check' cannot handle unexpected argument '${args[2]}'.`);
    hc.disableOn404 = true;
    return;
  }
  if (verb === 'connect' || verb === 'send' || verb === 'expect') {
    if (hc.httpRulesInherited) { hc.httpRules = []; hc.httpRulesInherited = false; }
    const rule = verb === 'connect' ? parseConnect(ctx, 'http-check', args)
      : verb === 'send' ? parseHttpSend(ctx, args)
        : parseExpect(ctx, 'http-check', args);
    if (rule) addRule(ctx, 'http-check', hc.httpRules, rule);
    return;
  }
  if (HTTP_CHECK_KNOWN.has(verb) || verb.startsWith('set-var') || verb === 'unset-var') {
    return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'http-check ${verb}' is valid in HAProxy but not implemented yet in Switchyard; supported: ${HTTP_CHECK_VERBS}.`);
  }
  ctx.alert('SY_ERR_CFG_ARG', `'http-check' only supports ${HTTP_CHECK_VERBS} but got '${verb}'.`);
}

function parseTcpCheck(ctx: ParseContext, hc: ProxyCheckConfig, args: string[]): void {
  const verb = args[1] ?? '';
  if (verb === 'connect' || verb === 'send' || verb === 'send-binary' || verb === 'expect') {
    if (hc.tcpRulesInherited) { hc.tcpRules = []; hc.tcpRulesInherited = false; }
    const rule = verb === 'connect' ? parseConnect(ctx, 'tcp-check', args)
      : verb === 'expect' ? parseExpect(ctx, 'tcp-check', args)
        : parseTcpSend(ctx, verb, args);
    if (rule) addRule(ctx, 'tcp-check', hc.tcpRules, rule);
    return;
  }
  if (verb === 'comment' || verb === 'send-lf' || verb === 'send-binary-lf' || verb.startsWith('set-var') || verb === 'unset-var') {
    return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'tcp-check ${verb}' is valid in HAProxy but not implemented yet in Switchyard; supported: ${TCP_CHECK_VERBS}.`);
  }
  ctx.alert('SY_ERR_CFG_ARG', `'tcp-check' only supports ${TCP_CHECK_VERBS} but got '${verb}'.`);
}

/** Appends a step, enforcing HAProxy's ordering rules. */
function addRule(ctx: ParseContext, kw: string, rules: CheckRule[], rule: CheckRule): void {
  if (rule.kind === 'connect' && rules.length > 0 && rules[0]!.kind !== 'connect') {
    return ctx.alert('SY_ERR_CFG_ARG', `'${kw} connect' : first step MUST also be a 'connect' when there is a 'connect' step in the ${kw} ruleset.`);
  }
  if (rule.kind === 'http-send') {
    let i = rules.length - 1;
    while (i >= 0 && rules[i]!.kind !== 'connect') {
      if (rules[i]!.kind === 'http-send') {
        return ctx.alert('SY_ERR_CFG_ARG', `'${kw} send' : unable to add http-check send rule at step ${rules.length + 1} (missing connect rule).`);
      }
      i--;
    }
  }
  rules.push(rule);
}

/** `connect [port N] [addr A]`. */
function parseConnect(ctx: ParseContext, kw: string, args: string[]): CheckRule | null {
  const rule: CheckRule = { kind: 'connect', port: 0, addr: null };
  for (let i = 2; i < args.length; i++) {
    const k = args[i]!;
    const v = args[i + 1];
    if (k === 'port') {
      const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : NaN;
      if (!(n >= 1 && n <= 65535)) {
        ctx.alert('SY_ERR_CFG_ARG', `'${kw} connect' : expects a valid TCP port (from range 1 to 65535), got ${v ?? 'nothing'}.`);
        return null;
      }
      rule.port = n;
      i++;
    } else if (k === 'addr') {
      const a = v ? parseCheckAddr(v) : null;
      if (!a) {
        ctx.alert('SY_ERR_CFG_ARG', `'${kw} connect' : 'addr' : invalid address: '${v ?? ''}' (an IPv4 or IPv6 address).`);
        return null;
      }
      rule.addr = a.host;
      if (a.port > 0 && rule.port === 0) rule.port = a.port;
      i++;
    } else if (['comment', 'send-proxy', 'ssl', 'sni', 'alpn', 'via-socks4', 'linger', 'default', 'proto', 'check-sni'].includes(k)) {
      ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${kw} connect' : '${k}' is valid in HAProxy but not implemented yet in Switchyard; supported: 'port', 'addr'.`);
      return null;
    } else {
      ctx.alert('SY_ERR_CFG_ARG', `'${kw} connect' : expects 'port' or 'addr' but got '${k}' as argument.`);
      return null;
    }
  }
  return rule;
}

/** `http-check send [meth M] [uri U] [ver V] [hdr N V]* [body B]`. */
function parseHttpSend(ctx: ParseContext, args: string[]): CheckRule | null {
  const rule: CheckRule = { kind: 'http-send', headers: [] };
  for (let i = 2; i < args.length; i++) {
    const k = args[i]!;
    if (k === 'meth' || k === 'uri' || k === 'ver' || k === 'body') {
      const v = args[++i];
      if (v === undefined || v === '') {
        ctx.alert('SY_ERR_CFG_ARG', `'http-check send' : '${k}' expects a string as argument.`);
        return null;
      }
      if (k === 'meth' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v)) {
        ctx.alert('SY_ERR_CFG_ARG', `'http-check send' : invalid method '${v}'.`);
        return null;
      }
      rule[k] = v;
    } else if (k === 'hdr') {
      const name = args[i + 1];
      const value = args[i + 2];
      if (!name || value === undefined) {
        ctx.alert('SY_ERR_CFG_ARG', `'http-check send' : 'hdr' expects <name> and <value> as arguments.`);
        return null;
      }
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[\r\n\0]/.test(value)) {
        ctx.alert('SY_ERR_CFG_ARG', `'http-check send' : invalid header '${name}' (a field name token and a value without CR, LF or NUL).`);
        return null;
      }
      rule.headers.push([name, value]);
      i += 2;
    } else if (k === 'uri-lf' || k === 'body-lf' || k === 'comment') {
      ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'http-check send' : '${k}' is valid in HAProxy but not implemented yet in Switchyard; supported: 'meth', 'uri', 'ver', 'hdr', 'body'.`);
      return null;
    } else {
      ctx.alert('SY_ERR_CFG_ARG', `'http-check send' : expects 'meth', 'uri', 'ver', 'hdr' or 'body' but got '${k}' as argument.`);
      return null;
    }
  }
  return rule;
}

/** `tcp-check send STR` / `tcp-check send-binary HEX`. */
function parseTcpSend(ctx: ParseContext, verb: string, args: string[]): CheckRule | null {
  const v = args[2];
  if (v === undefined || v === '') {
    ctx.alert('SY_ERR_CFG_ARG', `'tcp-check ${verb}' expects a ${verb === 'send' ? 'string' : 'hexadecimal string'} as argument.`);
    return null;
  }
  if (args.length > 3) {
    const what = args[3] === 'comment' ? 'not implemented yet' : 'unexpected';
    ctx.alert(args[3] === 'comment' ? 'SY_ERR_CFG_NOT_IMPLEMENTED' : 'SY_ERR_CFG_ARG', `'tcp-check ${verb}' : ${what} argument '${args[3]}' (one ${verb === 'send' ? 'string' : 'hex string'} only).`);
    return null;
  }
  if (verb === 'send') return { kind: 'send', data: Buffer.from(v, 'latin1'), text: v, binary: false };
  const bytes = decodeHex(v);
  if (!bytes) {
    ctx.alert('SY_ERR_CFG_ARG', `'tcp-check send-binary' : '${v}' invalid binary string (an even number of hex digits is expected).`);
    return null;
  }
  return { kind: 'send', data: bytes, text: v, binary: true };
}

function decodeHex(s: string): Buffer | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  return Buffer.from(s, 'hex');
}

const HTTP_MATCHES: readonly ExpectMatch[] = ['status', 'rstatus', 'string', 'rstring'];
const TCP_MATCHES: readonly ExpectMatch[] = ['string', 'rstring', 'binary', 'rbinary'];
const KNOWN_MATCHES = new Set(['min-recv', 'string-lf', 'binary-lf', 'hdr', 'fhdr', 'comment', 'ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'status-code']);

/** `expect [!] <match> <pattern>`. */
function parseExpect(ctx: ParseContext, kw: 'http-check' | 'tcp-check', args: string[]): ExpectRule | null {
  let i = 2;
  let inverse = false;
  if (args[i] === '!') { inverse = true; i++; }
  const match = args[i];
  const allowed = kw === 'http-check' ? HTTP_MATCHES : TCP_MATCHES;
  const list = allowed.map((m) => `'[!]${m}'`).join(', ');
  if (match === undefined) {
    ctx.alert('SY_ERR_CFG_ARG', `'${kw} expect' : expects at least a matching pattern as arguments (${list}).`);
    return null;
  }
  if (!(allowed as readonly string[]).includes(match)) {
    if (KNOWN_MATCHES.has(match)) {
      ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${kw} expect' : '${match}' is valid in HAProxy but not implemented yet in Switchyard; supported: ${list}.`);
    } else {
      ctx.alert('SY_ERR_CFG_ARG', `'${kw} expect' : only supports ${list} but got '${match}' as argument.`);
    }
    return null;
  }
  const pattern = args[i + 1];
  if (pattern === undefined || pattern === '') {
    ctx.alert('SY_ERR_CFG_ARG', `'${kw} expect' : '${match}' expects a <pattern> as argument.`);
    return null;
  }
  if (args.length > i + 2) {
    const extra = args[i + 2]!;
    const code = KNOWN_MATCHES.has(extra) ? 'SY_ERR_CFG_NOT_IMPLEMENTED' : 'SY_ERR_CFG_ARG';
    ctx.alert(code, `'${kw} expect' : ${code === 'SY_ERR_CFG_ARG' ? 'unexpected' : 'not implemented yet:'} argument '${extra}' after the pattern.`);
    return null;
  }
  const rule: ExpectRule = { kind: 'expect', match: match as ExpectMatch, inverse, pattern };
  if (match === 'rstring' || match === 'rstatus' || match === 'rbinary') {
    try {
      new RegExp(pattern);
    } catch (e) {
      ctx.alert('SY_ERR_CFG_ARG', `'${kw} expect' : regex '${pattern}' is invalid (${(e as Error).message}).`);
      return null;
    }
  } else if (match === 'binary') {
    const bytes = decodeHex(pattern);
    if (!bytes) {
      ctx.alert('SY_ERR_CFG_ARG', `'${kw} expect' : invalid binary string (an even number of hex digits is expected).`);
      return null;
    }
    rule.bytes = bytes;
  } else if (match === 'status') {
    const ranges = parseStatusList(pattern);
    if (typeof ranges === 'string') {
      ctx.alert('SY_ERR_CFG_ARG', `'${kw} expect' : ${ranges} (codes or ranges such as 200,301-308).`);
      return null;
    }
    rule.ranges = ranges;
  }
  return rule;
}

/** "200", "200-399", "200,301,302" → inclusive ranges, or the reason it is invalid. */
export function parseStatusList(text: string): [number, number][] | string {
  const bad = /[^0-9,-]/.exec(text);
  if (bad) return `invalid character '${bad[0]}' in the list of status codes`;
  const out: [number, number][] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return `invalid status code list '${text}'`;
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (lo > hi) return `invalid status code range '${part}'`;
    out.push([lo, hi]);
  }
  return out;
}
