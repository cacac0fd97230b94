/**
 * The `balance`, `hash-type` and `hash-balance-factor` keywords through the real config
 * reader (src/lb/config/sections/balance.ts): what each line gives, and every error,
 * matched by stable code and line. Which lines HAProxy 2.6 accepts was checked with
 * `haproxy -c`; where HAProxy ignores stray words we refuse them (noted per case).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import { defaultBalance, defaultHashType, effectiveBalance } from './config.ts';
import { weightsAreDynamic } from './registry.ts';

function parse(...lines: string[]): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', lines.join('\n') + '\n');
  return ctx;
}

const alerts = (ctx: ParseContext): string[] =>
  ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line} ${d.code}`);

/** The balance settings of backend `b` after these lines in it. */
function balance(...lines: string[]) {
  const ctx = parse('backend b', ...lines.map((l) => `  ${l}`));
  assert.deepEqual(alerts(ctx), [], lines.join(' / '));
  return ctx.config.proxies[0]!.balance;
}

/** The one alert a single line in a backend gives, as "CODE". */
function errorOf(line: string): string {
  const ctx = parse('backend b', `  ${line}`);
  const a = alerts(ctx);
  assert.equal(a.length, 1, `${line}: ${a.join(', ')}`);
  assert.match(a[0]!, /^2 /);
  return a[0]!.slice(2);
}

test('every algorithm and its arguments', () => {
  for (const a of ['roundrobin', 'static-rr', 'leastconn', 'first', 'source'] as const) assert.equal(balance(`balance ${a}`).algorithm, a);
  assert.deepEqual(balance('balance random').draws, 2);
  assert.deepEqual(balance('balance random(5)').draws, 5);
  assert.deepEqual(balance('balance uri').uri, { whole: false, len: 0, depth: 0, pathOnly: false });
  assert.deepEqual(balance('balance uri whole len 12 depth 3 path-only').uri, { whole: true, len: 12, depth: 3, pathOnly: true });
  assert.equal(balance('balance url_param userid').urlParam, 'userid');
  assert.deepEqual(balance('balance hdr(Host) use_domain_only').hdr, { name: 'host', useDomainOnly: true });
  assert.deepEqual(balance('balance hdr(X-Key)').hdr, { name: 'x-key', useDomainOnly: false });
  assert.deepEqual(balance('balance hash src').expr, { fetch: 'src' });
  assert.deepEqual(balance('balance hash path').expr, { fetch: 'path' });
  assert.deepEqual(balance('balance hash url').expr, { fetch: 'url' });
  assert.deepEqual(balance('balance hash req.hdr(X-User)').expr, { fetch: 'req.hdr', name: 'x-user', occ: -1 });
  assert.deepEqual(balance('balance hash hdr(x,2)').expr, { fetch: 'req.hdr', name: 'x', occ: 2 });
  assert.deepEqual(balance('balance hash req.hdr(x,-2)').expr, { fetch: 'req.hdr', name: 'x', occ: -2 });
});

test('hash-type: method, function, avalanche; consistent alone means sdbm + avalanche (HAProxy)', () => {
  assert.deepEqual(balance('balance uri').hashType, defaultHashType());
  assert.deepEqual(balance('hash-type map-based').hashType, { method: 'map-based', fn: 'sdbm', avalanche: false });
  assert.deepEqual(balance('hash-type consistent').hashType, { method: 'consistent', fn: 'sdbm', avalanche: true });
  assert.deepEqual(balance('hash-type consistent sdbm').hashType, { method: 'consistent', fn: 'sdbm', avalanche: false });
  assert.deepEqual(balance('hash-type consistent wt6 avalanche').hashType, { method: 'consistent', fn: 'wt6', avalanche: true });
  assert.deepEqual(balance('hash-type map-based crc32').hashType, { method: 'map-based', fn: 'crc32', avalanche: false });
  assert.deepEqual(balance('hash-type map-based djb2 avalanche').hashType, { method: 'map-based', fn: 'djb2', avalanche: true });
});

test('hash-type and hash-balance-factor survive a later balance line, and come from defaults', () => {
  const b = balance('hash-type consistent djb2', 'hash-balance-factor 150', 'balance uri');
  assert.deepEqual([b.algorithm, b.hashType.fn, b.hashBalanceFactor], ['uri', 'djb2', 150]);
  const ctx = parse('defaults', '  balance hdr(host)', '  hash-type consistent', '  hash-balance-factor 200', 'backend b', '  balance source');
  assert.deepEqual(alerts(ctx), []);
  const p = ctx.config.proxies[0]!.balance;
  assert.deepEqual([p.algorithm, p.hashType.method, p.hashBalanceFactor], ['source', 'consistent', 200]);
  assert.equal(balance('hash-balance-factor 0').hashBalanceFactor, 0);
  assert.equal(balance('hash-balance-factor 101').hashBalanceFactor, 101);
});

test('balance errors: unknown algorithm, stray words (HAProxy ignores them; we refuse)', () => {
  assert.equal(errorOf('balance'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance foo'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance hdr'), 'SY_ERR_CFG_ARG');
  for (const a of ['roundrobin', 'static-rr', 'leastconn', 'first', 'source']) assert.equal(errorOf(`balance ${a} x`), 'SY_ERR_CFG_ARG', a);
});

