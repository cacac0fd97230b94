/**
 * `acl NAME criterion [flags] [operator] value…` in frontend, backend and listen sections,
 * and the condition compiler that rule parsers call for `if|unless …`. Both report with
 * HAProxy 2.6's wording through ctx.alert (file:line added by the context) and keep going.
 * ACLs are per proxy and must be declared before the rule that uses them.
 *
 * Relative `-f` and map paths are taken from the current directory, as HAProxy does.
 */
import type { ParseContext } from '../context.ts';
import type { ProxyConfig, ProxySettings } from '../types.ts';
import type { Condition, Value } from '../../rules/types.ts';
import type { CompileEnv, FetchStage, SampleContext } from '../../acl/types.ts';
import { SampleError } from '../../acl/types.ts';
import { addAclLine } from '../../acl/acl.ts';
import type { CompiledCondition } from '../../acl/condition.ts';
import { compileCondition as compileCond } from '../../acl/condition.ts';
import { compileLogFormat } from '../../acl/logformat.ts';
import type { LogFormatOptions } from '../../acl/logformat.ts';
import { tableRefRecorder } from '../../stick/refs.ts';

/** The compile environment of a proxy's expressions; with `ctx`, table names are recorded for finalize. */
export function envOf(settings: ProxySettings, ctx?: ParseContext): CompileEnv {
  const name = (settings as { name?: string }).name;
  if (!name) return { baseDir: process.cwd(), mode: settings.mode };
  const onTableRef = ctx ? tableRefRecorder(ctx, name) : undefined;
  return { baseDir: process.cwd(), mode: settings.mode, proxyName: name, ...(onTableRef ? { onTableRef } : {}) };
}

/** HAProxy's invalid_char(): names are made of letters, digits, '-', '_', '.', ':'. */
function badChar(name: string): string | null {
  const m = /[^A-Za-z0-9_.:-]/.exec(name);
  return m ? m[0] : null;
}

/** `args` is the whole line: ['acl', NAME, criterion, …]. */
export function parseAclLine(ctx: ParseContext, proxy: ProxySettings, args: string[]): void {
  if (ctx.section.kind === 'defaults') {
    const n = ctx.section.defaults.name;
    ctx.alert('SY_ERR_CFG_NOT_ALLOWED', n ? `'acl' not allowed in 'defaults' section '${n}'.` : `'acl' not allowed in anonymous 'defaults' section.`);
    return;
  }
  const name = args[1];
  if (name === undefined || name === '') {
    ctx.alert('SY_ERR_CFG_ARG', `'acl' expects an ACL name and a criterion: acl <name> <criterion> [flags] [operator] <value> ...`);
    return;
  }
  const bad = badChar(name);
  if (bad) {
    ctx.alert('SY_ERR_CFG_ACL', `ACL name '${name}' contains invalid character '${bad}'.`);
    return;
  }
  try {
    const acl = addAclLine(proxy.acls, name, args.slice(2), envOf(proxy, ctx));
    const w = acl.terms[acl.terms.length - 1]!.warning;
    if (w) ctx.warning(w + '.');
  } catch (e) {
    if (!(e instanceof SampleError)) throw e;
    ctx.alert(e.code, `error detected while parsing ACL '${name}' : ${e.message}.`);
  }
}

export interface ConditionUse {
  /** Where the rule runs (request rules by default). */
  stage?: FetchStage;
  /** The keyword for messages ("http-request deny", "use_backend"). */
  keyword?: string;
}

/** HAProxy's name for a rule position, used in "will never match" warnings. */
function ruleName(proxy: ProxyConfig, use: ConditionUse): string {
  const side = proxy.cap.frontend ? 'frontend' : 'backend';
  const kw = (use.keyword ?? '').split(' ')[0] ?? '';
  if (kw === 'stick') return use.stage === 'response' ? 'backend stick-store rule' : 'backend use-server, balance or stick-match rule';
  if (kw.startsWith('http-response') || use.stage === 'response') return `${side} http-response header rule`;
  if (kw === 'use_backend') return 'backend switching rule';
  return `${side} http-request header rule`;
}

/**
 * Compiles `words` = ['if'|'unless', …] against the proxy's ACLs; null (after an alert)
 * on error. Warnings (ACLs that cannot match at this point) go to ctx.warning.
 */
export function compileCondition(ctx: ParseContext, proxy: ProxyConfig, words: string[], use: ConditionUse = {}): CompiledCondition | null {
  try {
    const c = compileCond(words, proxy.acls, { env: envOf(proxy, ctx), stage: use.stage ?? 'request', ruleName: ruleName(proxy, use) });
    for (const w of c.warnings) ctx.warning(w);
    return c;
  } catch (e) {
    if (!(e instanceof SampleError)) throw e;
    const what = use.keyword ? `an '${use.keyword}' condition` : 'a condition';
    ctx.alert(e.code, `error detected while parsing ${what} : ${e.message}.`);
    return null;
  }
}

/**
 * Adapters with the shapes `setRuleCompilers` (src/lb/config/sections/http-request.ts)
 * expects: rules hand the engine's SampleContext in `RuleContext.sample`.
 */
export function ruleCondition(ctx: ParseContext, proxy: ProxyConfig, words: string[], side: 'request' | 'response' = 'request'): Condition | null {
  const c = compileCondition(ctx, proxy, words, { keyword: `http-${side}`, stage: side });
  if (!c) return null;
  const test = c.test;
  return (rc) => test(rc.sample as SampleContext);
}

export function ruleValue(
  ctx: ParseContext,
  proxy: ProxyConfig,
  text: string,
  variable?: LogFormatOptions['variable'],
): Value | null {
  try {
    const f = compileLogFormat(text, { env: envOf(proxy, ctx), variable });
    const render = f.render;
    return (rc) => render(rc.sample as SampleContext);
  } catch (e) {
    if (!(e instanceof SampleError)) throw e;
    ctx.alert(e.code, `failed to parse log-format string '${text}' : ${e.message}.`);
    return null;
  }
}
