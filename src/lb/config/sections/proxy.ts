/**
 * Keywords of `defaults`, `frontend`, `backend` and `listen` sections.
 *
 * Capability rules follow HAProxy 2.6 exactly, since operators' configs rely on them:
 * a frontend-only keyword in a backend is a warning ("ignored because …"), `server` and
 * `default-server` outside a backend-capable section are errors, and some keywords are
 * forbidden in `defaults`.
 */
import type { ParseContext } from '../context.ts';
import type { CookieConfig, DefaultsConfig, ForwardFor, ProxyConfig, ProxyOptions, RetryOn, Rfc7239, TimeoutName } from '../types.ts';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { parseResponseHead } from '../../http/h1-parse.ts';
import { TIMEOUT_NAMES } from '../types.ts';
import { parseListenList } from '../address.ts';
import { parseServer, parseDefaultServer } from './server.ts';
import { parseStatsKeyword } from './stats.ts';
import { parseHttpRequest, setRuleCompilers } from './http-request.ts';
import { parseInspectDelay, parseTcpRequest } from './tcp-request.ts';
import { parseCapture, parseDeclare } from './capture.ts';
import { LOG_PROXY_KEYWORDS, parseLogKeyword } from './log.ts';
import { parseStickTable } from '../../stick/config.ts';
import { defineStickTable } from '../../stick/registry.ts';
import { noteTableDeclared } from '../../stick/refs.ts';
import { parseStickRule } from '../../stick/rules.ts';
import { compileCondition, parseAclLine, ruleCondition, ruleValue } from './acl.ts';

// Rules compile their conditions and log-format values with the sample/ACL engine.
setRuleCompilers(ruleCondition, ruleValue);
import { BALANCE_KEYWORDS, parseBalance, parseBalanceKeyword } from './balance.ts';
import { CHECK_KEYWORDS, CHECK_OPTIONS, parseCheckKeyword } from './check.ts';
import { parseTime, parseUint } from '../units.ts';
import { KNOWN_OPTIONS, UNSUPPORTED_BIND_KEYWORDS, UNSUPPORTED_PROXY } from './unsupported.ts';

/** Proxies that declared their stick table already. */
const STICK_DECLARED = new WeakSet<ProxyConfig>();

type Target = { proxy: ProxyConfig; defaults?: undefined } | { proxy?: undefined; defaults: DefaultsConfig };

export const PROXY_KEYWORDS = [
  'bind', 'mode', 'maxconn', 'timeout', 'default_backend', 'use_backend', 'server',
  'default-server', 'balance', 'retries', 'fullconn', 'http-reuse', 'retry-on', 'cookie', 'http-request', 'http-response', 'http-after-response', 'capture', 'declare', 'monitor-uri', 'errorfiles', 'acl', 'tcp-request', 'stick-table', 'stick', 'monitor', 'force-persist', 'ignore-persist', 'use-server', 'errorfile', 'option', 'no option', ...LOG_PROXY_KEYWORDS,
  ...CHECK_KEYWORDS, ...BALANCE_KEYWORDS,
];

/** Status codes `errorfile` may replace (HAProxy 2.6). */
const ERRORFILE_CODES = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504];

const FE_TIMEOUTS = new Set<TimeoutName>(['client', 'client-fin', 'http-request', 'http-keep-alive']);
const BE_TIMEOUTS = new Set<TimeoutName>(['server', 'server-fin', 'connect', 'queue', 'check', 'tunnel']);

/** The options Switchyard serves (tcplog/dontlognull only shape future logs). */
const SERVED_OPTIONS = new Set(['tcplog', 'dontlognull', 'http-buffer-request', 'redispatch', 'http-keep-alive', 'http-server-close', 'httpclose', 'forwardfor', 'originalto', 'forwarded', 'allbackups', 'abortonclose', 'persist', ...CHECK_OPTIONS]);

/** The three HTTP connection modes are one setting; `no option X` returns to keep-alive. */
const HTTP_CONN_MODES: Readonly<Record<string, ProxyOptions['httpConnMode']>> = {
  'http-keep-alive': 'keep-alive', 'http-server-close': 'server-close', httpclose: 'close',
};

export { NAME_RE } from './server.ts';

