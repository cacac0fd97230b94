/**
 * Servers added and removed at run time (`add server` / `del server`): every algorithm
 * that accepts them learns of the new server — not picked while in maintenance, picked
 * once ready — and forgets a removed one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import { parseDynamicServer } from '../config/sections/server-dynamic.ts';
import { Backend } from './backend.ts';
import { Server } from './server.ts';

function backendWith(balance: string): Backend {
  const config: Config = { files: [], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', `backend be\n  balance ${balance}\n  server s1 127.0.0.1:80\n  server s2 127.0.0.1:81\n`);
  assert.equal(ctx.hasAlerts, false, JSON.stringify(ctx.diagnostics));
  return new Backend(config.proxies[0]!);
}

const waiter = { granted: () => {}, expired: () => {} };

function picks(be: Backend, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = be.assign({ srcAddr: `10.0.0.${i}`, http: null }, waiter);
    assert.equal(a.kind, 'server');
    if (a.kind !== 'server') continue;
    out.push(a.server.name);
    be.release(a.server);
  }
  return out;
}

for (const balance of ['roundrobin', 'leastconn', 'first', 'random', 'source\n  hash-type consistent']) {
  test(`balance ${balance.split('\n')[0]}: an added server is picked once ready, never in maintenance or once removed`, () => {
    const be = backendWith(balance);
    assert.equal(be.acceptsDynamicServers(), true);
    const parsed = parseDynamicServer({ files: [], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] },
      be.cfg, be.servers.map((s) => s.cfg), 'd1', ['127.0.0.1:82', 'id', '9']);
    assert.ok(parsed.ok);
    parsed.cfg.disabled = true;
    const d1 = new Server(parsed.cfg);
    be.addServer(d1);
    assert.ok(!picks(be, 40).includes('d1'));
    be.setAdmin(d1, 'ready');
    // `first` fills the lowest id first: give s1 and s2 one slot each and keep both taken.
    if (balance === 'first') { be.setServerMaxconn(be.servers[0]!, 1); be.setServerMaxconn(be.servers[1]!, 1); be.assign({ srcAddr: '', http: null }, waiter); be.assign({ srcAddr: '', http: null }, waiter); }
    assert.ok(picks(be, 60).includes('d1'), balance);
    be.setAdmin(d1, 'maint');
    be.removeServer(d1);
    assert.equal(be.servers.includes(d1), false);
    if (balance !== 'first') assert.ok(!picks(be, 40).includes('d1'));
  });
}

test('static algorithms refuse dynamic servers', () => {
  assert.equal(backendWith('static-rr').acceptsDynamicServers(), false);
  assert.equal(backendWith('source').acceptsDynamicServers(), false);
});
