/**
 * Logging keywords. Global: `log ADDR … FACILITY [LEVEL [MINLEVEL]]`, `log-tag`,
 * `log-send-hostname [NAME]`. Proxies: `log global`, `log ADDR …`, `no log`,
 * `log-format`, `log-format-sd`, `error-log-format`, `log-tag`, `option httplog [clf]`,
 * `option tcplog`, `option log-separate-errors`, `option logasap`, `unique-id-format`,
 * `unique-id-header`.
 *
 * Parsing fills GlobalConfig.log and ProxySettings.log (src/lb/log/types.ts); format
 * strings are compiled here only to report their syntax errors at their line. What
 * needs the whole proxy (its final mode, whether it has a log target) is checked by
 * finalizeProxyLog(), as HAProxy does after parsing. Wording follows HAProxy 2.6.
 */
import type { ParseContext } from '../context.ts';
import type { DefaultsConfig, GlobalConfig, ProxyConfig, ProxyMode, ProxyOptions } from '../types.ts';
import type { GlobalLogSettings, ProxyLogSettings } from '../../log/types.ts';
import { expandAddressEnv } from '../address.ts';
import { parseLogLine } from '../../log/target.ts';
import { compileLogFormat } from '../../log/format.ts';
import { TCPLOG_FORMAT } from '../../log/defaults.ts';
import { logSampleCompiler, type SampleUse } from '../../log/samples.ts';
import { envOf } from './acl.ts';

type Target = { proxy: ProxyConfig; defaults?: undefined } | { proxy?: undefined; defaults: DefaultsConfig };
type Settings = { log: ProxyLogSettings; options: ProxyOptions; mode: ProxyMode };

/** Proxy keywords handled here (first word; `no log`, `option …` are matched on the second). */
export const LOG_PROXY_KEYWORDS = ['log', 'no log', 'log-format', 'log-format-sd', 'error-log-format', 'log-tag', 'unique-id-format', 'unique-id-header'];

/** Compiles a format with its samples (fetch names, converters, what is available when). */
function checkFormat(ctx: ParseContext, t: Target, src: string, use: SampleUse): ReturnType<typeof compileLogFormat> {
  return compileLogFormat(src, logSampleCompiler({ env: envOf(t.proxy ?? t.defaults, ctx), use }));
}
/** `option` names handled here. */
export const LOG_OPTIONS = ['httplog', 'tcplog', 'log-separate-errors', 'logasap'];
export const LOG_GLOBAL_KEYWORDS = ['log', 'log-tag', 'log-send-hostname'];

/**
 * A proxy logging line. Returns false when the line is not a logging keyword (the caller
 * goes on with its own keywords); true when it was handled, errors included.
 */
export function parseLogKeyword(ctx: ParseContext, t: Target, s: Settings, args: string[]): boolean {
  const kw = args[0];
  if (kw === 'no' && args[1] === 'log') {
    if (args.length > 2) ctx.alert('SY_ERR_CFG_ARG', `log : 'no log' does not expect arguments.`);
    else s.log.targets = [];
    return true;
  }
  if (kw === 'option' || (kw === 'no' && args[1] === 'option')) {
    const on = kw === 'option';
    const a = on ? args : args.slice(1);
    const name = a[1];
    if (name === undefined || !LOG_OPTIONS.includes(name)) return false;
    parseLogOption(ctx, t, s, name, a, on);
    return true;
  }
  switch (kw) {
    case 'log': {
      const r = parseLogLine(args, (x) => expandAddressEnv(x, ctx.env));
      if (!r.ok) {
        ctx.alert(r.notImplemented ? 'SY_ERR_CFG_NOT_IMPLEMENTED' : r.reason.includes('address') || r.reason.includes('port') ? 'SY_ERR_CFG_ADDRESS' : 'SY_ERR_CFG_ARG', `log : ${r.reason}.`);
        return true;
      }
      if (r.global) {
        // HAProxy accepts several 'log global' lines; the global targets are used once.
        if (!s.log.targets.includes('global')) s.log.targets.push('global');
      } else {
        s.log.targets.push(r.target);
      }
      return true;
    }
    case 'log-format': case 'log-format-sd': case 'error-log-format': {
      if (args.length < 2) { ctx.alert('SY_ERR_CFG_ARG', `${kw} expects an argument.`); return true; }
      if (args.length > 2) { ctx.alert('SY_ERR_CFG_ARG', `${kw} expects only one argument, don't forget to escape spaces!`); return true; }
      if (t.proxy && !t.proxy.cap.frontend) {
        ctx.warning(`${t.proxy.kind} '${t.proxy.name}' : '${kw}' directive is ignored in backends.`);
        return true;
      }
      const c = checkFormat(ctx, t, args[1]!, 'log');
      if (!c.ok) { ctx.alert('SY_ERR_CFG_LOG_FORMAT', `failed to parse ${kw} : ${c.reason}.`); return true; }
      if (kw === 'log-format') {
        s.log.formatKind = 'custom';
        s.log.format = args[1]!;
        s.log.formatWhere = { ...ctx.where };
      } else if (kw === 'log-format-sd') {
        s.log.sdFormat = args[1]!;
      } else {
        s.log.errorFormat = args[1]!;
      }
      return true;
    }
    case 'unique-id-format': case 'unique-id-header': {
      // HAProxy 2.6 accepts both in a backend without a word, and uses the frontend's.
      if (args.length < 2) { ctx.alert('SY_ERR_CFG_ARG', `${kw} expects an argument.`); return true; }
      if (args.length > 2) { ctx.alert('SY_ERR_CFG_ARG', `${kw} expects only one argument, don't forget to escape spaces!`); return true; }
      if (kw === 'unique-id-header') { s.log.uniqueIdHeader = args[1]!; return true; }
      const c = checkFormat(ctx, t, args[1]!, 'unique-id');
      if (!c.ok) { ctx.alert('SY_ERR_CFG_LOG_FORMAT', `failed to parse unique-id : ${c.reason}.`); return true; }
      s.log.uniqueIdFormat = args[1]!;
      return true;
    }
    case 'log-tag':
      if (!args[1]) { ctx.alert('SY_ERR_CFG_ARG', `'log-tag' expects a tag for use in syslog.`); return true; }
      if (args.length > 2) { ctx.alert('SY_ERR_CFG_ARG', `'log-tag' : unexpected argument '${args[2]}'.`); return true; }
      s.log.tag = args[1];
      return true;
  }
  return false;
}

