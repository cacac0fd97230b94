/**
 * finalize(): the checks that need the whole configuration. The alerts and warnings
 * below are the ones `haproxy -c` (2.6.12) gives for the same configurations.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseContext } from './context.ts';
import { finalize, hasListeners } from './finalize.ts';
import { parseText } from './parser.ts';
import type { Config, Diagnostic } from './types.ts';

function check(...lines: string[]): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', `${lines.join('\n')}\n`);
  assert.deepEqual(ctx.diagnostics, [], 'the configuration itself should parse cleanly');
  finalize(ctx);
  return ctx;
}

const alerts = (ctx: { diagnostics: Diagnostic[] }): string[] =>
  ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line ?? '-'} ${d.code}`);
const warnings = (ctx: { diagnostics: Diagnostic[] }): Diagnostic[] => ctx.diagnostics.filter((d) => d.severity === 'warning');

const DEFAULTS = ['defaults', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s'];

test('a consistent configuration passes with no diagnostics and has listeners', () => {
  const ctx = check(...DEFAULTS, 'frontend fe', '  bind :80', '  use_backend be', '  default_backend be', 'backend be', '  server s 127.0.0.1:1');
  assert.deepEqual(ctx.diagnostics, []);
  assert.equal(hasListeners(ctx), true);
});

test('default_backend / use_backend must name a backend-capable proxy; the alert points at the keyword line', () => {
  const ctx = check(
    ...DEFAULTS, // lines 1-4
    'frontend f', '  bind :81', '  default_backend nope', // 5-7
    'frontend g', '  bind :82', '  default_backend g', // 8-10: g is only a frontend
    'frontend h', '  bind :83', '  use_backend f', // 11-13
    'listen l', '  bind :84', '  default_backend b', // 14-16: fine
    'backend b',
  );
  assert.deepEqual(alerts(ctx), ['7 SY_ERR_CFG_REFERENCE', '10 SY_ERR_CFG_REFERENCE', '13 SY_ERR_CFG_REFERENCE']);
});

test('a listen section naming itself as its backend is a loop', () => {
  const ctx = check(...DEFAULTS, 'listen l', '  bind :80', '  default_backend l');
  assert.deepEqual(alerts(ctx), ['7 SY_ERR_CFG_REFERENCE']);
});

test('a default_backend inherited from defaults is checked too', () => {
  const ctx = check('defaults', '  timeout client 1s', '  default_backend missing', 'frontend f', '  bind :80');
  assert.deepEqual(alerts(ctx), ['3 SY_ERR_CFG_REFERENCE']);
});

test('a frontend without bind is a warning, and then there is no listener', () => {
  const ctx = check(...DEFAULTS, 'frontend nb', 'backend b');
  assert.deepEqual(alerts(ctx), []);
  assert.deepEqual(warnings(ctx).map((w) => w.where?.line), [5]);
  assert.equal(hasListeners(ctx), false);
});

test('missing timeouts are one warning per proxy, for the side it has', () => {
  const ctx = check(
    'frontend f', '  bind :80', '  timeout client 1s',
    'backend b', '  timeout connect 1s', '  timeout server 0',
    'backend c', '  timeout connect 1s', '  timeout server 1s',
    'listen l', '  bind :81', '  timeout client 1s', '  timeout connect 1s', '  timeout server 1s',
    'listen m', '  bind :82', '  timeout connect 1s', '  timeout server 1s',
  );
  assert.deepEqual(alerts(ctx), []);
  assert.equal(warnings(ctx).length, 2, 'b (server 0) and m (no client)');
});

test("an http frontend cannot use a tcp backend (HAProxy's incompatible-mode error)", () => {
  const ctx = check(...DEFAULTS, '  mode http', 'frontend f', '  bind :80', '  default_backend b', 'backend b', '  mode tcp');
  assert.deepEqual(alerts(ctx), ['8 SY_ERR_CFG_REFERENCE']);
});
