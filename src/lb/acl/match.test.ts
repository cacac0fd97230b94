import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIndex } from './match.ts';
import type { MatchMethod } from './match.ts';
import type { Sample } from './types.ts';
import { parseIPv4, parseIPv6 } from './ip.ts';

const S = (v: string): Sample => ({ type: 'str', v });
const I = (v: number): Sample => ({ type: 'sint', v });
const A4 = (v: string): Sample => ({ type: 'ipv4', v: parseIPv4(v)! });
const A6 = (v: string): Sample => ({ type: 'ipv6', v: parseIPv6(v)! });

/** [method, patterns, icase, sample, expected position] */
const CASES: [MatchMethod, string[], boolean, Sample, number][] = [
  ['str', ['a', 'b', 'a'], false, S('a'), 0],
  ['str', ['a', 'b'], false, S('A'), -1],
  ['str', ['x', 'A'], true, S('a'), 1],
  ['beg', ['/api', '/api/v1', '/'], false, S('/api/v1/x'), 1],
  ['beg', ['/api', '/api/v1'], false, S('/ap'), -1],
  ['beg', ['/API', '/api/v1'], true, S('/api/v1'), 0],
  ['end', ['.php', '.html'], false, S('/a.html'), 1],
  ['end', ['.PHP'], true, S('/a.php'), 0],
  ['sub', ['min', 'adm'], false, S('/admin'), 0],
  ['dir', ['b'], false, S('/a/b/c'), 0],
  ['dir', ['/b/'], false, S('/a/b?x'), 0],
  ['dir', ['b'], false, S('/a/bc'), -1],
  ['dom', ['example.com'], false, S('www.example.com'), 0],
  ['dom', ['example.com'], false, S('example.community'), -1],
  ['dom', ['EXAMPLE.com'], true, S('www.example.COM:80'), 0],
  ['reg', ['^/a.*z$', 'q'], false, S('/abcz'), 0],
  ['reg', ['^/A'], true, S('/abc'), 0],
  ['len', ['3'], false, S('abc'), 0],
  ['len', [':2', '4:'], false, S('abc'), -1],
  ['int', ['1:10', '5'], false, I(5), 0],
  ['int', ['5', '1:10'], false, I(5), 0],
  ['int', ['20:', ':-1'], false, I(-3), 1],
  ['int', ['1', '2'], false, I(3), -1],
  ['bool', [], false, { type: 'bool', v: true }, 0],
  ['bool', [], false, { type: 'bool', v: false }, -1],
  ['found', [], false, S(''), 0],
  ['bin', ['616263'], false, { type: 'bin', v: Buffer.from('abc') }, 0],
  ['ip', ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3'], false, A4('10.1.2.3'), 2],
  ['ip', ['10.0.0.0/8', '10.1.0.0/16'], false, A4('10.1.9.9'), 1],
  ['ip', ['10.0.0.0/8'], false, A4('11.0.0.1'), -1],
  ['ip', ['10.0.0.0/255.0.255.0'], false, A4('10.9.0.9'), 0],
  ['ip', ['::ffff:10.0.0.0/104'], false, A4('10.2.3.4'), 0],
  ['ip', ['10.0.0.0/8'], false, A6('::ffff:10.2.3.4'), 0],
  ['ip', ['10.0.0.0/8'], false, A6('2002:0a01:0203::'), 0],
  ['ip', ['2001:db8::/32', '2001:db8:1::/48'], false, A6('2001:db8:1::5'), 1],
  ['ip', ['2001:db8::/32'], false, A6('2001:db9::'), -1],
  ['meth', ['GET', 'foo'], false, { type: 'meth', v: 'GET' }, 0],
  ['meth', ['get'], true, { type: 'meth', v: 'GET' }, -1],
  ['meth', ['FOO'], true, { type: 'meth', v: 'foo' }, 0],
];

test('match methods pick HAProxy 2.6\'s winner', () => {
  for (const [m, pats, icase, s, want] of CASES) {
    assert.equal(buildIndex(m, pats, icase).lookup(s), want, `${m} ${JSON.stringify(pats)} ${icase ? '-i ' : ''}${JSON.stringify(s)}`);
  }
});

test('invalid patterns are refused with SY_ERR_CFG_ACL', () => {
  for (const [m, p] of [['int', 'x'], ['ip', '1.2.3.400'], ['reg', '('], ['bin', 'abc'], ['len', '1:x']] as [MatchMethod, string][]) {
    assert.throws(() => buildIndex(m, [p], false), (e: Error & { code?: string }) => e.code === 'SY_ERR_CFG_ACL', `${m} ${p}`);
  }
});

test('large IP and string lists stay fast (hash/prefix-length lookups)', () => {
  const nets: string[] = [];
  for (let i = 0; i < 100_000; i++) nets.push(`${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}.0/24`);
  nets.push('192.168.0.0/16');
  const ix = buildIndex('ip', nets, false);
  const t0 = process.hrtime.bigint();
  let hits = 0;
  for (let i = 0; i < 100_000; i++) if (ix.lookup(A4(`1.${i & 255}.${(i >> 8) & 255}.7`)) >= 0) hits++;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(ix.lookup(A4('192.168.3.4')), 100_000);
  assert.ok(hits > 0);
  assert.ok(ms < 2000, `100k lookups took ${ms} ms`);
  const strs = buildIndex('str', nets, false);
  assert.equal(strs.lookup(S('0.1.2.0/24')), 258);
});
