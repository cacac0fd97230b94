/**
 * The hash family: HAProxy's hash functions (known vectors; their exactness against
 * HAProxy itself is shown by haproxy-orders.test.ts), what each algorithm hashes, the
 * map and the consistent ring (stability when a server leaves, bounded load), and the
 * round-robin fallbacks.
 */
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { test } from 'node:test';
import { avalanche, crc32, djb2, sdbm, wt6 } from './hash-fn.ts';
import { uriKey } from './uri.ts';
import { urlParamValue } from './url-param.ts';
import { domainOnly } from './hdr.ts';
import { sample } from './hash.ts';
import { addressBytes, headerValues, pathOf } from './request-keys.ts';
import { ALGORITHMS } from './registry.ts';
import { defaultBalance, type BalanceConfig } from './config.ts';
import type { LbAlgorithm } from './types.ts';
import { farm, tally } from './test-farm.ts';
import { request, serve } from './test-request.ts';
import { createRing, ringDirty, ringLookup } from './chash-ring.ts';

test('hash functions: published values and the zlib CRC-32', () => {
  assert.equal(djb2(''), 5381);
  assert.equal(djb2('a'), 177670);
  assert.equal(sdbm(''), 0);
  assert.equal(sdbm('a'), 97);
  assert.equal(sdbm('ab'), (98 + 97 * 65599) >>> 0);
  for (const s of ['', 'a', 'hello world', '/index.html?x=1', 'é'.repeat(40)]) {
    assert.equal(crc32(s), zlibCrc32(Buffer.from(s, 'latin1')), s);
  }
  assert.equal(crc32('123456789'), 0xcbf43926);
  assert.equal(typeof wt6('abc'), 'number');
  assert.notEqual(wt6('abc'), wt6('abd'));
  for (const f of [sdbm, djb2, wt6, crc32]) {
    assert.equal(f(new Uint8Array([1, 2, 250])), f('\x01\x02\xfa'), 'bytes and latin1 strings hash alike');
    const v = f('some key');
    assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
  }
  assert.equal(avalanche(0), avalanche(0));
  assert.ok(avalanche(1) >= 0 && avalanche(1) < 2 ** 32 && avalanche(1) !== avalanche(2));
});

test('uri: what is hashed for each option', () => {
  const o = { whole: false, len: 0, depth: 0, pathOnly: false };
  assert.equal(uriKey('/a/b/c?x=1', o), '/a/b/c');
  assert.equal(uriKey('/a/b/c?x=1', { ...o, whole: true }), '/a/b/c?x=1');
  assert.equal(uriKey('/a/b/c?x=1', { ...o, len: 4 }), '/a/b');
  assert.equal(uriKey('/a/b/c?x=1', { ...o, depth: 1 }), '/a');
  assert.equal(uriKey('/a/b/c?x=1', { ...o, depth: 2 }), '/a/b');
  assert.equal(uriKey('/a/b/c?x=1', { ...o, depth: 9 }), '/a/b/c');
  assert.equal(uriKey('http://h.example/a/b?q', o), 'http://h.example/a/b');
  assert.equal(uriKey('http://h.example/a/b?q', { ...o, depth: 1 }), 'http:/');
  assert.equal(uriKey('http://h.example/a/b?q', { ...o, pathOnly: true }), '/a/b');
  assert.equal(uriKey('http://h.example', { ...o, pathOnly: true }), '');
  assert.equal(pathOf('*'), '');
});

test('url_param: the first NAME= after ? or &, up to the next &', () => {
  assert.equal(urlParamValue('/p?id=7', 'id'), '7');
  assert.equal(urlParamValue('/p?a=1&id=7&b=2', 'id'), '7');
  assert.equal(urlParamValue('/p?id=7&id=8', 'id'), '7');
  assert.equal(urlParamValue('/p?id=', 'id'), '');
  assert.equal(urlParamValue('/p?xid=7', 'id'), null);
  assert.equal(urlParamValue('/p?idx=7', 'id'), null);
  assert.equal(urlParamValue('/p?id', 'id'), null);
  assert.equal(urlParamValue('/p/id=7', 'id'), null);
  assert.equal(urlParamValue('/p?ID=7', 'id'), null);
});

