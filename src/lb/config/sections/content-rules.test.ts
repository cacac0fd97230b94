/**
 * Parsing of the content-switching rule keywords: tcp-request inspect-delay / content /
 * session, http-after-response, capture / declare capture, the http-request actions
 * capture, set-log-level, set-timeout, wait-for-body, dynamic use_backend and
 * option http-buffer-request — what each accepts, where (HAProxy 2.6's capability rules,
 * checked against `haproxy -c` when it is installed), and the codes of what is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseContext } from '../context.ts';
import { parseText } from '../parser.ts';
import type { Config, ProxyConfig } from '../types.ts';
import '../../acl/fetches/index.ts';

function parse(text: string): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', text);
  return ctx;
}
const alerts = (ctx: ParseContext): string[] => ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line} ${d.code}`);
const warned = (ctx: ParseContext): number[] => ctx.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.where?.line ?? -1);
const proxy = (ctx: ParseContext, name: string): ProxyConfig => ctx.config.proxies.find((p) => p.name === name)!;

const HEAD = 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n';

test('tcp-request inspect-delay, content and session rules are parsed in order, per stage', () => {
  const ctx = parse(`${HEAD}frontend fe
  bind 127.0.0.1:8000
  tcp-request inspect-delay 2s
  tcp-request session set-var(sess.a) src
  tcp-request session track-sc1 src
  tcp-request content accept if { req.len gt 3 }
  tcp-request content reject
  tcp-request content capture req.payload(0,4) len 4
  tcp-request content unset-var(txn.x)
  default_backend be
backend be
  tcp-request inspect-delay 500ms
  tcp-request content reject if { req.payload_lv(0,1) -m bin 41 }
  server s 127.0.0.1:1
`);
  assert.deepEqual(alerts(ctx), []);
  const fe = proxy(ctx, 'fe');
  assert.equal(fe.tcpInspectDelay, 2000);
  assert.deepEqual(fe.tcpSessionRules.map((r) => r.action), ['set-var', 'stick']);
  assert.deepEqual(fe.tcpContentRules.map((r) => r.action), ['accept', 'reject', 'capture', 'unset-var']);
  assert.deepEqual(fe.captures.request, [{ header: null, len: 4 }]);
  assert.equal(proxy(ctx, 'be').tcpInspectDelay, 500);
  assert.equal(proxy(ctx, 'be').tcpContentRules.length, 1);
});

test('tcp-request: session only in frontends, unknown and not-yet actions, bad delays', () => {
  const ctx = parse(`${HEAD}frontend fe
  bind 127.0.0.1:8000
  tcp-request inspect-delay soon
  tcp-request content frobnicate
  tcp-request content set-priority-class int(1)
  tcp-request content accept when TRUE
  tcp-request session capture src len 4
  tcp-request content reject
  tcp-request session accept
  default_backend be
backend be
  tcp-request session accept
  server s 127.0.0.1:1
`);
  assert.deepEqual(alerts(ctx), ['8 SY_ERR_CFG_ARG', '9 SY_ERR_CFG_ARG', '10 SY_ERR_CFG_NOT_IMPLEMENTED', '11 SY_ERR_CFG_ARG', '12 SY_ERR_CFG_NOT_IMPLEMENTED', '17 SY_ERR_CFG_NOT_ALLOWED']);
  // A session rule written after a content rule still runs first: HAProxy warns.
  assert.ok(warned(ctx).includes(14));
});

test('http-after-response: rewrites, set-status, variables and allow; final answers refused', () => {
  const ctx = parse(`${HEAD}frontend fe
  bind 127.0.0.1:8000
  http-after-response set-header X-A %[status]
  http-after-response add-header X-B b
  http-after-response del-header X-C
  http-after-response replace-header X-D a(.*) b\\1
  http-after-response replace-value X-E a b
  http-after-response set-status 299 reason Fine
  http-after-response set-var(txn.x) str(y)
  http-after-response unset-var(txn.x)
  http-after-response allow if { status 200 }
  http-after-response deny
  http-after-response redirect location /x
  default_backend be
backend be
  server s 127.0.0.1:1
`);
  assert.deepEqual(alerts(ctx), ['17 SY_ERR_CFG_NOT_IMPLEMENTED', '18 SY_ERR_CFG_NOT_IMPLEMENTED']);
  assert.deepEqual(proxy(ctx, 'fe').httpAfterResponseRules.map((r) => r.action.kind),
    ['set-header', 'add-header', 'del-header', 'replace-header', 'replace-value', 'set-status', 'set-var', 'unset-var', 'allow']);
});

test('capture slots: header captures, declared slots and http-request capture share the numbering', async () => {
  const ctx = parse(`${HEAD}frontend fe
  bind 127.0.0.1:8000
  capture request header Host len 10
  declare capture request len 5
  http-request capture req.hdr(x) len 3
  http-request capture path id 1
  capture response header Server len 8
  declare capture response len 4
  http-response capture res.hdr(y) id 1
  http-request capture path id 9
  http-response capture status len 3
  capture cookie c len 4
  declare capture request
  default_backend be
backend be
  capture request header Host len 10
  declare capture request len 5
  http-request capture path len 4
  http-request capture path id 0
  server s 127.0.0.1:1
`);
  const fe = proxy(ctx, 'fe');
  assert.deepEqual(fe.captures.request, [{ header: 'host', len: 10 }, { header: null, len: 5 }, { header: null, len: 3 }]);
  assert.deepEqual(fe.captures.response, [{ header: 'server', len: 8 }, { header: null, len: 4 }]);
  assert.deepEqual(alerts(ctx), ['16 SY_ERR_CFG_ARG', '17 SY_ERR_CFG_NOT_IMPLEMENTED', '18 SY_ERR_CFG_ARG', '22 SY_ERR_CFG_NOT_ALLOWED', '23 SY_ERR_CFG_ARG']);
  // An id is checked once the whole section is read: slot 9 does not exist; a slot declared after its user is fine.
  const { finalize } = await import('../finalize.ts');
  finalize(ctx);
  assert.deepEqual(alerts(ctx).filter((a) => a.endsWith('REFERENCE')), ['15 SY_ERR_CFG_REFERENCE']);
  const late = parse(`${HEAD}frontend fe\n  bind 127.0.0.1:8000\n  http-request capture path id 0\n  declare capture request len 4\n  default_backend be\nbackend be\n  server s 127.0.0.1:1\n`);
  finalize(late);
  assert.deepEqual(alerts(late), []);
  assert.ok(warned(ctx).includes(21), "'capture' in a backend is ignored with a warning");
  assert.equal(proxy(ctx, 'be').captures.request.length, 0);
});

test('set-log-level, set-timeout (server|tunnel, backend capability), wait-for-body, dynamic use_backend, http-buffer-request', () => {
  const ctx = parse(`${HEAD}frontend fe
  bind 127.0.0.1:8000
  option http-buffer-request
  http-request set-log-level silent
  http-request set-log-level err
  http-request set-log-level loud
  http-request set-timeout server 2s
  http-request wait-for-body time 1s at-least 1k
  http-request wait-for-body
  use_backend be_%[req.hdr(host)]
  default_backend be
listen l
  bind 127.0.0.1:8001
  http-request set-timeout server 2s
  http-request set-timeout tunnel req.hdr(t),mul(1000)
  http-request set-timeout client 2s
  server s 127.0.0.1:1
backend be
  server s 127.0.0.1:1
`);
  assert.deepEqual(alerts(ctx), ['11 SY_ERR_CFG_ARG', '12 SY_ERR_CFG_ARG', '14 SY_ERR_CFG_ARG', '21 SY_ERR_CFG_ARG']);
  const fe = proxy(ctx, 'fe');
  assert.equal(fe.options.httpBufferRequest, true);
  assert.deepEqual(fe.httpRequestRules.map((r) => r.action), [
    { kind: 'set-log-level', level: -1 }, { kind: 'set-log-level', level: 3 }, { kind: 'wait-for-body', time: 1000, atLeast: 1024 },
  ]);
  assert.equal(fe.useBackends.length, 1);
  assert.equal(typeof fe.useBackends[0]!.dynamic, 'function');
  assert.deepEqual(proxy(ctx, 'l').httpRequestRules.map((r) => r.action.kind), ['set-timeout', 'set-timeout']);
});

// The same verdicts from HAProxy 2.6 itself, when it is installed.
const HAPROXY = '/usr/sbin/haproxy';
test('haproxy -c agrees on which of these lines are errors', { skip: existsSync(HAPROXY) ? false : 'haproxy is not installed' }, async () => {
  const { finalize } = await import('../finalize.ts');
  const cases: [string, boolean][] = [
    ['frontend fe\n  bind 127.0.0.1:8000\n  tcp-request inspect-delay 1s\n  tcp-request content accept if { req.len gt 0 }\n  tcp-request session accept\n  default_backend be\n', true],
    ['frontend fe\n  bind 127.0.0.1:8000\n  default_backend be\nbackend b2\n  tcp-request session accept\n', false],
    ['frontend fe\n  bind 127.0.0.1:8000\n  http-request set-timeout server 1s\n  default_backend be\n', false],
    ['listen l\n  bind 127.0.0.1:8000\n  http-request set-timeout client 1s\n  server s 127.0.0.1:1\n', false],
    ['listen l\n  bind 127.0.0.1:8000\n  http-request set-timeout tunnel 1s\n  server s 127.0.0.1:1\n', true],
    ['frontend fe\n  bind 127.0.0.1:8000\n  declare capture request len 4\n  http-request capture path id 0\n  capture response header X len 3\n  default_backend be\n', true],
    ['frontend fe\n  bind 127.0.0.1:8000\n  default_backend be\nbackend b2\n  declare capture request len 4\n', false],
    ['frontend fe\n  bind 127.0.0.1:8000\n  http-request capture path id 0\n  declare capture request len 4\n  default_backend be\n', true],
    ['  tcp-request inspect-delay 1s\nfrontend fe\n  bind 127.0.0.1:8000\n  default_backend be\n', false],
    ['defaults named\n  mode http\n  tcp-request inspect-delay 1s\nfrontend fe\n  bind 127.0.0.1:8000\n  default_backend be\n', true],
    ['frontend fe\n  bind 127.0.0.1:8000\n  declare capture request len 4\n  http-request capture path id 1\n  default_backend be\n', false],
    ['frontend fe\n  bind 127.0.0.1:8000\n  default_backend be\nbackend b2\n  http-request capture path len 4\n', false],
    ['frontend fe\n  bind 127.0.0.1:8000\n  http-after-response set-header a b\n  http-after-response set-status 200\n  use_backend be_%[path]\n  default_backend be\n', true],
    ['frontend fe\n  bind 127.0.0.1:8000\n  http-request wait-for-body time 1s at-least 10\n  option http-buffer-request\n  http-request set-log-level silent\n  default_backend be\n', true],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'sy-rules-'));
  for (const [i, [body, ok]] of cases.entries()) {
    const text = `${HEAD}${body}backend be\n  server s 127.0.0.1:1\n`;
    const f = join(dir, `c${i}.cfg`);
    writeFileSync(f, text);
    const hap = spawnSync(HAPROXY, ['-c', '-q', '-f', f]);
    assert.equal(hap.status === 0, ok, `haproxy on case ${i}: ${hap.stderr}`);
    const ours = parse(text);
    finalize(ours);
    assert.equal(alerts(ours).length === 0, ok, `switchyard on case ${i}: ${alerts(ours)}`);
  }
});

test('a mode-tcp content rule reading the bytes without inspect-delay draws a warning (as HAProxy)', async () => {
  const { finalize } = await import('../finalize.ts');
  const text = (delay: string): string => `defaults\n  mode tcp\nfrontend fe\n  bind 127.0.0.1:8000\n${delay}  tcp-request content accept if { req.len gt 0 }\n  tcp-request content reject if { src 10.0.0.1 }\n  default_backend be\nbackend be\n  server s 127.0.0.1:1\n`;
  const warnsOn = (t: string): boolean => {
    const ctx = parse(t);
    finalize(ctx);
    return ctx.diagnostics.some((d) => d.severity === 'warning' && /inspect-delay/.test(d.message));
  };
  assert.equal(warnsOn(text('')), true);
  assert.equal(warnsOn(text('  tcp-request inspect-delay 1s\n')), false);
});

test('tcp-request inspect-delay in a named defaults is inherited (anonymous: error, as HAProxy); other tcp-request rules there are not implemented yet', () => {
  assert.deepEqual(alerts(parse(`defaults\n  tcp-request inspect-delay 3s\n`)), ['2 SY_ERR_CFG_NOT_ALLOWED']);
  const ctx = parse(`defaults d\n  mode tcp\n  tcp-request inspect-delay 3s\n  tcp-request content accept\nfrontend fe\n  bind 127.0.0.1:8000\n  default_backend be\nbackend be\n  tcp-request inspect-delay 1s\n  server s 127.0.0.1:1\n`);
  assert.deepEqual(alerts(ctx), ['4 SY_ERR_CFG_NOT_IMPLEMENTED']);
  assert.equal(proxy(ctx, 'fe').tcpInspectDelay, 3000);
  assert.equal(proxy(ctx, 'be').tcpInspectDelay, 1000);
});

test('errors in http-response and http-after-response rules name the directive of the line', () => {
  const ctx = parse(`${HEAD}frontend fe
  bind 127.0.0.1:8000
  http-request set-header
  http-response set-header
  http-after-response set-header
`);
  const msgs = ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line} ${d.message}`);
  assert.deepEqual(msgs, [
    "8 'http-request set-header' expects a header field name.",
    "9 'http-response set-header' expects a header field name.",
    "10 'http-after-response set-header' expects a header field name.",
  ]);
});
