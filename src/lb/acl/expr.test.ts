import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpr } from './expr.ts';
import { testContext } from './test-context.ts';
import { sampleToString } from './casts.ts';
import type { BackendStats, Sample } from './types.ts';
import { SampleError } from './types.ts';
import { MapVarStore } from './vars.ts';

const env = { baseDir: process.cwd() };
const text = (s: Sample | null): string | null => { if (!s) return null; const t = sampleToString(s); return t && t.type === 'str' ? t.v : null; };

function be(over: Partial<BackendStats> = {}): BackendStats {
  return { usableServers: 2, currentConns: 5, queued: 3, connSlots: 17, activeServers: 2, serverUp: (n) => (n === 's1' ? true : n === 's2' ? false : undefined), ...over };
}

test('compile-time errors name the problem', () => {
  const cases: [string, RegExp][] = [
    ['nosuch', /unknown fetch method 'nosuch'/],
    ['path,nosuch', /unknown converter 'nosuch'/],
    ['path(x)', /no argument supported/],
    ['req.hdr(a,b,c)', /at most 2/],
    ['ipv6(::1),add(1)', /cannot be obtained from 'ipv6'/],
    ['bool(1),ipmask(8)', /cannot be obtained from 'bool'/],
    ['src,lower', /.*/],
    ['int(x)', /expects an integer/],
    ['path,sha2(100)', /only 224, 256, 384 and 512/],
    ['path,digest(nope)', /unsupported digest/],
    ['path,regsub((,x)', /invalid regex|missing/],
    ['var(bad)', /invalid variable name/],
    ['path,json(latin9)', /unexpected input code type/],
    ['path x', /unexpected character/],
  ];
  for (const [e, re] of cases) {
    if (e === 'src,lower') { assert.doesNotThrow(() => compileExpr(e, env)); continue; }
    assert.throws(() => compileExpr(e, env), (err: Error) => err instanceof SampleError && re.test(err.message), e);
  }
});

test('response fetches, backend state, variables, internal fetches', () => {
  const vars = new MapVarStore();
  vars.set('sess', 'who', { type: 'str', v: 'me' });
  const ctx = testContext({
    request: 'POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n',
    body: Buffer.from('abc'),
    response: { status: 503, headers: [['Set-Cookie', 'a=1'], ['X-R', 'a, b'], ['X-R', 'c']] },
    backends: { app: be(), empty: be({ activeServers: 0, queued: 4 }) },
    current: be({ usableServers: 1 }),
    vars,
    uniqueId: 'ID-1',
    server: 'srv9',
    backend: 'app',
  });
  const cases: [string, string | null][] = [
    ['status', '503'], ['res.hdr(x-r)', 'c'], ['res.hdr(x-r,1)', 'a'], ['res.hdr_cnt(x-r)', '3'], ['res.fhdr(x-r,1)', 'a, b'], ['shdr(set-cookie)', 'a=1'],
    ['req.body', 'abc'], ['req.len', '58'] /* HTX size: 20+4+2+8, host 5, content-length 15, EOH 1, body 3 */, ['req.body,hex', '616263'.toUpperCase()],
    ['nbsrv', '1'], ['nbsrv(app)', '2'], ['be_conn(app)', '5'], ['connslots(app)', '17'], ['queue(app)', '3'], ['avg_queue(app)', '2'], ['avg_queue(empty)', '8'],
    ['nbsrv(unknown)', null], ['srv_is_up(app/s1)', '1'], ['srv_is_up(app/s2)', '0'], ['srv_is_up(app/s3)', null], ['srv_is_up(s1)', '1'],
    ['var(sess.who)', 'me'], ['var(sess.who),upper', 'ME'], ['var(txn.none,7),add(1)', '8'], ['unique-id', 'ID-1'], ['srv_name', 'srv9'], ['be_name', 'app'],
    ['date(0),sub(0),div(1000000000)', '1'], ['str(ab),concat(-,sess.who)', 'ab-me'],
  ];
  for (const [e, want] of cases) assert.equal(text(compileExpr(e, env).eval(ctx)), want, e);
  const u = text(compileExpr('uuid', env).eval(ctx))!;
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (let i = 0; i < 50; i++) {
    const r = Number(text(compileExpr('rand(10)', env).eval(ctx)));
    assert.ok(r >= 0 && r < 10);
  }
});

test('multi-value fetches: each() visits every value, eval() the last', () => {
  const ctx = testContext({ request: 'GET / HTTP/1.1\r\nX-A: 1, 2\r\nx-a: 3\r\nCookie: a=1; a=2\r\n' });
  const e = compileExpr('req.hdr(x-a),add(10)', env);
  const seen: string[] = [];
  e.each(ctx, (s) => { seen.push(text(s)!); return false; });
  assert.deepEqual(seen, ['11', '12', '13']);
  assert.equal(text(e.eval(ctx)), '13');
  const c: string[] = [];
  compileExpr('req.cook(a)', env).each(ctx, (s) => { c.push(text(s)!); return false; });
  assert.deepEqual(c, ['1', '2']);
});

test('converters outside the HAProxy oracle: param (2.8 name, kept), field/word edge cases, b64 errors', () => {
  const ctx = testContext({ request: 'GET / HTTP/1.1\r\n' });
  const cases: [string, string | null][] = [
    ['str(a=1&b=2),param(b)', '2'], ['str(a=1;b=2),param(b,;)', '2'], ['str(a=1),param(c)', null],
    ['str(abc),b64dec', null], ['str(a),ub64dec', null], ['str(a.b),word(3,.)', null], ['str(abc),bytes(5)', null],
    ['str(5),add(sess.none)', null], ['int(7),div(0)', '9223372036854775807'],
  ];
  for (const [e, want] of cases) assert.equal(text(compileExpr(e, env).eval(ctx)), want, e);
});