test('hdr: first value, comma-split outside quotes; use_domain_only keeps the label before the TLD', () => {
  const req = request({ headers: { 'x-k': ['"a,b", c', 'd'] } }).http!;
  assert.deepEqual(headerValues(req, 'x-k'), ['"a,b"', 'c', 'd']);
  assert.deepEqual(headerValues(req, 'nope'), []);
  assert.equal(domainOnly('www.example.com'), 'example');
  assert.equal(domainOnly('example.com'), 'example');
  assert.equal(domainOnly('a.b.c.d.e'), 'd');
  assert.equal(domainOnly('localhost'), 'localhost');
  assert.equal(domainOnly('.com'), '.com');
  assert.equal(domainOnly('com.'), 'com');
});

test('hash <expr>: src bytes, path without query, url, req.hdr occurrences (last by default)', () => {
  const req = request({ target: '/a/b?c', src: '10.1.2.3', headers: { 'x-k': ['v1, v2', 'v3'] } });
  assert.deepEqual(sample({ fetch: 'src' }, req), new Uint8Array([10, 1, 2, 3]));
  assert.equal(sample({ fetch: 'path' }, req), '/a/b');
  assert.equal(sample({ fetch: 'url' }, req), '/a/b?c');
  assert.equal(sample({ fetch: 'req.hdr', name: 'x-k', occ: -1 }, req), 'v3');
  assert.equal(sample({ fetch: 'req.hdr', name: 'x-k', occ: 1 }, req), 'v1');
  assert.equal(sample({ fetch: 'req.hdr', name: 'x-k', occ: -3 }, req), 'v1');
  assert.equal(sample({ fetch: 'req.hdr', name: 'x-k', occ: 4 }, req), null);
  assert.equal(sample({ fetch: 'path' }, request({ tcp: true })), null);
});

test('source: IPv4, IPv6 and IPv4-mapped addresses as bytes; UNIX clients have none', () => {
  assert.deepEqual(addressBytes('127.0.0.1'), new Uint8Array([127, 0, 0, 1]));
  assert.deepEqual(addressBytes('::1'), new Uint8Array([...new Array(15).fill(0), 1]));
  assert.deepEqual(addressBytes('::ffff:1.2.3.4'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]));
  assert.deepEqual(addressBytes('2001:db8::a:b'), new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0x0b]));
  assert.equal(addressBytes(''), null);
  assert.equal(addressBytes('1.2.3'), null);
  assert.equal(addressBytes('1::2::3'), null);
});

function cfgOf(algorithm: BalanceConfig['algorithm'], extra: Partial<BalanceConfig> = {}): BalanceConfig {
  return { ...defaultBalance(), algorithm, ...extra };
}

const consistent = { hashType: { method: 'consistent' as const, fn: 'sdbm' as const, avalanche: true } };
const keyReq = (i: number) => request({ target: `/obj/${i * 7919}` });

test('consistent hashing: removing one of 10 servers moves only its own keys (~1/10)', () => {
  const algo = ALGORITHMS.uri as LbAlgorithm<unknown>;
  const servers = farm(Array.from({ length: 10 }, () => 1));
  const st = algo.init(servers, cfgOf('uri', consistent));
  const before = Array.from({ length: 5000 }, (_, i) => serve(algo, st, keyReq(i)));
  servers[3]!.usable = false;
  algo.onServerDown!(st, servers[3]!);
  const after = Array.from({ length: 5000 }, (_, i) => serve(algo, st, keyReq(i)));
  let moved = 0;
  before.forEach((b, i) => {
    if (b === after[i]) return;
    moved++;
    assert.equal(b, 's4', `key ${i} moved from ${b} to ${after[i]} although ${b} stayed up`);
  });
  assert.ok(moved > 5000 * 0.05 && moved < 5000 * 0.17, `${moved} of 5000 keys moved`);
  servers[3]!.usable = true;
  algo.onServerUp!(st, servers[3]!);
  assert.deepEqual(Array.from({ length: 5000 }, (_, i) => serve(algo, st, keyReq(i))), before, 'coming back restores every key');
});