function parseLogOption(ctx: ParseContext, t: Target, s: Settings, name: string, a: string[], on: boolean): void {
  if ((name === 'httplog' || name === 'tcplog') && !on) {
    return ctx.alert('SY_ERR_CFG_ARG', `negation/default is not supported for option '${name}'.`);
  }
  if (t.proxy && !t.proxy.cap.frontend) {
    if (name === 'httplog' || name === 'tcplog') return ctx.warning(`${t.proxy.kind} '${t.proxy.name}' : 'option ${name}' directive is ignored in backends.`);
    return ctx.warning(`'${name}' ignored because ${t.proxy.kind} '${t.proxy.name}' has no frontend capability.`);
  }
  if (name === 'httplog') {
    if (a[2] !== undefined && a[2] !== 'clf') return ctx.alert('SY_ERR_CFG_ARG', `keyword 'httplog' only supports option 'clf'.`);
    if (a.length > 3) return ctx.alert('SY_ERR_CFG_ARG', `'option httplog' cannot handle unexpected argument '${a[3]}'.`);
    s.log.formatKind = a[2] === 'clf' ? 'clf' : 'httplog';
    s.log.formatWhere = { ...ctx.where };
    return;
  }
  if (a.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'option ${name}' cannot handle unexpected argument '${a[2]}'.`);
  if (name === 'tcplog') {
    s.options.tcplog = true;
    s.log.formatKind = 'tcplog';
    s.log.formatWhere = { ...ctx.where };
  } else if (name === 'log-separate-errors') {
    s.log.separateErrors = on;
  } else {
    s.log.logasap = on;
  }
}

/** A global logging line. Returns false when the keyword is not a logging one. */
export function parseGlobalLog(ctx: ParseContext, global: GlobalConfig, args: string[]): boolean {
  const kw = args[0];
  const g = (): GlobalLogSettings => (global.log ??= { targets: [] });
  switch (kw) {
    case 'log': {
      const r = parseLogLine(args, (x) => expandAddressEnv(x, ctx.env));
      if (!r.ok) {
        ctx.alert(r.notImplemented ? 'SY_ERR_CFG_NOT_IMPLEMENTED' : r.reason.includes('address') || r.reason.includes('port') ? 'SY_ERR_CFG_ADDRESS' : 'SY_ERR_CFG_ARG', `log : ${r.reason}.`);
      } else if (r.global) {
        ctx.alert('SY_ERR_CFG_ARG', `log : 'global' is not supported for a global syslog server.`);
      } else {
        g().targets.push(r.target);
      }
      return true;
    }
    case 'log-tag':
      if (!args[1]) ctx.alert('SY_ERR_CFG_ARG', `'log-tag' expects a tag for use in syslog.`);
      else if (args.length > 2) ctx.alert('SY_ERR_CFG_ARG', `'log-tag' : unexpected argument '${args[2]}'.`);
      else g().tag = args[1];
      return true;
    case 'log-send-hostname':
      // HAProxy ignores words after the name; so do we, silently being stricter helps nobody here.
      g().sendHostname = args[1] ?? true;
      return true;
  }
  return false;
}

/**
 * Post-parse checks of one proxy (call from finalize for each proxy), as HAProxy's
 * check_config_validity: `option httplog` outside mode http falls back to tcplog with a
 * warning; a log-format using HTTP-only variables outside mode http is an error; a
 * frontend with a format but no log target gets a warning.
 */
export function finalizeProxyLog(ctx: ParseContext, p: ProxyConfig): void {
  if (!p.cap.frontend) return;
  const l = p.log;
  if (p.mode !== 'http' && (l.formatKind === 'httplog' || l.formatKind === 'clf')) {
    ctx.warning(`'option httplog' not usable with ${p.kind} '${p.name}' (needs 'mode http'). Falling back to 'option tcplog'.`, l.formatWhere ?? p.where);
    l.formatKind = 'tcplog';
    l.format = TCPLOG_FORMAT;
  }
  if (p.mode !== 'http') {
    for (const [kw, src] of [['log-format', l.formatKind === 'custom' ? l.format : ''], ['log-format-sd', l.sdFormat], ['error-log-format', l.errorFormat]] as const) {
      if (!src) continue;
      const c = compileLogFormat(src);
      if (c.ok && c.format.httpOnly.length > 0) {
        ctx.alert('SY_ERR_CFG_LOG_FORMAT', `failed to parse ${kw} : format variable '${c.format.httpOnly[0]}' is reserved for HTTP mode.`, kw === 'log-format' ? (l.formatWhere ?? p.where) : p.where);
      }
    }
  }
  const hasFormat = l.formatKind !== 'default' || p.options.tcplog;
  const globalCount = ctx.config.global.log?.targets.length ?? 0;
  const effective = l.targets.reduce((n, x) => n + (x === 'global' ? globalCount : 1), 0);
  if (hasFormat && effective === 0) {
    ctx.warning(`log format ignored for ${p.kind} '${p.name}' since it has no log address.`, null);
  }
}
