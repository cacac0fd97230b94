/**
 * The configuration reader end to end: parseText() with a ParseContext for single texts,
 * parseConfigFiles() on temporary files for file handling. Errors are matched by their
 * stable code and file:line, never by message. Which situations HAProxy 2.6 treats as an
 * alert and which as a warning was checked with `haproxy -c` (2.6.12).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ParseContext } from './context.ts';
import { parseConfigFiles, parseText } from './parser.ts';
import type { Config, Diagnostic, ProxyConfig } from './types.ts';

function newContext(env: NodeJS.ProcessEnv = {}): ParseContext {
  const config: Config = {
    files: ['t.cfg'],
    global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 },
    proxies: [],
  };
  return new ParseContext(config, env);
}

function parse(text: string, env: NodeJS.ProcessEnv = {}): ParseContext {
  const ctx = newContext(env);
  parseText(ctx, 't.cfg', text);
  return ctx;
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** Alerts as "LINE CODE", in the order they were reported. */
function alerts(ctx: { diagnostics: Diagnostic[] }): string[] {
  return ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line ?? '-'} ${d.code}`);
}

/** Lines that got a warning. */
function warnedLines(ctx: { diagnostics: Diagnostic[] }): number[] {
  return ctx.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.where?.line ?? -1);
}

function proxy(ctx: ParseContext, name: string): ProxyConfig {
  const p = ctx.config.proxies.find((x) => x.name === name);
  assert.ok(p, `no proxy named ${name}`);
  return p;
}

const tmp = mkdtempSync(join(tmpdir(), 'sy-parser-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function writeCfg(rel: string, text: string): string {
  const path = join(tmp, rel);
  writeFileSync(path, text);
  return path;
}

const TIMEOUTS = ['  timeout client 1s', '  timeout server 1s', '  timeout connect 1s'];

test('a complete TCP configuration parses without diagnostics', () => {
  const ctx = parse(lines(
    'global', '  maxconn 1000', '  stats socket /tmp/sy.sock level admin mode 600',
    'defaults', '  mode tcp', ...TIMEOUTS, '  retries 2', '  option redispatch',
    'frontend fe', '  bind 127.0.0.1:8080 name main', '  default_backend be',
    'backend be', '  balance static-rr', '  default-server weight 3',
    '  server s1 127.0.0.1:9001', '  server s2 127.0.0.1:9002 weight 7 disabled',
  ));
  assert.deepEqual(ctx.diagnostics, []);
  assert.equal(ctx.config.global.maxconn, 1000);
  assert.equal(ctx.config.global.statsSockets[0]?.level, 'admin');
  assert.equal(ctx.config.global.statsSockets[0]?.mode, 0o600);
  const fe = proxy(ctx, 'fe');
  assert.deepEqual(fe.cap, { frontend: true, backend: false });
  assert.equal(fe.binds[0]?.name, 'main');
  assert.equal(fe.defaultBackend?.name, 'be');
  assert.equal(fe.defaultBackend?.where.line, 13);
  const be = proxy(ctx, 'be');
  assert.equal(be.balance.algorithm, 'static-rr');
  assert.equal(be.retries, 2);
  assert.equal(be.options.redispatch, -1);
  assert.deepEqual(be.timeouts, { client: 1000, server: 1000, connect: 1000 });
  assert.deepEqual(be.servers.map((s) => [s.name, s.id, s.weight, s.disabled, s.where.line]),
    [['s1', 1, 3, false, 17], ['s2', 2, 7, true, 18]]);
  assert.deepEqual(ctx.config.proxies.map((p) => p.id), [1, 2]);
});

test('several global sections add up, later settings win', () => {
  const ctx = parse(lines('global', '  maxconn 10', '  stats socket /tmp/a.sock', 'global', '  maxconn 20', '  stats socket /tmp/b.sock level operator'));
  assert.deepEqual(alerts(ctx), []);
  assert.equal(ctx.config.global.maxconn, 20);
  assert.deepEqual(ctx.config.global.statsSockets.map((s) => s.level), ['operator', 'operator'], 'HAProxy 2.6 defaults to operator');
});

test('keywords outside any section, and unknown section keywords, are unknown keywords', () => {
  const ctx = parse(lines('maxconn 10', 'frontend fe', '  bind :80', 'foo bar'));
  assert.deepEqual(alerts(ctx), ['1 SY_ERR_CFG_UNKNOWN_KEYWORD', '4 SY_ERR_CFG_UNKNOWN_KEYWORD']);
});

test('recognised but unserved sections are one error each; their lines are skipped', () => {
  const ctx = parse(lines('peers mypeers', '  peer a 127.0.0.1:1', '  whatever', 'frontend fe', '  bind :80'));
  assert.deepEqual(alerts(ctx), ['1 SY_ERR_CFG_NOT_IMPLEMENTED']);
  assert.equal(proxy(ctx, 'fe').binds.length, 1);
});

test('a proxy inherits from the last defaults section, named or not, even across files', () => {
  const ctx = newContext();
  parseText(ctx, 'a.cfg', lines('defaults', '  timeout client 5s', '  retries 7'));
  parseText(ctx, 'b.cfg', lines('listen l', '  bind :80', 'defaults named', '  timeout client 9s', 'listen m', '  bind :81'));
  assert.deepEqual(alerts(ctx), []);
  assert.equal(proxy(ctx, 'l').timeouts.client, 5000);
  assert.equal(proxy(ctx, 'l').retries, 7);
  // A new defaults section starts from scratch: it does not inherit the previous one.
  assert.deepEqual(proxy(ctx, 'm').timeouts, { client: 9000 });
  assert.equal(proxy(ctx, 'm').retries, 3);
});

test('`from` picks a named defaults section; defaults can chain with `from`', () => {
  const ctx = parse(lines(
    'defaults base', '  mode tcp', '  timeout connect 2s', '  balance static-rr',
    'defaults child from base', '  timeout server 3s',
    'defaults other', '  retries 9',
    'backend b1 from base',
    'backend b2 from child',
    'backend b3',
  ));
  assert.deepEqual(alerts(ctx), []);
  assert.deepEqual(proxy(ctx, 'b1').timeouts, { connect: 2000 });
  assert.deepEqual(proxy(ctx, 'b2').timeouts, { connect: 2000, server: 3000 });
  assert.equal(proxy(ctx, 'b2').balance.algorithm, 'static-rr');
  assert.equal(proxy(ctx, 'b3').retries, 9);
  assert.equal(proxy(ctx, 'b3').balance.algorithm, 'roundrobin');
});

test('a proxy gets a copy of its defaults, not a live view', () => {
  const ctx = parse(lines('defaults d', '  timeout client 1s', 'frontend fe', '  bind :80', '  timeout client 4s', 'frontend fe2 from d', '  bind :81'));
  assert.equal(proxy(ctx, 'fe').timeouts.client, 4000);
  assert.equal(proxy(ctx, 'fe2').timeouts.client, 1000);
  assert.equal(ctx.defaults.get('d')?.timeouts.client, 1000);
});

test('default_backend is inherited by frontends and listens but not by backends; default-server by servers', () => {
  const ctx = parse(lines(
    'defaults', '  default_backend be', '  default-server weight 5',
    'frontend fe', '  bind :80', 'listen l', '  bind :81', '  server s0 127.0.0.1:1', 'backend be', '  server s1 127.0.0.1:2', '  server s2 127.0.0.1:3 weight 2',
  ));
  assert.deepEqual(alerts(ctx), []);
  assert.equal(proxy(ctx, 'fe').defaultBackend?.name, 'be');
  assert.equal(proxy(ctx, 'l').defaultBackend?.name, 'be');
  assert.equal(proxy(ctx, 'be').defaultBackend, undefined);
  assert.deepEqual(proxy(ctx, 'be').servers.map((s) => s.weight), [5, 2]);
  assert.equal(proxy(ctx, 'l').servers[0]?.weight, 5);
});

test('`from` errors: unknown name, missing name, ambiguous name', () => {
  assert.deepEqual(alerts(parse(lines('backend b from nope'))), ['1 SY_ERR_CFG_REFERENCE']);
  assert.deepEqual(alerts(parse(lines('defaults d from nope'))), ['1 SY_ERR_CFG_REFERENCE']);
  assert.deepEqual(alerts(parse(lines('defaults a', 'backend b from'))), ['2 SY_ERR_CFG_ARG']);
  // Two defaults sections may share a name; referencing it is then ambiguous.
  assert.deepEqual(alerts(parse(lines('defaults a', 'defaults a', 'frontend f', '  bind :80'))), []);
  assert.deepEqual(alerts(parse(lines('defaults a', 'defaults a', 'frontend f from a'))), ['3 SY_ERR_CFG_DUPLICATE']);
  assert.deepEqual(alerts(parse(lines('defaults a', 'backend ok from a', 'defaults a', 'defaults b from a'))), ['4 SY_ERR_CFG_DUPLICATE']);
});

test('section headers: names, extra arguments, missing ids', () => {
  assert.deepEqual(alerts(parse(lines('backend'))), ['1 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(lines('frontend bad/name'))), ['1 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(lines('defaults bad/name'))), ['1 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(lines('global extra'))), ['1 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(lines('defaults d', 'backend b from d extra'))), ['2 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(lines('defaults a.b-c:d_e', 'backend A-b.c:d_9'))), []);
});

test('duplicate proxy names: same capability is an error, frontend + backend is fine', () => {
  assert.deepEqual(alerts(parse(lines('frontend a', 'frontend a'))), ['2 SY_ERR_CFG_DUPLICATE']);
  assert.deepEqual(alerts(parse(lines('backend a', 'backend a'))), ['2 SY_ERR_CFG_DUPLICATE']);
  assert.deepEqual(alerts(parse(lines('frontend a', 'listen a'))), ['2 SY_ERR_CFG_DUPLICATE']);
  assert.deepEqual(alerts(parse(lines('listen a', 'backend a'))), ['2 SY_ERR_CFG_DUPLICATE']);
  assert.deepEqual(alerts(parse(lines('frontend a', 'backend a'))), []);
});

test('duplicate server names in one proxy are an error; the same name in two proxies is not', () => {
  const ctx = parse(lines('backend a', '  server s1 127.0.0.1:1', '  server s1 127.0.0.1:2', 'backend b', '  server s1 127.0.0.1:3'));
  assert.deepEqual(alerts(ctx), ['3 SY_ERR_CFG_DUPLICATE']);
  assert.equal(proxy(ctx, 'a').servers.length, 1);
});

test('frontend-only keywords in a backend are warnings and are ignored', () => {
  const ctx = parse(lines(
    'backend b', '  bind :80', '  default_backend x', '  use_backend x', '  maxconn 10', '  timeout client 5s',
    '  option tcplog', '  option dontlognull',
  ));
  assert.deepEqual(alerts(ctx), []);
  assert.deepEqual(warnedLines(ctx), [2, 3, 4, 5, 6, 7, 8]);
  const b = proxy(ctx, 'b');
  assert.deepEqual([b.binds.length, b.defaultBackend, b.useBackends.length, b.maxconn, b.timeouts.client], [0, undefined, 0, undefined, undefined]);
  assert.deepEqual([b.options.tcplog, b.options.dontlognull], [false, false]);
});

test('backend-only keywords in a frontend: server lines are errors, the rest warnings', () => {
  const ctx = parse(lines(
    'frontend f', '  bind :81', '  server s 127.0.0.1:80', '  default-server weight 2', '  balance static-rr',
    '  retries 1', '  timeout server 5s', '  timeout connect 5s', '  option redispatch',
  ));
  assert.deepEqual(alerts(ctx), ['3 SY_ERR_CFG_NOT_ALLOWED', '4 SY_ERR_CFG_NOT_ALLOWED']);
  assert.deepEqual(warnedLines(ctx), [5, 6, 7, 8, 9]);
  const f = proxy(ctx, 'f');
  assert.deepEqual([f.balance.algorithm, f.retries, f.timeouts.server, f.timeouts.connect, f.options.redispatch], ['roundrobin', 3, undefined, undefined, 0]);
});

test('listen sections accept both sides; defaults refuse bind, server and use_backend', () => {
  const l = parse(lines('listen l', '  bind :80', '  server s 127.0.0.1:1', '  option tcplog', '  option redispatch 2', '  maxconn 5', '  retries 4'));
  assert.deepEqual(l.diagnostics, []);
  assert.deepEqual([proxy(l, 'l').options.tcplog, proxy(l, 'l').options.redispatch], [true, 2]);
  const d = parse(lines('defaults', '  bind :80', '  server s 1.2.3.4', '  use_backend x', '  default_backend y', '  maxconn 5', '  default-server weight 3'));
  assert.deepEqual(alerts(d), ['2 SY_ERR_CFG_NOT_ALLOWED', '3 SY_ERR_CFG_NOT_ALLOWED', '4 SY_ERR_CFG_NOT_ALLOWED']);
});

test('options: tcplog cannot be negated; other served options can', () => {
  assert.deepEqual(alerts(parse(lines('listen l', '  no option tcplog'))), ['2 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(lines('defaults', '  no option tcplog'))), ['2 SY_ERR_CFG_ARG']);
  const ctx = parse(lines('defaults', '  option dontlognull', '  option redispatch', 'listen l', '  no option dontlognull', '  no option redispatch'));
  assert.deepEqual(alerts(ctx), []);
  assert.deepEqual([proxy(ctx, 'l').options.dontlognull, proxy(ctx, 'l').options.redispatch], [false, 0]);
  assert.deepEqual(alerts(parse(lines('listen l', '  option nosuchthing'))), ['2 SY_ERR_CFG_UNKNOWN_KEYWORD']);
  assert.deepEqual(alerts(parse(lines('listen l', '  option mysql-check'))), ['2 SY_ERR_CFG_NOT_IMPLEMENTED']);
});

test('every error is collected with its own line, not just the first', () => {
  const ctx = parse(lines(
    'listen l', '  bind :80', '  server s1 127.0.0.1:1 weight 300', '  foo bar', '  timeout client 1x',
    '  bind :0', '  server s2 ipv6@127.0.0.1', '  balance rdp-cookie', '  http-after-response deny', '  mode health',
    '  server s3 127.0.0.1:1 send-proxy',
  ));
  assert.deepEqual(alerts(ctx), [
    '3 SY_ERR_CFG_ARG', '4 SY_ERR_CFG_UNKNOWN_KEYWORD', '5 SY_ERR_CFG_ARG', '6 SY_ERR_CFG_ADDRESS',
    '7 SY_ERR_CFG_ADDRESS', '8 SY_ERR_CFG_NOT_IMPLEMENTED', '9 SY_ERR_CFG_NOT_IMPLEMENTED', '10 SY_ERR_CFG_ARG',
    '11 SY_ERR_CFG_NOT_IMPLEMENTED',
  ]);
  for (const d of ctx.diagnostics) assert.equal(d.where?.file, 't.cfg');
});

test('syntax errors from the tokenizer are SY_ERR_CFG_SYNTAX at their line; the rest is still read', () => {
  const ctx = parse(lines('global', '  pidfile "/run/x', 'frontend fe', '  bind "${PORT"', '  bind :80'));
  assert.deepEqual(alerts(ctx), ['2 SY_ERR_CFG_SYNTAX', '4 SY_ERR_CFG_SYNTAX']);
  assert.equal(proxy(ctx, 'fe').binds.length, 1);
});

test('a last line without LF is an error, as in HAProxy; an empty file is fine', () => {
  assert.deepEqual(alerts(parse('global\n  maxconn 5')), ['2 SY_ERR_CFG_SYNTAX']);
  assert.deepEqual(alerts(parse('\n\n# c')), ['3 SY_ERR_CFG_SYNTAX']);
  assert.deepEqual(alerts(parse('')), []);
  assert.deepEqual(alerts(parse('global\r\n  maxconn 5\r\n')), []);
});

test('environment: expansion in double quotes, empty words, setenv/unsetenv in order', () => {
  const env: NodeJS.ProcessEnv = { PORT: '8443', OPTS: 'weight 30', EMPTY: '' };
  const ctx = parse(lines(
    'global', '  setenv HOST 127.0.0.1', '  setenv GONE x', '  unsetenv GONE',
    'listen app', '  bind ":$PORT"', '  bind :${PORT}', '  bind "${EMPTY}:8081" "${NOPE}"',
    '  server s1 "$HOST:8080" "${OPTS[*]}"', '  server s2 "${GONE-127.0.0.2}:8080" "${NOPE[*]}"',
    '  "${NOPE}" ignored words after an empty first word',
  ), env);
  assert.deepEqual(alerts(ctx), []);
  const app = proxy(ctx, 'app');
  assert.deepEqual(app.binds.map((b) => b.addresses[0]), [
    { kind: 'inet', host: '', family: 0, portLow: 8443, portHigh: 8443 },
    { kind: 'inet', host: '', family: 0, portLow: 8443, portHigh: 8443 },
    { kind: 'inet', host: '', family: 0, portLow: 8081, portHigh: 8081 },
  ]);
  assert.deepEqual(app.servers.map((s) => [s.name, s.text, s.weight]), [['s1', '127.0.0.1:8080', 30], ['s2', '127.0.0.2:8080', 1]]);
  assert.equal(env['HOST'], '127.0.0.1', 'setenv writes to the environment the parser was given');
});

test('${.LINE}, ${.FILE} and ${.SECTION} expand to where the line is', () => {
  const ctx = parse(lines('frontend fe', '  bind ":80${.LINE}"', 'backend "be"', '  server "${.SECTION}" "/run/${.FILE}.sock"'));
  assert.deepEqual(alerts(ctx), []);
  assert.deepEqual(proxy(ctx, 'fe').binds[0]?.addresses, [{ kind: 'inet', host: '', family: 0, portLow: 802, portHigh: 802 }]);
  assert.deepEqual(proxy(ctx, 'be').servers.map((s) => [s.name, s.text]), [['be', '/run/t.cfg.sock']]);
});

test('.if / .elif / .else / .endif select lines; skipped branches are not evaluated', () => {
  const ctx = parse(lines(
    '.if defined(NOPE)', 'nonsense here',
    '.elif streq(a,a)', 'global', '  maxconn 1',
    '  .if 0', '  .if bad(((', '  .endif', '  .elif 1', '  nbthread 2', '  .endif',
    '.elif 1', 'also nonsense',
    '.else', 'more nonsense',
    '.endif',
  ));
  assert.deepEqual(ctx.diagnostics, []);
  assert.equal(ctx.config.global.maxconn, 1);
  assert.equal(ctx.config.global.nbthread, 2);
});

test('conditional block errors have SY_ERR_CFG_CONDITION at the offending line', () => {
  assert.deepEqual(alerts(parse(lines('.endif'))), ['1 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('.else'))), ['1 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('.elif 1'))), ['1 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('global', '.if 1'))), ['2 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('.if 1', '.else', '.elif 1', '.endif'))), ['3 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('.if 1', '.else', '.else', '.endif'))), ['3 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('.if 1', '.else x', '.endif x'))), ['2 SY_ERR_CFG_CONDITION', '3 SY_ERR_CFG_CONDITION', '1 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('.if foo', '.endif'))), ['1 SY_ERR_CFG_CONDITION']);
  assert.deepEqual(alerts(parse(lines('.if 0', '.elif 1 &&', '.endif'))), ['2 SY_ERR_CFG_CONDITION']);
});

test('directives: .alert is an error, .warning a warning, .notice and .diag neither', () => {
  const ctx = parse(lines('.warning "w"', '.alert "bad thing"', '.notice n', '.diag d', '.notice a b', '.foo', '.notice a ""'));
  assert.deepEqual(alerts(ctx), ['2 SY_ERR_CFG_DIRECTIVE_ALERT', '5 SY_ERR_CFG_ARG', '6 SY_ERR_CFG_UNKNOWN_KEYWORD']);
  assert.deepEqual(warnedLines(ctx), [1]);
  assert.deepEqual(ctx.diagnostics.filter((d) => d.severity === 'notice' || d.severity === 'diag').map((d) => `${d.where?.line} ${d.severity}`),
    ['3 notice', '4 diag', '7 notice']);
});

test('parseConfigFiles reads several files in order and names each error file:line', () => {
  const a = writeCfg('a.cfg', lines('global', '  maxconn x', 'defaults', ...TIMEOUTS));
  const b = writeCfg('b.cfg', lines('frontend fe', '  bind :80', '  nope', '  default_backend be', 'backend be', '  server s 127.0.0.1:1'));
  const r = parseConfigFiles([a, b], {});
  assert.equal(r.ok, false);
  assert.deepEqual(r.config.files, [a, b]);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.file}:${d.where?.line} ${d.code}`),
    [`${a}:2 SY_ERR_CFG_ARG`, `${b}:3 SY_ERR_CFG_UNKNOWN_KEYWORD`]);
  // Defaults from a.cfg apply in b.cfg: no missing-timeouts warning.
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'warning'), []);
});