function label(t: Target): string {
  if (t.defaults) return "'defaults' section";
  return `${t.proxy.kind} '${t.proxy.name}'`;
}

/**
 * Checks a keyword's capability. Returns true if the keyword applies to this target.
 * `need` is the capability required; `onMissing` says whether lacking it is an alert
 * or a warning (HAProxy's behaviour varies by keyword); `inDefaults` whether the
 * keyword may appear in a defaults section.
 */
function capable(ctx: ParseContext, t: Target, kw: string, need: 'frontend' | 'backend' | 'any', onMissing: 'alert' | 'warning', inDefaults: boolean): boolean {
  if (t.defaults) {
    if (!inDefaults) ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'${kw}' not allowed in 'defaults' section.`);
    return inDefaults;
  }
  if (need === 'any' || t.proxy.cap[need]) return true;
  const msg = `'${kw}' ${onMissing === 'alert' ? 'not allowed' : 'ignored'} because ${t.proxy.kind} '${t.proxy.name}' has no ${need} capability.`;
  if (onMissing === 'alert') ctx.alert('SY_ERR_CFG_NOT_ALLOWED', msg);
  else ctx.warning(msg);
  return false;
}

export function parseProxyLine(ctx: ParseContext, t: Target, args: string[]): void {
  const kw = args[0]!;
  const s = t.proxy ?? t.defaults;
  // Logging keywords (log, no log, log-format…, option httplog|tcplog|…): sections/log.ts.
  if (parseLogKeyword(ctx, t, s, args)) return;
  switch (kw) {
    case 'bind': {
      if (!capable(ctx, t, kw, 'frontend', 'warning', false)) return;
      return parseBind(ctx, t.proxy!, args);
    }
    case 'mode': {
      const m = args[1];
      if (m !== 'tcp' && m !== 'http') {
        if (m === 'health') return ctx.alert('SY_ERR_CFG_ARG', `'mode health' was removed from HAProxy 2.x; use 'mode tcp' or 'mode http'.`);
        return ctx.alert('SY_ERR_CFG_ARG', `'mode' expects 'tcp' or 'http'${m ? `, not '${m}'` : ''}.`);
      }
      s.mode = m;
      return;
    }
    case 'maxconn': {
      if (!capable(ctx, t, kw, 'frontend', 'warning', true)) return;
      const v = parseUint(args[1], 0, 10_000_000);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'maxconn' ${v.reason}.`);
      s.maxconn = v.value;
      return;
    }
    case 'timeout':
      return parseTimeout(ctx, t, args);
    case 'default_backend': {
      if (!capable(ctx, t, kw, 'frontend', 'warning', true)) return;
      if (!args[1]) return ctx.alert('SY_ERR_CFG_ARG', `'default_backend' requires a backend name.`);
      s.defaultBackend = { name: args[1], where: { ...ctx.where } };
      return;
    }
    case 'use_backend': {
      if (!capable(ctx, t, kw, 'frontend', 'warning', false)) return;
      if (!args[1]) return ctx.alert('SY_ERR_CFG_ARG', `'use_backend' requires a backend name.`);
      // A log-format name (`be_%[req.hdr(host)]`) is resolved per request (frontend.ts).
      let dynamic: import('../../rules/types.ts').Value | null = null;
      if (/%[^%]/.test(args[1])) {
        dynamic = ruleValue(ctx, t.proxy!, args[1]);
        if (!dynamic) return;
      }
      let cond: import('../../acl/index.ts').CompiledCondition | null = null;
      if (args.length > 2) {
        if (args[2] !== 'if' && args[2] !== 'unless') {
          return ctx.alert('SY_ERR_CFG_ARG', `'use_backend' : expects 'if' or 'unless' after the backend name, found '${args[2]}'.`);
        }
        cond = compileCondition(ctx, t.proxy!, args.slice(2), { keyword: 'use_backend' });
        if (!cond) return;
      }
      t.proxy!.useBackends.push(dynamic ? { name: args[1], where: { ...ctx.where }, cond, dynamic } : { name: args[1], where: { ...ctx.where }, cond });
      return;
    }
    case 'server': {
      if (!capable(ctx, t, kw, 'backend', 'alert', false)) return;
      return parseServer(ctx, t.proxy!, args);
    }
    case 'default-server': {
      if (!capable(ctx, t, kw, 'backend', 'alert', true)) return;
      return parseDefaultServer(ctx, s.serverDefaults, args);
    }
    case 'balance':
      if (!capable(ctx, t, kw, 'backend', 'warning', true)) return;
      return parseBalance(ctx, s, args);
    case 'retries': {
      if (!capable(ctx, t, kw, 'backend', 'warning', true)) return;
      const v = parseUint(args[1], 0, 1_000_000);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'retries' expects an integer argument (dispatch counts for one).`);
      s.retries = v.value;
      return;
    }
    case 'fullconn': {
      if (!capable(ctx, t, kw, 'backend', 'warning', true)) return;
      const v = parseUint(args[1], 1, 10_000_000);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'fullconn' ${v.reason} (a positive integer).`);
      s.fullconn = v.value;
      return;
    }
    case 'use-server': {
      if (!capable(ctx, t, kw, 'backend', 'warning', false)) return;
      if (!args[1] || (args[2] !== 'if' && args[2] !== 'unless')) return ctx.alert('SY_ERR_CFG_ARG', `'use-server' requires a server name followed by 'if' or 'unless' and a condition.`);
      const cond = compileCondition(ctx, t.proxy!, args.slice(2), { keyword: 'use-server' });
      if (cond) t.proxy!.useServers.push({ name: args[1], where: { ...ctx.where }, cond });
      return;
    }
    case 'force-persist':
    case 'ignore-persist': {
      if (!capable(ctx, t, kw, 'backend', 'warning', false)) return;
      if (args[1] !== 'if' && args[1] !== 'unless') return ctx.alert('SY_ERR_CFG_ARG', `'${kw}' requires either 'if' or 'unless' followed by a condition.`);
      const cond = compileCondition(ctx, t.proxy!, args.slice(1), { keyword: kw });
      if (cond) t.proxy!.persistRules.push({ kind: kw === 'force-persist' ? 'force' : 'ignore', cond });
      return;
    }
    case 'monitor': {
      if (!capable(ctx, t, kw, 'frontend', 'warning', false)) return;
      if (args[1] !== 'fail' || (args[2] !== 'if' && args[2] !== 'unless')) return ctx.alert('SY_ERR_CFG_ARG', `'monitor' expects 'fail' followed by 'if' or 'unless' and a condition.`);
      const cond = compileCondition(ctx, t.proxy!, args.slice(2), { keyword: 'monitor fail' });
      if (cond) t.proxy!.monitorFail.push(cond);
      return;
    }
    case 'monitor-uri':
      if (!capable(ctx, t, kw, 'frontend', 'warning', true)) return;
      if (!args[1] || args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'monitor-uri' expects an URI.`);
      s.monitorUri = args[1];
      return;
    case 'stick-table': {
      // One table per proxy, named after it (HAProxy 2.6); tables live in src/lb/stick.
      if (t.defaults) return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'stick-table' not allowed in 'defaults' section.`);
      if (STICK_DECLARED.has(t.proxy)) return ctx.alert('SY_ERR_CFG_ARG', `only one 'stick-table' per proxy (${label(t)}).`);
      const r = parseStickTable(args, t.proxy.name, { ...ctx.where });
      if (!r.ok) return ctx.alert(r.code, r.reason);
      STICK_DECLARED.add(t.proxy);
      noteTableDeclared(ctx, t.proxy.name);
      defineStickTable(r.cfg);
      return;
    }
    case 'stick':
      // Server persistence through a stick table (src/lb/stick/rules.ts); a frontend warns, as HAProxy.
      if (!capable(ctx, t, kw, 'backend', 'warning', false)) return;
      return parseStickRule(ctx, t.proxy!, args);
    case 'tcp-request':
      if (t.defaults && args[1] === 'inspect-delay') {
        // HAProxy 2.6: only a named defaults section may hold it (anonymous ones may not hold rules either).
        if (t.defaults.name === '') return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'tcp-request inspect-delay' is not allowed in an anonymous 'defaults' section; name the section.`);
        return parseInspectDelay(ctx, t.defaults, args);
      }
      if (t.defaults) return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'tcp-request ${args[1] ?? ''}' rules in a 'defaults' section are not implemented yet; put the rules in the proxies ('tcp-request inspect-delay' is inherited).`);
      return parseTcpRequest(ctx, t.proxy, args);
    case 'acl':
      if (t.proxy && !t.proxy.cap.frontend && !t.proxy.cap.backend) return;
      return parseAclLine(ctx, s, args);
    case 'http-request':
      if (t.defaults) return rulesInDefaults(ctx, t.defaults.name, 'http-request');
      return parseHttpRequest(ctx, t.proxy, args);
    case 'http-after-response':
      if (t.defaults) return rulesInDefaults(ctx, t.defaults.name, 'http-after-response');
      return parseHttpRequest(ctx, t.proxy, args, 'after');
    case 'capture':
      if (t.defaults) return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'capture' not allowed in 'defaults' section.`);
      return parseCapture(ctx, t.proxy, args);
    case 'declare':
      if (t.defaults) return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'declare' not allowed in 'defaults' section.`);
      return parseDeclare(ctx, t.proxy, args);
    case 'http-response':
      if (t.defaults) return rulesInDefaults(ctx, t.defaults.name, 'http-response');
      return parseHttpRequest(ctx, t.proxy, args, 'response');
    case 'stats':
      if (parseStatsKeyword(ctx, s, args)) return;
      break;
    case 'cookie':
      if (!capable(ctx, t, kw, 'backend', 'warning', true)) return;
      return parseCookie(ctx, s, args);
    case 'retry-on':
      if (!capable(ctx, t, kw, 'backend', 'warning', true)) return;
      return parseRetryOn(ctx, s, args);
    case 'http-reuse': {
      if (!capable(ctx, t, kw, 'backend', 'warning', true)) return;
      const m = args[1];
      if (m !== 'never' && m !== 'safe' && m !== 'aggressive' && m !== 'always') {
        return ctx.alert('SY_ERR_CFG_ARG', `'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'${m ? `, not '${m}'` : ''}.`);
      }
      if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'http-reuse ${m}' : unexpected argument '${args[2]}'.`);
      s.httpReuse = m;
      return;
    }
    case 'errorfile':
      return parseErrorfile(ctx, s, args);
    case 'errorfiles': {
      const name = args[1];
      if (!name) return ctx.alert('SY_ERR_CFG_ARG', `'errorfiles' expects <name> [<code> ...] as arguments.`);
      const codes: number[] = [];
      for (const c of args.slice(2)) {
        if (!ERRORFILE_CODES.includes(Number(c))) return ctx.alert('SY_ERR_CFG_ARG', `errorfiles : status code '${c}' not handled; allowed: ${ERRORFILE_CODES.join(', ')}.`);
        codes.push(Number(c));
      }
      s.errorfilesRefs.push({ name, codes, where: { ...ctx.where } });
      return;
    }
    case 'option':
      return parseOption(ctx, t, s, args, true);
    case 'no':
      if (args[1] !== 'option') {
        return ctx.alert('SY_ERR_CFG_ARG', `'no' is only supported before 'option' (as in 'no option tcplog').`);
      }
      return parseOption(ctx, t, s, args.slice(1), false);
  }
  if (CHECK_KEYWORDS.includes(kw) && parseCheckKeyword(ctx, s, args, true)) return;
  if (BALANCE_KEYWORDS.includes(kw)) {
    if (!capable(ctx, t, kw, 'backend', 'warning', true)) return;
    return parseBalanceKeyword(ctx, s, args);
  }
  if (UNSUPPORTED_PROXY.has(kw)) {
    return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${kw}' is a valid HAProxy keyword in ${label(t)} but is not implemented yet in Switchyard.`);
  }
  const section = t.defaults ? 'defaults' : t.proxy.kind;
  ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown keyword '${kw}' in '${section}' section; supported: ${PROXY_KEYWORDS.join(', ')}.`);
}

function parseTimeout(ctx: ParseContext, t: Target, args: string[]): void {
  const name = args[1] as TimeoutName | undefined;
  if (!name || !(TIMEOUT_NAMES as readonly string[]).includes(name)) {
    return ctx.alert('SY_ERR_CFG_ARG', `'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tarpit', 'tunnel', 'client-fin' and 'server-fin' (got '${name ?? ''}').`);
  }
  if (!args[2]) return ctx.alert('SY_ERR_CFG_ARG', `'timeout ${name}' expects an integer value (in milliseconds by default, or with a unit: us, ms, s, m, h, d).`);
  const v = parseTime(args[2]);
  if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `${v.reason} in 'timeout ${name}'; allowed units: us, ms, s, m, h, d.`);
  if (args.length > 3) return ctx.alert('SY_ERR_CFG_ARG', `'timeout ${name}' : unexpected argument '${args[3]}'.`);
  if (t.proxy) {
    const need = FE_TIMEOUTS.has(name) ? 'frontend' : BE_TIMEOUTS.has(name) ? 'backend' : 'any';
    if (need !== 'any' && !t.proxy.cap[need]) {
      ctx.warning(`'timeout ${name}' will be ignored because ${t.proxy.kind} '${t.proxy.name}' has no ${need} capability`);
      return;
    }
  }
  (t.proxy ?? t.defaults).timeouts[name] = v.value;
}

function parseBind(ctx: ParseContext, p: ProxyConfig, args: string[]): void {
  const text = args[1];
  if (!text) return ctx.alert('SY_ERR_CFG_ARG', `'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.`);
  const a = parseListenList(text, ctx.env);
  if (!a.ok) return ctx.alert('SY_ERR_CFG_ADDRESS', `'bind' : ${a.reason}.`);
  const bind: import('../types.ts').BindConfig = { where: { ...ctx.where }, text, addresses: a.value };
  for (let i = 2; i < args.length; i++) {
    const k = args[i]!;
    if (k === 'name') {
      if (!args[i + 1]) return ctx.alert('SY_ERR_CFG_ARG', `'bind ${text}' : 'name' expects a name.`);
      bind.name = args[++i];
    } else if (UNSUPPORTED_BIND_KEYWORDS.has(k)) {
      return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'bind ${text}' : '${k}' is a valid HAProxy bind option but is not implemented yet in Switchyard; supported: name.`);
    } else {
      return ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `'bind ${text}' : unknown keyword '${k}'; supported: name.`);
    }
  }
  p.binds.push(bind);
}

const COOKIE_FLAGS = ['indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure'] as const;

/**
 * `cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve]
 * [httponly] [secure] [domain D]… [attr A]…`. HAProxy's default mode is rewrite (when
 * none is named). `maxidle T` / `maxlife T` (insert mode) stamp the cookie with its
 * last and first use. `dynamic` is not implemented yet.
 */
function parseCookie(ctx: ParseContext, s: { cookie: CookieConfig | null }, args: string[]): void {
  const name = args[1];
  if (!name || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return ctx.alert('SY_ERR_CFG_ARG', `'cookie' expects <cookie_name> as argument (a token).`);
  const c: CookieConfig = { name, mode: 'rewrite', indirect: false, nocache: false, postonly: false, preserve: false, httponly: false, secure: false, domains: [], attrs: [], maxidle: 0, maxlife: 0 };
  let modes = 0;
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'insert' || a === 'rewrite' || a === 'prefix') { c.mode = a; modes++; continue; }
    if ((COOKIE_FLAGS as readonly string[]).includes(a)) { c[a as (typeof COOKIE_FLAGS)[number]] = true; continue; }
    if (a === 'domain' || a === 'attr') {
      const v = args[++i];
      if (!v || /[;\x00-\x1f\x7f]/.test(v)) return ctx.alert('SY_ERR_CFG_ARG', `'cookie ${name}' : '${a}' expects a value without ';' or control characters.`);
      if (a === 'domain') c.domains.push(v);
      else c.attrs.push(v);
      continue;
    }
    if (a === 'maxidle' || a === 'maxlife') {
      const v = parseTime(args[++i] ?? '', 1000);
      if (!args[i] || !v.ok || v.value === 0) return ctx.alert('SY_ERR_CFG_ARG', `'cookie ${name}' : '${a}' expects a positive time (seconds by default, or with a unit: s, m, h, d).`);
      c[a] = v.value;
      continue;
    }
    if (a === 'dynamic') {
      return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'cookie ${name}' : '${a}' is not implemented yet in Switchyard.`);
    }
    return ctx.alert('SY_ERR_CFG_ARG', `'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'domain', 'attr' options (got '${a}').`);
  }
  if (modes > 1) return ctx.alert('SY_ERR_CFG_ARG', `'cookie ${name}' : 'rewrite', 'insert' and 'prefix' are mutually exclusive.`);
  if (c.postonly && c.mode !== 'insert') return ctx.alert('SY_ERR_CFG_ARG', `'cookie ${name}' : 'postonly' only makes sense with 'insert'.`);
  if (c.nocache && c.mode !== 'insert') return ctx.alert('SY_ERR_CFG_ARG', `'cookie ${name}' : 'nocache' only makes sense with 'insert'.`);
  if ((c.maxidle > 0 || c.maxlife > 0) && c.mode !== 'insert') return ctx.alert('SY_ERR_CFG_ARG', `'cookie ${name}' : 'maxidle' and 'maxlife' need 'insert' mode.`);
  s.cookie = c;
}

