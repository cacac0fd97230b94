/**
 * `balance ALGO [args]` (and, with the algorithms that hash, `hash-type` and
 * `hash-balance-factor`). Fills ProxySettings.balance; src/lb/algo/registry.ts maps the
 * algorithm to its table.
 */
import type { ParseContext } from '../context.ts';
import type { BalanceConfig } from '../../algo/config.ts';

/** Proxy keywords besides `balance` that this module parses. */
export const BALANCE_KEYWORDS: readonly string[] = [];

/** Parses one of BALANCE_KEYWORDS (`hash-type`, `hash-balance-factor` once served). */
export function parseBalanceKeyword(ctx: ParseContext, _s: { balance: BalanceConfig }, args: string[]): void {
  ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${args[0]}' is not implemented yet in Switchyard.`);
}

const BALANCE_KNOWN = ['leastconn', 'source', 'uri', 'url_param', 'first', 'random', 'hash', 'hdr', 'rdp-cookie'];

export function parseBalance(ctx: ParseContext, s: { balance: BalanceConfig }, args: string[]): void {
  const a = args[1] ?? '';
  if (a === 'roundrobin' || a === 'static-rr') {
    if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'balance ${a}' does not take arguments (got '${args[2]}').`);
    s.balance = { algorithm: a };
    return;
  }
  const base = a.replace(/\(.*$/, '');
  if (BALANCE_KNOWN.includes(base)) {
    return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'balance ${a}' is not implemented yet in Switchyard; supported: 'roundrobin', 'static-rr'.`);
  }
  ctx.alert('SY_ERR_CFG_ARG', `balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options (Switchyard serves 'roundrobin' and 'static-rr' so far).`);
}