test('parseConfigFiles: a missing file is SY_ERR_CFG_READ, the other files are still read', () => {
  const good = writeCfg('good.cfg', lines('global', '  maxconn 5'));
  const r = parseConfigFiles([join(tmp, 'missing.cfg'), good], {});
  assert.equal(r.ok, false);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['SY_ERR_CFG_READ']);
  assert.equal(r.config.global.maxconn, 5);
});

test('parseConfigFiles: a directory gives its visible regular *.cfg files in lexical order', () => {
  const dir = join(tmp, 'conf.d');
  mkdirSync(dir);
  mkdirSync(join(dir, 'sub.cfg'));
  writeFileSync(join(dir, 'sub.cfg', 'z.cfg'), lines('.notice sub'));
  writeFileSync(join(dir, 'b.cfg'), lines('.notice b'));
  writeFileSync(join(dir, 'a.cfg'), lines('.notice a'));
  writeFileSync(join(dir, '10.cfg'), lines('.notice ten'));
  writeFileSync(join(dir, '.hidden.cfg'), lines('.notice hidden'));
  writeFileSync(join(dir, 'c.txt'), lines('.notice txt'));
  writeFileSync(join(dir, 'x.cfg.cfg'), lines('.notice double'));
  symlinkSync('a.cfg', join(dir, 'l.cfg'));
  const r = parseConfigFiles([dir], {});
  assert.deepEqual(r.config.files, ['10.cfg', 'a.cfg', 'b.cfg', 'l.cfg'].map((n) => join(dir, n)));
  assert.deepEqual(r.diagnostics.map((d) => d.message), ["'ten'.", "'a'.", "'b'.", "'a'."]);
  assert.equal(r.ok, true);
});

