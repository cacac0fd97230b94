/**
 * `balance ALGO [args]`, `hash-type` and `hash-balance-factor`: fill ProxySettings.balance
 * (src/lb/algo/config.ts); src/lb/algo/registry.ts maps the algorithm to its table.
 *
 * Wording and limits follow HAProxy 2.6 (checked with `haproxy -c`). Where HAProxy
 * silently ignores extra words (`balance roundrobin foo`, `hash-type consistent sdbm
 * avalanche foo`, `hash-balance-factor x` read as 0) we report an error instead: an
 * ignored word is usually a mistake. A failed line leaves the previous settings intact.
 */
import type { ParseContext } from '../context.ts';
import type { BalanceConfig, HashExpr, HashFunction, UriOptions } from '../../algo/config.ts';
import { parseUint } from '../units.ts';

/** Proxy keywords besides `balance` that this module parses. */
export const BALANCE_KEYWORDS: readonly string[] = ['hash-type', 'hash-balance-factor'];

const HASH_FUNCTIONS: readonly HashFunction[] = ['sdbm', 'djb2', 'wt6', 'crc32'];

/** Parses one of BALANCE_KEYWORDS. */
export function parseBalanceKeyword(ctx: ParseContext, s: { balance: BalanceConfig }, args: string[]): void {
  if (args[0] === 'hash-type') return parseHashType(ctx, s, args);
  if (args[0] === 'hash-balance-factor') return parseBalanceFactor(ctx, s, args);
  ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `'${args[0]}' is not a balancing keyword; supported: ${BALANCE_KEYWORDS.join(', ')}.`);
}

function parseHashType(ctx: ParseContext, s: { balance: BalanceConfig }, args: string[]): void {
  const method = args[1];
  if (method !== 'map-based' && method !== 'consistent') {
    return ctx.alert('SY_ERR_CFG_ARG', `'hash-type' only supports 'consistent' and 'map-based' (got '${method ?? ''}').`);
  }
  const fn = args[2] ?? 'sdbm';
  if (!(HASH_FUNCTIONS as readonly string[]).includes(fn)) {
    return ctx.alert('SY_ERR_CFG_ARG', `'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions (got '${fn}').`);
  }
  if (args[3] !== undefined && args[3] !== 'avalanche') {
    return ctx.alert('SY_ERR_CFG_ARG', `'hash-type' only supports 'avalanche' as a modifier for hash functions (got '${args[3]}').`);
  }
  if (args.length > 4) return ctx.alert('SY_ERR_CFG_ARG', `'hash-type' takes at most a method, a function and 'avalanche' (got '${args[4]}').`);
  // HAProxy: `consistent` without a function means sdbm *with* avalanche; with an explicit
  // function, avalanche only if asked (picks checked against HAProxy 2.6 in
  // src/lb/algo/haproxy-orders.json).
  const avalanche = args[3] === 'avalanche' || (method === 'consistent' && args[2] === undefined);
  s.balance = { ...s.balance, hashType: { method, fn: fn as HashFunction, avalanche } };
}

function parseBalanceFactor(ctx: ParseContext, s: { balance: BalanceConfig }, args: string[]): void {
  const v = parseUint(args[1], 0, 2 ** 31 - 1);
  if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'hash-balance-factor' expects an integer argument: 0 (off) or a percentage greater than 100 (${v.reason}).`);
  if (v.value !== 0 && v.value <= 100) return ctx.alert('SY_ERR_CFG_ARG', `'hash-balance-factor' must be 0 or greater than 100 (got ${v.value}).`);
  if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'hash-balance-factor' takes one argument (got '${args[2]}').`);
  s.balance = { ...s.balance, hashBalanceFactor: v.value };
}

const SERVED = `'roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri', 'url_param', 'random[(draws)]', 'hash <expr>' and 'hdr(name)'`;
const ALL = `${SERVED.replace(" and 'hdr(name)'", ", 'hdr(name)'")} and 'rdp-cookie(name)'`;

/** The part of `balance` this line sets (the hash-type settings stay). */
type AlgoPart = Omit<BalanceConfig, 'hashType' | 'hashBalanceFactor'>;

export function parseBalance(ctx: ParseContext, s: { balance: BalanceConfig }, args: string[]): void {
  const algo = parseAlgorithm(ctx, args);
  if (!algo) return;
  s.balance = { ...algo, hashType: s.balance.hashType, hashBalanceFactor: s.balance.hashBalanceFactor };
}

