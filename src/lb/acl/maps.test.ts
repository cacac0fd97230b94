import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MapRegistry, maps, parseMapText } from './maps.ts';
import { compileExpr } from './expr.ts';
import { compileCondition } from './condition.ts';
import { addAclLine } from './acl.ts';
import type { AclTable } from './acl.ts';
import { testContext } from './test-context.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const env = { baseDir: FIX };

test('map and pattern file formats (HAProxy 2.6)', () => {
  assert.deepEqual(parseMapText('# c\n\n  k1   v 1  \r\nk2\tv2\nk3\n  # not a comment\n', true), [
    { key: 'k1', value: 'v 1' }, { key: 'k2', value: 'v2' }, { key: 'k3', value: '' }, { key: '#', value: 'not a comment' },
  ]);
  assert.deepEqual(parseMapText('# c\n  /a b \n\n/c\n', false).map((e) => e.key), ['/a b ', '/c']);
});

test('files are loaded once per path; relative to the base dir', () => {
  const r = new MapRegistry();
  const a = r.load('hosts.map', FIX, true);
  assert.equal(r.load(join(FIX, 'hosts.map'), '/', true), a);
  assert.equal(a.list().length, 3);
  assert.throws(() => r.load('nope.map', FIX, true), (e: Error & { code?: string }) => e.code === 'SY_ERR_CFG_PATTERN_FILE');
});

test('runtime add/del/set/clear are seen by map converters and -f ACLs', () => {
  const ref = maps.load('ints.map', FIX, true);
  const before = ref.list().map((e) => ({ ...e }));
  try {
    const conv = compileExpr(`str(7),map(ints.map,none)`, env);
    const ctx = testContext({ request: 'GET / HTTP/1.1\r\nHost: x\r\n' });
    const v = (): string => { const s = conv.eval(ctx); return s && s.type === 'str' ? s.v : String(s); };
    assert.equal(v(), 'none');
    ref.add('7', 'seven');
    assert.equal(v(), 'seven');
    assert.equal(ref.set('7', 'SEVEN'), true);
    assert.equal(v(), 'SEVEN');
    assert.equal(ref.del('7'), 1);
    assert.equal(v(), 'none');
    const table: AclTable = new Map();
    addAclLine(table, 'known', ['str(2)', '-M', '-f', 'ints.map'], env);
    const cond = compileCondition(['if', 'known'], table, { env });
    assert.equal(cond.test(ctx), true);
    ref.clear();
    assert.equal(cond.test(ctx), false);
  } finally {
    ref.replace(before);
  }
});

test('map_* value types are checked at load; default used when nothing matches', () => {
  assert.throws(() => compileExpr('str(x),map_str_int(hosts.map)', env), /not an integer/);
  const ctx = testContext({ request: 'GET / HTTP/1.1\r\nHost: x\r\n' });
  const s = compileExpr('str(2),map_str_int(int-keys.map,0),add(1)', env).eval(ctx);
  assert.deepEqual(s, { type: 'sint', v: 21 });
  assert.deepEqual(compileExpr('str(9),map_str_int(int-keys.map,-1)', env).eval(ctx), { type: 'sint', v: -1 });
  assert.equal(compileExpr('str(9),map_str_int(int-keys.map)', env).eval(ctx), null);
  assert.deepEqual(compileExpr('str(10.2.3.4),map_ip_ip(nets-ip.map)', { baseDir: FIX }).eval(ctx), { type: 'ipv4', v: 0x7f000001 });
});

test('the registry finds a file by absolute path, by the name as written, or by #id', () => {
  const r = new MapRegistry();
  const a = r.load('hosts.map', FIX, true);
  const b = r.load('paths.lst', FIX, false);
  assert.equal(r.get(join(FIX, 'hosts.map')), a);
  assert.equal(r.get('paths.lst'), b);
  assert.equal(r.get('#1'), b);
  assert.equal(a.kind, 'map');
  assert.equal(b.kind, 'acl');
  assert.equal(r.get('nope'), undefined);
});

test('a file used as a map and as a pattern file is loaded once per format', () => {
  const r = new MapRegistry();
  const m = r.load('hosts.map', FIX, true);
  const p = r.load('hosts.map', FIX, false);
  assert.notEqual(m, p);
  assert.equal(m.list()[0]!.key, 'example.com');
  assert.equal(p.list()[0]!.key, 'example.com      be_main');
  assert.equal(r.get('hosts.map'), m);
  assert.equal(r.get('hosts.map', 'acl'), p);
});