const RETRY_STATUSES = [401, 403, 404, 408, 425, 500, 501, 502, 503, 504];
const RETRY_WORDS = ['none', 'conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected', 'all-retryable-errors'];

/**
 * `retry-on KEYWORD…`: replaces the previous setting (not cumulative, as HAProxy).
 * `0rtt-rejected` is accepted and has nothing to act on (no TLS early data here).
 */
function parseRetryOn(ctx: ParseContext, s: { retryOn: RetryOn }, args: string[]): void {
  if (args.length < 2) return ctx.alert('SY_ERR_CFG_ARG', `'retry-on' expects at least one keyword: ${RETRY_WORDS.join(', ')} or a status among ${RETRY_STATUSES.join(', ')}.`);
  const r: RetryOn = { connFailure: false, emptyResponse: false, junkResponse: false, responseTimeout: false, statuses: [] };
  for (const w of args.slice(1)) {
    switch (w) {
      case 'none':
        if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'retry-on' : 'none' cannot be combined with other keywords.`);
        break;
      case 'conn-failure': r.connFailure = true; break;
      case 'empty-response': r.emptyResponse = true; break;
      case 'junk-response': r.junkResponse = true; break;
      case 'response-timeout': r.responseTimeout = true; break;
      case '0rtt-rejected': break;
      case 'all-retryable-errors':
        r.connFailure = r.emptyResponse = r.junkResponse = r.responseTimeout = true;
        for (const c of [500, 502, 503, 504]) if (!r.statuses.includes(c)) r.statuses.push(c);
        break;
      default: {
        const code = /^\d{3}$/.test(w) ? Number(w) : NaN;
        if (!RETRY_STATUSES.includes(code)) {
          return ctx.alert('SY_ERR_CFG_ARG', `'retry-on' : unknown keyword '${w}'; allowed: ${RETRY_WORDS.join(', ')}, or a status among ${RETRY_STATUSES.join(', ')}.`);
        }
        if (!r.statuses.includes(code)) r.statuses.push(code);
      }
    }
  }
  s.retryOn = r;
}

/** The capability an option needs; elsewhere HAProxy warns and ignores it. */
const OPTION_CAP: Readonly<Record<string, 'frontend' | 'backend'>> = {
  tcplog: 'frontend', dontlognull: 'frontend', redispatch: 'backend', allbackups: 'backend', abortonclose: 'backend', persist: 'backend',
};

function parseOption(ctx: ParseContext, t: Target, s: { options: ProxyOptions; healthCheck: import('../../check/config.ts').ProxyCheckConfig }, args: string[], on: boolean): void {
  const name = args[1];
  if (!name) return ctx.alert('SY_ERR_CFG_ARG', `'option' expects an option name.`);
  if (name === 'tcplog' && !on) return ctx.alert('SY_ERR_CFG_ARG', `negation/default is not supported for option 'tcplog'.`);
  const need = OPTION_CAP[name];
  if (need && t.proxy && !t.proxy.cap[need]) {
    if (name === 'tcplog') return ctx.warning(`${t.proxy.kind} '${t.proxy.name}' : 'option tcplog' directive is ignored in backends.`);
    return ctx.warning(`'${name}' ignored because ${t.proxy.kind} '${t.proxy.name}' has no ${need} capability.`);
  }
  if (name === 'redispatch') {
    // option redispatch [interval]: -1 (default) = on the last retry, P > 0 = every P-th retry,
    // -N = on the N-th retry before the last, 0 = no periodic redispatch. Whatever the
    // interval, a non-persistent round-robin session changes server on every retry.
    let interval = -1;
    if (args[2] !== undefined) {
      if (!on) return ctx.alert('SY_ERR_CFG_ARG', `'no option redispatch' does not take arguments.`);
      if (!/^-?\d+$/.test(args[2])) return ctx.alert('SY_ERR_CFG_ARG', `'option redispatch' expects an integer interval, not '${args[2]}'.`);
      interval = Number(args[2]);
    }
    if (args.length > 3) return ctx.alert('SY_ERR_CFG_ARG', `'option redispatch' : unexpected argument '${args[3]}'.`);
    s.options.redispatch = on ? interval : 0;
    s.options.redispatchOn = on;
    return;
  }
  if (name === 'forwardfor') return parseForwardFor(ctx, s, args, on, 'forwardfor');
  if (name === 'originalto') return parseForwardFor(ctx, s, args, on, 'originalto');
  if (name === 'forwarded') return parseRfc7239(ctx, t, s, args, on);
  if (CHECK_OPTIONS.includes(name) && parseCheckKeyword(ctx, s, args, on)) return;
  if (name === 'allbackups') {
    if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'option allbackups' does not take arguments.`);
    s.options.allbackups = on;
    return;
  }
  const connMode = HTTP_CONN_MODES[name];
  if (connMode) {
    if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'option ${name}' does not take arguments.`);
    if (on) s.options.httpConnMode = connMode;
    else if (s.options.httpConnMode === connMode) s.options.httpConnMode = 'keep-alive';
    return;
  }
  if (SERVED_OPTIONS.has(name)) {
    if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'option ${name}' does not take arguments.`);
    if (name === 'http-buffer-request') s.options.httpBufferRequest = on;
    else s.options[name as 'tcplog' | 'dontlognull' | 'abortonclose' | 'persist'] = on;
    return;
  }
  if (KNOWN_OPTIONS.has(name)) {
    return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'option ${name}' is a valid HAProxy option but is not implemented yet in Switchyard; supported: ${[...SERVED_OPTIONS].join(', ')}.`);
  }
  ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown option '${name}'.`);
}