function parseAlgorithm(ctx: ParseContext, args: string[]): AlgoPart | null {
  const a = args[1] ?? '';
  const rest = args.slice(2);
  const noArgs = (algorithm: AlgoPart['algorithm']): AlgoPart | null => {
    if (rest.length > 0) return fail(ctx, 'SY_ERR_CFG_ARG', `'balance ${a}' does not take arguments (got '${rest[0]}').`);
    return { algorithm };
  };
  switch (a) {
    case 'roundrobin': case 'static-rr': case 'leastconn': case 'first': case 'source':
      return noArgs(a);
    case 'uri':
      return parseUri(ctx, rest);
    case 'url_param': {
      if (!rest[0]) return fail(ctx, 'SY_ERR_CFG_ARG', `balance url_param requires an URL parameter name.`);
      if (rest[1] === 'check_post') {
        return fail(ctx, 'SY_ERR_CFG_NOT_IMPLEMENTED', `'balance url_param ${rest[0]} check_post' is not implemented yet in Switchyard (it needs request body buffering); supported: 'balance url_param ${rest[0]}'.`);
      }
      if (rest[1] !== undefined) return fail(ctx, 'SY_ERR_CFG_ARG', `balance url_param only accepts 'check_post' modifier (got '${rest[1]}').`);
      return { algorithm: 'url_param', urlParam: rest[0] };
    }
    case 'hash': {
      if (!rest[0]) return fail(ctx, 'SY_ERR_CFG_ARG', `balance hash requires a sample expression.`);
      if (rest[1] !== undefined) return fail(ctx, 'SY_ERR_CFG_ARG', `balance hash takes no other argument (got '${rest[1]}').`);
      const expr = parseHashExpr(rest[0]);
      if (!expr) {
        return fail(ctx, 'SY_ERR_CFG_NOT_IMPLEMENTED', `'balance hash ${rest[0]}' is not implemented yet in Switchyard (no sample-fetch engine yet); supported: src, path, url, req.hdr(name[,occ]), hdr(name[,occ]).`);
      }
      return { algorithm: 'hash', expr };
    }
  }
  if (a === 'random' || a.startsWith('random(')) {
    const draws = parseParen(ctx, 'random', a.slice(6));
    if (draws === null) return null;
    if (draws !== '' && !/^\d+$/.test(draws)) {
      const bad = /^\d*(.)/.exec(draws)![1];
      return fail(ctx, 'SY_ERR_CFG_ARG', `balance random : unexpected character '${bad}' after argument.`);
    }
    const n = draws === '' ? 2 : Number(draws);
    if (n < 1) return fail(ctx, 'SY_ERR_CFG_ARG', `balance random : number of draws must be at least 1.`);
    if (rest.length > 0) return fail(ctx, 'SY_ERR_CFG_ARG', `'balance random' does not take arguments; give the draws as 'random(${rest[0]})' (got '${rest[0]}').`);
    return { algorithm: 'random', draws: n };
  }
  if (a.startsWith('hdr(')) {
    const name = parseParen(ctx, 'hdr', a.slice(3));
    if (name === null) return null;
    if (name === '') return fail(ctx, 'SY_ERR_CFG_ARG', `balance hdr requires an http header field name.`);
    if (rest[0] !== undefined && rest[0] !== 'use_domain_only') {
      return fail(ctx, 'SY_ERR_CFG_ARG', `balance ${a} only accepts 'use_domain_only' modifier (got '${rest[0]}').`);
    }
    if (rest.length > 1) return fail(ctx, 'SY_ERR_CFG_ARG', `balance ${a} only accepts 'use_domain_only' modifier (got '${rest[1]}').`);
    return { algorithm: 'hdr', hdr: { name: name.toLowerCase(), useDomainOnly: rest[0] === 'use_domain_only' } };
  }
  if (a === 'rdp-cookie' || a.startsWith('rdp-cookie(')) {
    return fail(ctx, 'SY_ERR_CFG_NOT_IMPLEMENTED', `'balance ${a}' is not implemented yet in Switchyard; supported: ${SERVED}.`);
  }
  return fail(ctx, 'SY_ERR_CFG_ARG', `balance only supports ${ALL} options (got '${a}').`);
}

function fail(ctx: ParseContext, code: 'SY_ERR_CFG_ARG' | 'SY_ERR_CFG_NOT_IMPLEMENTED', message: string): null {
  ctx.alert(code, message);
  return null;
}

/** "(x)" → "x", "" → "" (no parentheses); null after reporting a missing ')'. */
function parseParen(ctx: ParseContext, what: string, text: string): string | null {
  if (text === '') return '';
  if (!text.endsWith(')')) {
    ctx.alert('SY_ERR_CFG_ARG', `balance ${what} : missing closing parenthesis.`);
    return null;
  }
  return text.slice(1, -1);
}

function parseUri(ctx: ParseContext, rest: string[]): AlgoPart | null {
  const uri: UriOptions = { whole: false, len: 0, depth: 0, pathOnly: false };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w === 'whole') uri.whole = true;
    else if (w === 'path-only') uri.pathOnly = true;
    else if (w === 'len' || w === 'depth') {
      const v = rest[i + 1] ?? '';
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 2 ** 31 - 1) {
        return fail(ctx, 'SY_ERR_CFG_ARG', `balance uri : '${w}' expects a positive integer (got '${v}').`);
      }
      uri[w] = Number(v);
      i++;
    } else {
      return fail(ctx, 'SY_ERR_CFG_ARG', `balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '${w}').`);
    }
  }
  return { algorithm: 'uri', uri };
}

/** The sample expressions served before the sample-fetch engine; null for anything else. */
export function parseHashExpr(text: string): HashExpr | null {
  if (text === 'src' || text === 'path' || text === 'url') return { fetch: text };
  const m = /^(?:req\.hdr|hdr)\(([^,()]+)(?:,(-?\d+))?\)$/.exec(text);
  if (!m) return null;
  const occ = m[2] === undefined ? -1 : Number(m[2]);
  if (occ === 0) return null;
  return { fetch: 'req.hdr', name: m[1]!.toLowerCase(), occ };
}