test('parseConfigFiles runs the whole-configuration checks only when parsing succeeded', () => {
  const bad = writeCfg('bad-ref.cfg', lines('frontend fe', '  bind :80', '  default_backend nope', '  frobnicate'));
  const r = parseConfigFiles([bad], {});
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.code), ['SY_ERR_CFG_UNKNOWN_KEYWORD']);
  const ref = writeCfg('ref.cfg', lines('frontend fe', '  bind :80', '  default_backend nope'));
  const r2 = parseConfigFiles([ref], {});
  assert.deepEqual(r2.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line} ${d.code}`), ['3 SY_ERR_CFG_REFERENCE']);
});

test('option forwarded / originalto: parameters checked, *-expr forms not implemented yet', () => {
  const ctx = parse(lines(
    'backend b',
    '  option forwarded proto host by by_port for for_port',
    '  option forwarded host-expr req.hdr(x)',
    '  option forwarded bogus',
    '  option forwarded by_port',
    '  option originalto except 10.0.0.0/8 header X-Dst',
    '  option originalto if-none',
  ));
  assert.deepEqual(alerts(ctx), ['3 SY_ERR_CFG_NOT_IMPLEMENTED', '4 SY_ERR_CFG_ARG', '5 SY_ERR_CFG_ARG', '7 SY_ERR_CFG_ARG']);
  const b = ctx.config.proxies[0]!;
  assert.deepEqual(b.options.forwarded, { proto: true, host: true, by: true, byPort: true, for: true, forPort: true });
  assert.equal(b.options.originalto?.header, 'x-dst');
});
