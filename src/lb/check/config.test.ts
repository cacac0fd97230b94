/**
 * Health-check configuration: server options, proxy keywords and the whole-config checks
 * (validate.ts). Which forms HAProxy 2.6 accepts, refuses or warns about was checked with
 * `haproxy -c` (2.6.12); errors are matched by code and line, never by message.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config, Diagnostic, ProxyConfig } from '../config/types.ts';
import { validateHealthChecks } from './validate.ts';
import { spreadChecksOf } from './config.ts';

function parse(text: string, validate = true): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', text);
  if (validate && !ctx.hasAlerts) validateHealthChecks(ctx);
  return ctx;
}

const be = (...l: string[]): string => `defaults\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nbackend b\n${l.map((x) => `  ${x}`).join('\n')}\n`;
const alerts = (ctx: { diagnostics: Diagnostic[] }): string[] => ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line ?? '-'} ${d.code}`);
const warnings = (ctx: { diagnostics: Diagnostic[] }): number => ctx.diagnostics.filter((d) => d.severity === 'warning').length;
const proxy = (ctx: ParseContext, name = 'b'): ProxyConfig => ctx.config.proxies.find((p) => p.name === name)!;

test('server check options take HAProxy 2.6 defaults', () => {
  const ctx = parse(be('server s 127.0.0.1:80 check'));
  assert.deepEqual(alerts(ctx), []);
  const c = proxy(ctx).servers[0]!.check;
  assert.equal(c.enabled, true);
  assert.deepEqual([c.inter, c.fastinter, c.downinter, c.rise, c.fall, c.errorLimit, c.onError, c.observe], [2000, 0, 0, 2, 3, 10, 'fail-check', 'none']);
});

test('server check options are read, default-server first, no-check undoes', () => {
  const ctx = parse(be(
    'default-server check inter 100ms fastinter 50 downinter 1s rise 1 fall 4',
    'server s1 127.0.0.1:80 port 81 addr 127.0.0.2 observe layer4 error-limit 3 on-error mark-down on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions',
    'server s2 127.0.0.1:80 no-check agent-check agent-port 9999 agent-inter 300ms agent-addr 127.0.0.3 agent-send "ping\\n"',
    'server s3 127.0.0.1:80 addr [::1]:82',
  ));
  assert.deepEqual(alerts(ctx), []);
  const [s1, s2, s3] = proxy(ctx).servers.map((s) => s.check);
  assert.deepEqual([s1!.enabled, s1!.inter, s1!.fastinter, s1!.downinter, s1!.rise, s1!.fall], [true, 100, 50, 1000, 1, 4]);
  assert.deepEqual([s1!.port, s1!.addr, s1!.observe, s1!.errorLimit, s1!.onError, s1!.shutdownOnDown, s1!.shutdownBackupOnUp], [81, '127.0.0.2', 'layer4', 3, 'mark-down', true, true]);
  assert.deepEqual([s2!.enabled, s2!.agent, s2!.agentPort, s2!.agentInter, s2!.agentAddr, s2!.agentSend], [false, true, 9999, 300, '127.0.0.3', 'ping\n']);
  assert.deepEqual([s3!.addr, s3!.port], ['::1', 82]);
});

test('bad server check values are refused with their line', () => {
  for (const opt of ['inter 0', 'inter abc', 'inter', 'fastinter 0', 'rise 0', 'fall x', 'port 70000', 'addr foo.invalid', 'observe layer3',
    'on-error foo', 'error-limit 0', 'on-marked-down foo', 'on-marked-up foo', 'agent-send', 'track']) {
    const ctx = parse(be(`server s 127.0.0.1:80 check ${opt}`));
    assert.deepEqual(alerts(ctx), ['6 SY_ERR_CFG_ARG'], opt);
  }
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 check init-state up'))), ['6 SY_ERR_CFG_UNKNOWN_KEYWORD'], 'init-state is not in 2.6');
  assert.deepEqual(alerts(parse(be('default-server track s'))), ['6 SY_ERR_CFG_NOT_ALLOWED']);
});

test('whole-line and whole-config rules: agent port, check+track, track targets and loops, portless servers', () => {
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 agent-check'))), ['6 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track t check', 'server t 127.0.0.1:81 check'))), ['6 SY_ERR_CFG_NOT_ALLOWED']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track t', 'server t 127.0.0.1:81'))), ['6 SY_ERR_CFG_REFERENCE']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track s'))), ['6 SY_ERR_CFG_REFERENCE']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track t', 'server t 127.0.0.1:81 track s'))), ['6 SY_ERR_CFG_REFERENCE', '7 SY_ERR_CFG_REFERENCE']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track c/y') + 'backend c\n  server x 127.0.0.1:1 check\n')), ['6 SY_ERR_CFG_REFERENCE']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track d/y'))), ['6 SY_ERR_CFG_REFERENCE']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track c/x') + 'backend c\n  server x 127.0.0.1:1 check\n')), []);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1:80 track t', 'server t 127.0.0.1:81 track u', 'server u 127.0.0.1:82 check'))), []);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1 check'))), ['6 SY_ERR_CFG_ADDRESS']);
  assert.deepEqual(alerts(parse(be('server s 127.0.0.1 check port 80'))), []);
  // observe layer7 outside mode http: HAProxy says so and goes on.
  const l7 = parse(be('server s 127.0.0.1:80 check observe layer7'));
  assert.deepEqual(alerts(l7), []);
  assert.equal(warnings(l7), 1);
  assert.equal(proxy(l7).servers[0]!.check.observe, 'none');
});

test('option httpchk: 2.6 forms, deprecated headers in the version, no HOST argument', () => {
  const hc = (l: string) => proxy(parse(be(l))).healthCheck;
  assert.deepEqual(hc('option httpchk').http, { meth: 'OPTIONS', uri: '/', ver: 'HTTP/1.0', headers: [] });
  assert.deepEqual(hc('option httpchk /x').http, { meth: 'OPTIONS', uri: '/x', ver: 'HTTP/1.0', headers: [] });
  assert.deepEqual(hc('option httpchk HEAD /x').http, { meth: 'HEAD', uri: '/x', ver: 'HTTP/1.0', headers: [] });
  assert.deepEqual(hc('option httpchk HEAD /x HTTP/1.1').http, { meth: 'HEAD', uri: '/x', ver: 'HTTP/1.1', headers: [] });
  assert.equal(hc('option httpchk').kind, 'http');
  const dep = parse(be('option httpchk HEAD /x HTTP/1.1\\r\\nHost:\\ a'));
  assert.equal(warnings(dep), 1);
  assert.deepEqual(proxy(dep).healthCheck.http.headers, [['Host', 'a']]);
  assert.deepEqual(alerts(parse(be('option httpchk HEAD /x HTTP/1.1 example.com'))), ['6 SY_ERR_CFG_ARG']);
  assert.equal(proxy(parse(be('option httpchk', 'no option httpchk'))).healthCheck.kind, 'tcp');
  assert.equal(proxy(parse(be('option httpchk', 'option tcp-check'))).healthCheck.kind, 'tcp-check');
  assert.deepEqual(alerts(parse(be('option tcp-check x'))), ['6 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(be('option log-health-checks x'))), ['6 SY_ERR_CFG_ARG']);
  assert.equal(proxy(parse(be('option log-health-checks'))).healthCheck.logHealthChecks, true);
});

test('http-check send / expect / connect / disable-on-404', () => {
  const ctx = parse(be('option httpchk', 'http-check connect port 8080 addr 127.0.0.1', 'http-check send meth HEAD uri /x ver HTTP/1.1 hdr Host a.b hdr X-A "b c" body hello',
    'http-check expect status 200-299,304', 'http-check expect ! string oops', 'http-check expect rstatus ^2', 'http-check disable-on-404'));
  assert.deepEqual(alerts(ctx), []);
  const hc = proxy(ctx).healthCheck;
  assert.equal(hc.disableOn404, true);
  assert.deepEqual(hc.httpRules.map((r) => r.kind), ['connect', 'http-send', 'expect', 'expect', 'expect']);
  assert.deepEqual(hc.httpRules[1], { kind: 'http-send', meth: 'HEAD', uri: '/x', ver: 'HTTP/1.1', headers: [['Host', 'a.b'], ['X-A', 'b c']], body: 'hello' });
  assert.deepEqual(hc.httpRules[2], { kind: 'expect', match: 'status', inverse: false, pattern: '200-299,304', ranges: [[200, 299], [304, 304]] });
  for (const [line, code] of [
    ['http-check expect status', 'SY_ERR_CFG_ARG'], ['http-check expect status 2xx', 'SY_ERR_CFG_ARG'], ['http-check expect rstatus ([', 'SY_ERR_CFG_ARG'],
    ['http-check expect foo ok', 'SY_ERR_CFG_ARG'], ['http-check expect', 'SY_ERR_CFG_ARG'], ['http-check foo', 'SY_ERR_CFG_ARG'], ['http-check', 'SY_ERR_CFG_ARG'],
    ['http-check disable-on-404 x', 'SY_ERR_CFG_ARG'], ['http-check send meth', 'SY_ERR_CFG_ARG'], ['http-check send hdr Host', 'SY_ERR_CFG_ARG'],
    ['http-check send foo', 'SY_ERR_CFG_ARG'], ['http-check connect port 0', 'SY_ERR_CFG_ARG'], ['http-check connect foo', 'SY_ERR_CFG_ARG'],
    ['http-check connect addr foo.invalid', 'SY_ERR_CFG_ARG'], ['http-check send uri-lf /x', 'SY_ERR_CFG_NOT_IMPLEMENTED'],
    ['http-check expect hdr name x', 'SY_ERR_CFG_NOT_IMPLEMENTED'], ['http-check connect ssl', 'SY_ERR_CFG_NOT_IMPLEMENTED'], ['http-check comment x', 'SY_ERR_CFG_NOT_IMPLEMENTED'],
  ] as const) {
    assert.deepEqual(alerts(parse(be('option httpchk', line))), [`7 ${code}`], line);
  }
  // Ordering rules: a second send needs a connect; a connect must come first.
  assert.deepEqual(alerts(parse(be('option httpchk', 'http-check send meth GET', 'http-check send meth HEAD'))), ['8 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(be('option httpchk', 'http-check expect status 200', 'http-check connect'))), ['8 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(be('option httpchk', 'http-check connect', 'http-check send meth GET', 'http-check connect port 81', 'http-check send meth HEAD'))), []);
});

test('tcp-check rules', () => {
  const ctx = parse(be('option tcp-check', 'tcp-check connect port 80', 'tcp-check send PING\\r\\n', 'tcp-check send-binary 50494e47', 'tcp-check expect string +PONG',
    'tcp-check expect binary 2b504f4e47', 'tcp-check expect rbinary 50.*', 'tcp-check expect ! rstring ^-ERR'));
  assert.deepEqual(alerts(ctx), []);
  const rules = proxy(ctx).healthCheck.tcpRules;
  assert.equal(rules.length, 7);
  assert.deepEqual(rules[1], { kind: 'send', data: Buffer.from('PING\r\n'), text: 'PING\r\n', binary: false });
  assert.deepEqual(rules[2], { kind: 'send', data: Buffer.from('PING'), text: '50494e47', binary: true });
  assert.deepEqual(rules[6], { kind: 'expect', match: 'rstring', inverse: true, pattern: '^-ERR' });
  for (const [line, code] of [
    ['tcp-check send-binary 5049x', 'SY_ERR_CFG_ARG'], ['tcp-check expect binary 504', 'SY_ERR_CFG_ARG'], ['tcp-check expect status 200', 'SY_ERR_CFG_ARG'],
    ['tcp-check send', 'SY_ERR_CFG_ARG'], ['tcp-check send a b', 'SY_ERR_CFG_ARG'], ['tcp-check foo', 'SY_ERR_CFG_ARG'], ['tcp-check expect string', 'SY_ERR_CFG_ARG'],
    ['tcp-check send-lf x', 'SY_ERR_CFG_NOT_IMPLEMENTED'], ['tcp-check expect min-recv 3', 'SY_ERR_CFG_NOT_IMPLEMENTED'],
  ] as const) {
    assert.deepEqual(alerts(parse(be('option tcp-check', line))), [`7 ${code}`], line);
  }
  assert.deepEqual(alerts(parse(be('option tcp-check', 'tcp-check send x', 'tcp-check connect port 81'))), ['8 SY_ERR_CFG_ARG']);
});

test('capabilities, defaults inheritance, rules without their option', () => {
  const fe = parse('frontend f\n  bind :1\n  option httpchk\n  http-check expect status 200\n  tcp-check connect\n  option log-health-checks\n');
  assert.deepEqual(alerts(fe), []);
  assert.equal(warnings(fe), 4);
  const w = parse(be('http-check expect status 200', 'server s 127.0.0.1:80 check'));
  assert.deepEqual(alerts(w), []);
  assert.equal(warnings(w), 1, 'http-check rules without option httpchk');
  // A backend inherits the defaults' rules until it writes its own.
  const inh = parse('defaults\n  option httpchk GET /h\n  http-check expect status 204\nbackend a\n  server s 127.0.0.1:80 check\nbackend b\n  http-check expect string ok\n');
  assert.deepEqual(alerts(inh), []);
  assert.equal(warnings(inh), 0);
  assert.deepEqual(proxy(inh, 'a').healthCheck.httpRules.map((r) => r.kind === 'expect' && r.match), ['status']);
  assert.deepEqual(proxy(inh, 'b').healthCheck.httpRules.map((r) => r.kind === 'expect' && r.match), ['string']);
  assert.equal(proxy(inh, 'b').healthCheck.http.uri, '/h');
});

test('global spread-checks 0..50', () => {
  const ok = parse('global\n  spread-checks 20\n');
  assert.deepEqual(alerts(ok), []);
  assert.equal(spreadChecksOf(ok.config.global), 20);
  for (const v of ['51', '-1', 'x', '']) assert.deepEqual(alerts(parse(`global\n  spread-checks ${v}\n`)), ['2 SY_ERR_CFG_ARG'], v);
});
