/** The `acl` keyword and the condition helper as the configuration parser uses them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config, ProxyConfig } from '../config/types.ts';
import { compileCondition, parseAclLine, ruleCondition, ruleValue } from '../config/sections/acl.ts';
import { testContext } from './test-context.ts';
import type { RuleContext } from '../rules/types.ts';

function setup(text = 'frontend fe\n  mode http\n  bind 127.0.0.1:8080\n'): { ctx: ParseContext; fe: ProxyConfig } {
  const config = { files: [], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] } as unknown as Config;
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', text);
  assert.equal(ctx.section.kind, 'proxy');
  return { ctx, fe: (ctx.section as { proxy: ProxyConfig }).proxy };
}

test('acl lines fill the proxy table; same name ORs', () => {
  const { ctx, fe } = setup();
  ctx.where = { file: 't.cfg', line: 4 };
  parseAclLine(ctx, fe, ['acl', 'api', 'path_beg', '/api']);
  parseAclLine(ctx, fe, ['acl', 'api', 'path_beg', '/v2']);
  assert.equal(ctx.diagnostics.filter((d) => d.severity === 'alert').length, 0);
  assert.equal(fe.acls.get('api')!.terms.length, 2);
  const c = compileCondition(ctx, fe, ['if', 'api'])!;
  assert.equal(c.test(testContext({ request: 'GET /v2/a HTTP/1.1\r\n' })), true);
});

test('errors are collected with codes, file:line and HAProxy wording', () => {
  const { ctx, fe } = setup();
  const lines: [string[], string, RegExp][] = [
    [['acl', 'x'], 'SY_ERR_CFG_ACL', /error detected while parsing ACL 'x' : missing fetch method in ACL expression ''/],
    [['acl', 'z', 'nosuchfetch', '/x'], 'SY_ERR_CFG_ACL', /unknown fetch method 'nosuchfetch' in ACL expression 'nosuchfetch'/],
    [['acl', 'v', 'path', '-f', '/nonexistent/file'], 'SY_ERR_CFG_PATTERN_FILE', /failed to open pattern file <\/nonexistent\/file>/],
    [['acl', 'b@d', 'path', '/x'], 'SY_ERR_CFG_ACL', /ACL name 'b@d' contains invalid character '@'/],
    [['acl'], 'SY_ERR_CFG_ARG', /expects an ACL name/],
    [['acl', 's', 'path,nosuch', 'x'], 'SY_ERR_CFG_SAMPLE', /unknown converter 'nosuch'/],
  ];
  lines.forEach(([w], i) => { ctx.where = { file: 't.cfg', line: 10 + i }; parseAclLine(ctx, fe, w); });
  const alerts = ctx.diagnostics.filter((d) => d.severity === 'alert');
  assert.equal(alerts.length, lines.length);
  alerts.forEach((a, i) => {
    assert.equal(a.code, lines[i]![1], a.message);
    assert.match(a.message, lines[i]![2]);
    assert.deepEqual(a.where, { file: 't.cfg', line: 10 + i });
  });
  assert.equal(compileCondition(ctx, fe, ['if', 'nosuch'], { keyword: 'http-request deny' }), null);
  assert.match(ctx.diagnostics.at(-1)!.message, /error detected while parsing an 'http-request deny' condition : no such ACL : 'nosuch'/);
});

test('acl is refused in defaults sections', () => {
  const config = { files: [], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] } as unknown as Config;
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', 'defaults\n  mode http\n');
  assert.equal(ctx.section.kind, 'defaults');
  const d = (ctx.section as { kind: 'defaults'; defaults: import('../config/types.ts').DefaultsConfig }).defaults;
  parseAclLine(ctx, d, ['acl', 'x', 'path', '/a']);
  assert.match(ctx.diagnostics.at(-1)!.message, /'acl' not allowed in anonymous 'defaults' section/);
  assert.equal(ctx.diagnostics.at(-1)!.code, 'SY_ERR_CFG_NOT_ALLOWED');
});

test('stage warnings and the rule adapters', () => {
  const { ctx, fe } = setup();
  const c = compileCondition(ctx, fe, ['if', '{', 'status', '200', '}'], { keyword: 'http-request deny' });
  assert.ok(c);
  assert.match(ctx.diagnostics.at(-1)!.message, /anonymous acl will never match because it uses keyword 'status' which is incompatible with 'frontend http-request header rule'/);
  const cond = ruleCondition(ctx, fe, ['unless', '{', 'path', '/a', '}'])!;
  const value = ruleValue(ctx, fe, 'p=%[path,upper]')!;
  const rc = { sample: testContext({ request: 'GET /b HTTP/1.1\r\n' }) } as unknown as RuleContext;
  assert.equal(cond(rc), true);
  assert.equal(value(rc), 'p=/B');
  assert.equal(ruleValue(ctx, fe, '%[nosuch]'), null);
});
