import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from './condition.ts';
import { addAclLine } from './acl.ts';
import type { AclTable } from './acl.ts';
import { PREDEFINED_ACL_NAMES } from './predefined.ts';
import { testContext } from './test-context.ts';
import { SampleError } from './types.ts';

const env = { baseDir: process.cwd() };

function table(lines: string[]): AclTable {
  const t: AclTable = new Map();
  for (const l of lines) {
    const w = l.split(' ');
    addAclLine(t, w[0]!, w.slice(1), env);
  }
  return t;
}

const T = table(['yes always_true', 'no always_false', 'api path_beg /api', 'api path_beg /v2', 'get method GET']);
const ctx = testContext({ request: 'GET /v2/x HTTP/1.1\r\nHost: a\r\n' });

test('condition grammar: implicit AND, or/||, !, unless, anonymous ACLs', () => {
  const cases: [string, boolean][] = [
    ['if yes', true], ['if no', false], ['unless no', true], ['unless yes', false],
    ['if yes no', false], ['if yes !no', true], ['if !yes', false], ['if no or yes', true], ['if no || no', false],
    ['if no yes or yes no or yes yes', true], ['if api get', true], ['if api !get', false],
    ['if { path /v2/x }', true], ['if !{ path /v2/x }', false], ['if { path_beg /x } or { hdr(host) a }', true],
    ['if ! yes', false], ['if yes ||', true], ['if no or or yes', true], ['if !', false], ['unless !', true],
    ['if TRUE', true], ['if FALSE', false], ['if METH_GET HTTP_1.1 HTTP', true], ['if LOCALHOST', true], ['if HTTP_1.0', false],
  ];
  for (const [c, want] of cases) assert.equal(compileCondition(c.split(' '), T, { env }).test(ctx), want, c);
});

test('ACL lines with the same name OR together, even after a rule used the name', () => {
  const t = table(['x path /nope']);
  const c = compileCondition(['if', 'x'], t, { env });
  assert.equal(c.test(ctx), false);
  addAclLine(t, 'x', ['path', '/v2/x'], env);
  assert.equal(c.test(ctx), true);
});

test('every predefined ACL compiles', () => {
  for (const n of PREDEFINED_ACL_NAMES) assert.doesNotThrow(() => compileCondition(['if', n], new Map(), { env }), n);
});

test("the predefined ACLs are HAProxy 2.6's list (configuration.txt §7.4)", () => {
  assert.deepEqual([...PREDEFINED_ACL_NAMES].sort(), [
    'FALSE', 'HTTP', 'HTTP_1.0', 'HTTP_1.1', 'HTTP_2.0', 'HTTP_CONTENT', 'HTTP_URL_ABS', 'HTTP_URL_SLASH', 'HTTP_URL_STAR',
    'LOCALHOST', 'METH_CONNECT', 'METH_DELETE', 'METH_GET', 'METH_HEAD', 'METH_OPTIONS', 'METH_POST', 'METH_PUT', 'METH_TRACE',
    'RDP_COOKIE', 'REQ_CONTENT', 'TRUE', 'WAIT_END',
  ]);
});

test('errors use HAProxy wording', () => {
  const cases: [string[], RegExp][] = [
    [['if', 'nosuch'], /no such ACL : 'nosuch'/],
    [['if', '{', 'path', '/x'], /missing closing '}'/],
    [['if', '{', '}'], /missing fetch method in ACL expression ''/],
    [['when', 'x'], /expects 'if' or 'unless'/],
    [['if', '{', 'path', '-m', 'foo', 'x', '}'], /unknown matching method 'foo'/],
    [['if', '{', 'path', '-x', '/a', '}'], /'-x' is not a valid ACL option/],
    [['if', '{', 'var(txn.x)', 'a', '}'], /matching method must be specified first/],
    [['if', '{', 'src', 'foo.invalid', '}'], /not a valid IPv4 or IPv6 address/],
  ];
  for (const [w, re] of cases) {
    assert.throws(() => compileCondition(w, T, { env }), (e: Error) => e instanceof SampleError && e.code === 'SY_ERR_CFG_ACL' && re.test(e.message), w.join(' '));
  }
});

test('fetches unavailable at the rule\'s stage draw a warning (not an error)', () => {
  const c = compileCondition(['if', '{', 'status', '200', '}'], T, { env, stage: 'request', ruleName: 'frontend http-request header rule' });
  assert.deepEqual(c.warnings, [`anonymous acl will never match because it uses keyword 'status' which is incompatible with 'frontend http-request header rule'`]);
  const d = compileCondition(['if', 'api'], T, { env, stage: 'response', ruleName: 'frontend http-response header rule' });
  assert.match(d.warnings[0]!, /acl 'api' will never match because it only involves keywords/);
  assert.deepEqual(compileCondition(['if', 'api', '{', 'src', '127.0.0.1', '}'], T, { env, stage: 'request' }).warnings, []);
});

test('flags: -i, -m, --, operators, -f with -M', () => {
  const t = table([
    'a hdr(host) -i A', 'b path -m beg /v2', 'c path -- /v2/x', 'd req.hdr_cnt(host) ge 1', 'e req.hdr_cnt(host) lt 1 eq 1',
    'f path_beg -m str /v2/x', 'g hdr_ip(x-ip) 10.0.0.0/8', 'h path,lower -m beg /V2',
  ]);
  const c2 = testContext({ request: 'GET /v2/x HTTP/1.1\r\nHost: a\r\nX-IP: 10.1.2.3\r\n' });
  for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) assert.equal(compileCondition(['if', n], t, { env }).test(c2), true, n);
  assert.equal(compileCondition(['if', 'h'], t, { env }).test(c2), false);
});

test('terms whose fetch is unavailable at the stage never match there (HAProxy 2.6)', () => {
  const t = table(['mixed path /a', 'mixed status 200']);
  const c = compileCondition(['if', 'mixed'], t, { env, stage: 'response', ruleName: 'frontend http-response header rule' });
  assert.deepEqual(c.warnings, [`acl 'mixed' involves keywords 'path' which is incompatible with 'frontend http-response header rule'`]);
  const resp = (status: number) => testContext({ request: 'GET /a HTTP/1.1\r\n', response: { status, headers: [] } });
  assert.equal(c.test(resp(200)), true);
  assert.equal(c.test(resp(404)), false);
  assert.equal(compileCondition(['if', 'mixed'], t, { env }).test(resp(404)), true);
  const h = compileCondition(['if', '{', 'hdr(a)', 'x', '}'], t, { env, stage: 'response' });
  assert.equal(h.warnings.length, 1);
  assert.equal(h.test(testContext({ request: 'GET / HTTP/1.1\r\nA: x\r\n', response: { status: 200, headers: [['A', 'x']] } })), false);
});

test('-u takes an integer id', () => {
  assert.doesNotThrow(() => table(['a path -u 5 /x']));
  assert.throws(() => table(['b path -u x /x']), /the argument of -u must be an integer/);
});

test('an ACL without patterns warns that it never matches (HAProxy 2.6)', () => {
  const t = table(['p path_beg']);
  assert.match(t.get('p')!.terms[0]!.warning!, /no pattern to match against were provided, so this ACL will never match/);
  assert.equal(compileCondition(['if', 'p'], t, { env }).test(ctx), false);
  assert.equal(table(['q always_true']).get('q')!.terms[0]!.warning, null);
  assert.equal(compileCondition(['if', '{', 'path_beg', '}'], t, { env }).warnings.length, 1);
});