test('map-based hashing: a server leaving remaps most keys (why consistent exists)', () => {
  const algo = ALGORITHMS.uri as LbAlgorithm<unknown>;
  const servers = farm(Array.from({ length: 10 }, () => 1));
  const st = algo.init(servers, cfgOf('uri', { hashType: { method: 'map-based', fn: 'sdbm', avalanche: true } }));
  const before = Array.from({ length: 2000 }, (_, i) => serve(algo, st, keyReq(i)));
  servers[3]!.usable = false;
  algo.onServerDown!(st, servers[3]!);
  const after = Array.from({ length: 2000 }, (_, i) => serve(algo, st, keyReq(i)));
  const moved = before.filter((b, i) => b !== after[i]).length;
  assert.ok(moved > 2000 * 0.5, `${moved} of 2000 keys moved`);
});

test('consistent hashing follows weights (a ring of 16 points per weight unit)', () => {
  const algo = ALGORITHMS.uri as LbAlgorithm<unknown>;
  const st = algo.init(farm([1, 3, 1, 3]), cfgOf('uri', consistent));
  const c = tally(Array.from({ length: 20_000 }, (_, i) => serve(algo, st, keyReq(i))));
  for (const [s, share] of [['s1', 1 / 8], ['s2', 3 / 8], ['s3', 1 / 8], ['s4', 3 / 8]] as const) {
    assert.ok(Math.abs(c[s]! / 20_000 - share) < 0.1, `${s}: ${c[s]}`);
  }
});

test('hash-balance-factor bounds each server to factor × the average load', () => {
  const algo = ALGORITHMS.hdr as LbAlgorithm<unknown>;
  const servers = farm([1, 1, 1, 1]);
  const st = algo.init(servers, cfgOf('hdr', { ...consistent, hdr: { name: 'x-user', useDomainOnly: false }, hashBalanceFactor: 125 }));
  // Every request carries the same key: without a bound they would all go to one server.
  for (let i = 0; i < 400; i++) serve(algo, st, request({ headers: { 'x-user': 'same' } }), true);
  const max = Math.max(...servers.map((s) => s.served));
  assert.ok(max <= Math.ceil((400 / 4) * 1.25) + 1, `loads ${servers.map((s) => s.served)}`);
  const free = farm([1, 1, 1, 1]);
  const st2 = algo.init(free, cfgOf('hdr', { ...consistent, hdr: { name: 'x-user', useDomainOnly: false } }));
  for (let i = 0; i < 400; i++) serve(algo, st2, request({ headers: { 'x-user': 'same' } }), true);
  assert.equal(Math.max(...free.map((s) => s.served)), 400, 'without a factor one key is one server');
});

test('fallbacks: no key goes round-robin over the map (map-based) or the ring points (consistent)', () => {
  const uri = ALGORITHMS.uri as LbAlgorithm<unknown>;
  const st = uri.init(farm([2, 1]), cfgOf('uri'));
  const tcp = request({ tcp: true });
  assert.deepEqual(Array.from({ length: 6 }, () => serve(uri, st, tcp)), ['s1', 's1', 's2', 's1', 's1', 's2']);
  const st2 = uri.init(farm([2, 1]), cfgOf('uri', consistent));
  assert.deepEqual(tally(Array.from({ length: 48 * 3 }, () => serve(uri, st2, tcp))), { s1: 96, s2: 48 });
  const src = ALGORITHMS.source as LbAlgorithm<unknown>;
  const st3 = src.init(farm([1, 1, 1]), cfgOf('source'));
  assert.deepEqual(Array.from({ length: 3 }, () => serve(src, st3, request({ src: '' }))), ['s1', 's2', 's3']);
});

test('the ring updated server by server equals the ring built from scratch', () => {
  const servers = farm(Array.from({ length: 64 }, (_, i) => 1 + (i % 5)));
  const r = createRing(servers, 0);
  ringLookup(r, 1);
  let seed = 3;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  for (let round = 0; round < 200; round++) {
    const s = servers[rnd(64)]!;
    if (rnd(2)) s.usable = !s.usable;
    else s.weight = rnd(4) === 0 ? 0 : 1 + rnd(6);
    ringDirty(r, s);
    if (rnd(3) === 0) continue; // several changes before the next lookup
    const fresh = createRing(servers, 0);
    for (const key of [0, 1, 2 ** 31, 2 ** 32 - 1, rnd(2 ** 30) * 4]) {
      assert.equal(ringLookup(r, key), ringLookup(fresh, key), `round ${round}, key ${key}`);
    }
    assert.deepEqual(r.keys, fresh.keys);
    assert.deepEqual(r.slots, fresh.slots);
    assert.deepEqual(r.buckets, fresh.buckets);
  }
});
