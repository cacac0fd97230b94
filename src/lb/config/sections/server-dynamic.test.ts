/** `add server`'s line, read by the configuration's server parser (server-dynamic.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseContext } from '../context.ts';
import { parseText } from '../parser.ts';
import type { Config } from '../types.ts';
import { parseDynamicServer } from './server-dynamic.ts';

function backend(): { config: Config; be: Config['proxies'][number] } {
  const config: Config = { files: [], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', 'backend be\n  default-server weight 7 maxconn 3\n  server s1 127.0.0.1:80\n  server s3 127.0.0.1:80 id 3\n');
  assert.equal(ctx.hasAlerts, false);
  return { config, be: config.proxies[0]! };
}

test('options as on a server line, without default-server; the smallest free id', () => {
  const { config, be } = backend();
  const r = parseDynamicServer(config, be, be.servers, 'd1', ['127.0.0.2:81', 'weight', '4', 'check', 'inter', '3s', 'backup']);
  assert.ok(r.ok);
  assert.deepEqual([r.cfg.name, r.cfg.id, r.cfg.weight, r.cfg.maxconn, r.cfg.backup, r.cfg.check.enabled, r.cfg.check.inter], ['d1', 2, 4, 0, true, true, 3000]);
  assert.deepEqual(r.cfg.address, { kind: 'inet', host: '127.0.0.2', family: 0, port: 81, portOffset: 0 });
});

test('refusals: options HAProxy does not accept on add server, a used id, the parser\'s own errors', () => {
  const { config, be } = backend();
  const no = (words: string[]): string => { const r = parseDynamicServer(config, be, be.servers, 'd1', words); assert.ok(!r.ok); return r.error; };
  assert.equal(no(['127.0.0.1:1', 'cookie', 'abc']), "'cookie' option is not accepted for dynamic server");
  assert.equal(no(['127.0.0.1:1', 'no-check']), "'no-check' option is not accepted for dynamic server");
  // An option's argument is not read as an option.
  assert.ok(parseDynamicServer(config, be, be.servers, 'd1', ['127.0.0.1:1', 'agent-send', 'cookie', 'agent-check', 'agent-port', '9']).ok);
  assert.equal(no(['127.0.0.1:1', 'id', '3']), "'id' : custom id 3 already used at t.cfg:4 ('server s3').");
  assert.match(no(['127.0.0.1:1', 'weight', '300']), /^'server be\/d1' : 'weight' /);
  assert.equal(no([]), "'server' expects <name> and <addr>[:<port>] as arguments.");
});

test('the per-server check rules the configuration applies after reading', () => {
  const { config, be } = backend();
  const r = parseDynamicServer(config, be, be.servers, 'd1', ['127.0.0.1:1', 'agent-check']);
  assert.ok(!r.ok);
  assert.equal(r.error, "'server be/d1' : server d1 does not have agent port. Agent check has been disabled (set 'agent-port').");
  const t = parseDynamicServer(config, be, be.servers, 'd1', ['127.0.0.1:1', 'check', 'track', 's1']);
  assert.ok(!t.ok && t.error.endsWith('unable to enable checks and tracking at the same time!'));
});