/**
 * `option forwardfor [except NET] [header NAME] [if-none]` and `option originalto
 * [except NET] [header NAME]` (HAProxy 2.6 syntax).
 */
function parseForwardFor(ctx: ParseContext, s: { options: ProxyOptions }, args: string[], on: boolean, which: 'forwardfor' | 'originalto'): void {
  if (!on) {
    if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'no option ${which}' does not take arguments.`);
    s.options[which] = null;
    return;
  }
  const ff: ForwardFor = { header: which === 'forwardfor' ? 'x-forwarded-for' : 'x-original-to', except: null, ifNone: false };
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'if-none' && which === 'forwardfor') { ff.ifNone = true; continue; }
    if (a === 'header') {
      const name = args[++i];
      if (!name || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return ctx.alert('SY_ERR_CFG_ARG', `'option ${which}' : 'header' expects a header field name.`);
      ff.header = name.toLowerCase();
      continue;
    }
    if (a === 'except') {
      const net = parseNetwork(args[++i]);
      if (!net) return ctx.alert('SY_ERR_CFG_ARG', `'option ${which}' : 'except' expects a network (e.g. 10.0.0.0/8 or 2001:db8::/32), got '${args[i] ?? ''}'.`);
      ff.except = net;
      continue;
    }
    return ctx.alert('SY_ERR_CFG_ARG', `'option ${which}' only supports optional values: 'except', 'header'${which === 'forwardfor' ? " and 'if-none'" : ''}.`);
  }
  s.options[which] = ff;
}

const RFC7239_PARAMS: Readonly<Record<string, keyof Rfc7239>> = {
  proto: 'proto', host: 'host', by: 'by', by_port: 'byPort', for: 'for', for_port: 'forPort',
};

/**
 * `option forwarded [proto] [host] [by] [by_port] [for] [for_port]` (HAProxy 2.7+
 * syntax; without parameters: `for`). The `*-expr` forms need sample expressions, not
 * implemented yet. A backend option, as in HAProxy.
 */
function parseRfc7239(ctx: ParseContext, t: Target, s: { options: ProxyOptions }, args: string[], on: boolean): void {
  if (t.proxy && !t.proxy.cap.backend) return ctx.warning(`'forwarded' ignored because ${t.proxy.kind} '${t.proxy.name}' has no backend capability.`);
  if (!on) {
    if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'no option forwarded' does not take arguments.`);
    s.options.forwarded = null;
    return;
  }
  const f: Rfc7239 = { proto: false, host: false, by: false, byPort: false, for: false, forPort: false };
  for (const a of args.slice(2)) {
    const key = RFC7239_PARAMS[a];
    if (key) { f[key] = true; continue; }
    if (/^(host|by|by_port|for|for_port)-expr$/.test(a)) {
      return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'option forwarded' : '${a}' needs sample expressions, which are not implemented yet; supported: ${Object.keys(RFC7239_PARAMS).join(', ')}.`);
    }
    return ctx.alert('SY_ERR_CFG_ARG', `'option forwarded' : unknown parameter '${a}'; allowed: ${Object.keys(RFC7239_PARAMS).join(', ')}.`);
  }
  if ((f.byPort && !f.by) || (f.forPort && !f.for)) {
    return ctx.alert('SY_ERR_CFG_ARG', `'option forwarded' : 'by_port' needs 'by' and 'for_port' needs 'for'.`);
  }
  if (args.length === 2) f.for = true;
  s.options.forwarded = f;
}

/** "a.b.c.d[/len]", "a.b.c.d/m.a.s.k" or "v6[/len]". */
function parseNetwork(text: string | undefined): ForwardFor['except'] {
  if (!text) return null;
  const [addr, len] = text.split('/', 2) as [string, string | undefined];
  const family = isIP(addr);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (len !== undefined) {
    if (/^\d+$/.test(len)) prefix = Number(len);
    else if (family === 4 && isIP(len) === 4) {
      const bits = len.split('.').map(Number).reduce((acc, o) => acc * 256 + o, 0).toString(2).padStart(32, '0');
      if (!/^1*0*$/.test(bits)) return null;
      prefix = bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
    } else return null;
  }
  if (prefix > max) return null;
  return { address: addr, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * `errorfile CODE FILE`: a raw HTTP response (status line, fields, body) read now, checked
 * to be a well-formed response no larger than a buffer, and sent as is when the proxy
 * generates CODE.
 */
export function parseErrorfile(ctx: ParseContext, s: { errorfiles: Record<number, Buffer> }, args: string[]): void {
  const code = Number(args[1]);
  if (!args[1] || !args[2]) return ctx.alert('SY_ERR_CFG_ARG', `'errorfile' expects <status_code> and <file> as arguments.`);
  if (!ERRORFILE_CODES.includes(code)) return ctx.alert('SY_ERR_CFG_ARG', `errorfile : status code '${args[1]}' not handled; allowed: ${ERRORFILE_CODES.join(', ')}.`);
  let data: Buffer;
  try {
    data = readFileSync(args[2]);
  } catch {
    return ctx.alert('SY_ERR_CFG_READ', `errorfile : error opening file '${args[2]}'.`);
  }
  if (data.length > 16_384) return ctx.alert('SY_ERR_CFG_ARG', `errorfile : '${args[2]}' is larger than a buffer (16384 bytes).`);
  const r = parseResponseHead(data, 'GET');
  if (r.state !== 'done') return ctx.alert('SY_ERR_CFG_ARG', `errorfile : '${args[2]}' is not a valid HTTP response${r.state === 'error' ? ` (${r.error.reason})` : ' (incomplete head)'}.`);
  s.errorfiles[code] = data;
}

/**
 * HTTP rules in a defaults section: refused in an anonymous one (as HAProxy), not
 * implemented yet in a named one (HAProxy 2.5+ lets proxies inherit them from there).
 */
function rulesInDefaults(ctx: ParseContext, name: string, keyword: string): void {
  if (name === '') return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'${keyword}' not allowed in anonymous 'defaults' section.`);
  return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${keyword}' in a named 'defaults' section is not implemented yet; put the rules in the proxies.`);
}
