/**
 * `stick` rules of a backend (HAProxy 2.6 server persistence through a stick table):
 *
 *   stick match          EXPR [table T] [if|unless COND]   look the key up, go to its server
 *   stick store-request  EXPR [table T] [if|unless COND]   record the server that serves
 *   stick on             EXPR [table T] [if|unless COND]   both (match, then store-request)
 *   stick store-response EXPR [table T] [if|unless COND]   key read from the response
 *
 * (`stick store` is HAProxy's older spelling of store-request.) The table is the
 * backend's own `stick-table` unless `table` names another proxy's; whether it exists is
 * checked once the whole configuration is read (refs.ts). Request-side keys must be
 * readable during the request, store-response keys at response time. What the rules do
 * at run time is in persist.ts.
 */
import type { ParseContext } from '../config/context.ts';
import type { ProxyConfig, Where } from '../config/types.ts';
import type { CompiledCondition } from '../acl/index.ts';
import { compileExpr, fetchUsableAt, type CompiledExpr } from '../acl/expr.ts';
import { SampleError } from '../acl/types.ts';
import { compileCondition, envOf } from '../config/sections/acl.ts';
import { noteStickRuleTable, tableDeclared } from './refs.ts';
import { stickTable } from './registry.ts';

export interface StickRule {
  /** Look the key up and send the request to the server it names. */
  match: boolean;
  /** Record the server in the key's entry (request side, or response side with onResponse). */
  store: boolean;
  onResponse: boolean;
  expr: CompiledExpr;
  /** The table's name (a proxy's name). */
  table: string;
  cond: CompiledCondition | null;
  where: Where;
}

const KINDS: Record<string, { match: boolean; store: boolean; onResponse: boolean }> = {
  on: { match: true, store: true, onResponse: false },
  match: { match: true, store: false, onResponse: false },
  store: { match: false, store: true, onResponse: false },
  'store-request': { match: false, store: true, onResponse: false },
  'store-response': { match: false, store: true, onResponse: true },
};

/** `args` is the whole line, args[0] === 'stick'. Alerts and keeps going on errors. */
export function parseStickRule(ctx: ParseContext, proxy: ProxyConfig, args: string[]): void {
  const kind = KINDS[args[1] ?? ''];
  if (!kind) return ctx.alert('SY_ERR_CFG_ARG', `'stick' expects 'on', 'match', 'store-request' or 'store-response'${args[1] ? `, not '${args[1]}'` : ''}.`);
  const text = args[2];
  if (!text) return ctx.alert('SY_ERR_CFG_ARG', `'stick ${args[1]}' expects a fetch method (the key).`);
  let expr: CompiledExpr;
  try {
    expr = compileExpr(text, envOf(proxy, ctx));
  } catch (e) {
    if (!(e instanceof SampleError)) throw e;
    return ctx.alert(e.code, `'stick ${args[1]}' : ${e.message}.`);
  }
  const stage = kind.onResponse ? 'response' : 'request';
  if (!fetchUsableAt(expr.fetch.stage, stage)) {
    return ctx.alert('SY_ERR_CFG_SAMPLE', `'stick ${args[1]}' : fetch method '${expr.fetch.name}' reads the ${expr.fetch.stage}, which is not available ${kind.onResponse ? "to 'store-response'" : 'during the request'}.`);
  }
  let i = 3;
  let table = proxy.name;
  if (args[i] === 'table') {
    if (!args[i + 1]) return ctx.alert('SY_ERR_CFG_ARG', `'stick ${args[1]} … table' expects a table name.`);
    table = args[i + 1]!;
    i += 2;
  }
  let cond: CompiledCondition | null = null;
  if (args[i] === 'if' || args[i] === 'unless') {
    cond = compileCondition(ctx, proxy, args.slice(i), { keyword: 'stick', stage });
    if (!cond) return;
  } else if (args[i] !== undefined) {
    return ctx.alert('SY_ERR_CFG_ARG', `'stick ${args[1]}' : unknown keyword '${args[i]}'; expected 'table', 'if' or 'unless'.`);
  }
  noteStickRuleTable(ctx, proxy.name, table);
  proxy.stickRules.push({ ...kind, expr, table, cond, where: { ...ctx.where } });
}

/**
 * After every section is read: each table a stick rule of this configuration uses
 * stores server_id (and shows server names). Missing tables were reported by refs.ts.
 */
export function prepareStickTables(ctx: ParseContext, proxies: readonly ProxyConfig[]): void {
  for (const p of proxies) {
    for (const r of p.stickRules) {
      if (tableDeclared(ctx, r.table)) stickTable(r.table)?.enableServerKeys();
    }
  }
}