test('balance random errors', () => {
  assert.equal(errorOf('balance random(0)'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance random(x)'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance random(3x)'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance random(3'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance random 3'), 'SY_ERR_CFG_ARG');
});

test('balance uri errors', () => {
  assert.equal(errorOf('balance uri foo'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance uri len'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance uri len -1'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance uri len 0'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance uri depth x'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance uri depth'), 'SY_ERR_CFG_ARG');
});

test('balance url_param errors; check_post is not implemented (no body buffering)', () => {
  assert.equal(errorOf('balance url_param'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance url_param id foo'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance url_param id check_post'), 'SY_ERR_CFG_NOT_IMPLEMENTED');
  assert.equal(errorOf('balance url_param id check_post 64'), 'SY_ERR_CFG_NOT_IMPLEMENTED');
});

test('balance hdr errors', () => {
  assert.equal(errorOf('balance hdr()'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance hdr(host'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance hdr(host) foo'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance hdr(host) use_domain_only foo'), 'SY_ERR_CFG_ARG');
});

test('balance hash errors; expressions beyond src/path/url/req.hdr are not implemented yet', () => {
  assert.equal(errorOf('balance hash'), 'SY_ERR_CFG_ARG');
  assert.equal(errorOf('balance hash src foo'), 'SY_ERR_CFG_ARG');
  for (const e of ['nosuch', 'src,lower', 'req.cook(id)', 'req.hdr(x,0)', 'req.hdr()', 'hdr(a,b)']) {
    assert.equal(errorOf(`balance hash ${e}`), 'SY_ERR_CFG_NOT_IMPLEMENTED', e);
  }
  const ctx = parse('backend b', '  balance hash req.cook(id)');
  assert.match(ctx.diagnostics[0]!.message, /supported: src, path, url, req\.hdr\(name\[,occ\]\)/);
});

test('balance rdp-cookie is not implemented yet', () => {
  assert.equal(errorOf('balance rdp-cookie'), 'SY_ERR_CFG_NOT_IMPLEMENTED');
  assert.equal(errorOf('balance rdp-cookie(mstshash)'), 'SY_ERR_CFG_NOT_IMPLEMENTED');
});

test('hash-type errors (extra words: HAProxy ignores them; we refuse)', () => {
  for (const l of ['hash-type', 'hash-type foo', 'hash-type avalanche', 'hash-type consistent foo', 'hash-type consistent avalanche',
    'hash-type consistent djb2 foo', 'hash-type map-based crc32 avalanche x']) {
    assert.equal(errorOf(l), 'SY_ERR_CFG_ARG', l);
  }
});

test('hash-balance-factor errors (HAProxy reads "x" as 0; we refuse)', () => {
  for (const l of ['hash-balance-factor', 'hash-balance-factor x', 'hash-balance-factor 50', 'hash-balance-factor 100',
    'hash-balance-factor -5', 'hash-balance-factor 150 200']) {
    assert.equal(errorOf(l), 'SY_ERR_CFG_ARG', l);
  }
});

test('a failed line keeps the previous settings; every error is collected with its line', () => {
  const ctx = parse('backend b', '  balance uri', '  balance uri foo', '  hash-type consistent', '  hash-type md5',
    '  hash-balance-factor 50', '  balance random(0)');
  assert.deepEqual(alerts(ctx), ['3 SY_ERR_CFG_ARG', '5 SY_ERR_CFG_ARG', '6 SY_ERR_CFG_ARG', '7 SY_ERR_CFG_ARG']);
  const b = ctx.config.proxies[0]!.balance;
  assert.deepEqual([b.algorithm, b.hashType.method, b.hashBalanceFactor], ['uri', 'consistent', 0]);
  for (const d of ctx.diagnostics) assert.equal(d.where?.file, 't.cfg');
});

test('hash-type in a frontend is ignored with a warning, as any backend keyword (HAProxy)', () => {
  const ctx = parse('frontend f', '  bind :80', '  hash-type consistent', '  hash-balance-factor 150');
  assert.deepEqual(alerts(ctx), []);
  assert.deepEqual(ctx.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.where?.line), [3, 4]);
});

test('mode tcp: layer-7 hashes become roundrobin, as HAProxy (for finalize.ts)', () => {
  for (const a of ['uri', 'url_param', 'hdr'] as const) {
    assert.equal(effectiveBalance({ ...defaultBalance(), algorithm: a }, 'tcp').algorithm, 'roundrobin');
    assert.equal(effectiveBalance({ ...defaultBalance(), algorithm: a }, 'http').algorithm, a);
  }
  for (const a of ['hash', 'source', 'leastconn'] as const) assert.equal(effectiveBalance({ ...defaultBalance(), algorithm: a }, 'tcp').algorithm, a);
});

test('weightsAreDynamic: static-rr and map-based hashing keep configured weights', () => {
  const w = (line: string[]): boolean => weightsAreDynamic(balance(...line));
  assert.equal(w(['balance roundrobin']), true);
  assert.equal(w(['balance leastconn']), true);
  assert.equal(w(['balance static-rr']), false);
  assert.equal(w(['balance uri']), false);
  assert.equal(w(['balance uri', 'hash-type consistent']), true);
  assert.equal(w(['balance random']), true);
});
