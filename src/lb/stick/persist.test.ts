/**
 * `stick` rules without sockets: what the request-side pass chooses and remembers, and
 * what a commit writes — first store per table, a `stick on` skipped as a whole once its
 * table has a store, an earlier choice (use-server, cookie) not overridden, stopped
 * servers, `option persist`, store-response keys read from the response, and the
 * configuration checks (tables that do not exist, server_id added to used tables).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseContext } from '../config/context.ts';
import { finalize } from '../config/finalize.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import { Backend } from '../core/backend.ts';
import type { Waiter } from '../core/queue.ts';
import { testContext } from '../acl/test-context.ts';
import type { HttpResponseView } from '../acl/index.ts';
import { stickDispatch, type StickContext } from './persist.ts';
import { stickTable } from './registry.ts';
import { showTable } from '../cli/commands/table.ts';

function load(text: string): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', text);
  finalize(ctx);
  return ctx;
}

const HEAD = 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n';
const waiter: Waiter = { granted() {}, expired() {} };
const req = (headers: Record<string, string>): StickContext =>
  testContext({ request: `GET / HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}` }) as StickContext;

function backend(rules: string, extra = ''): Backend {
  const ctx = load(`${HEAD}backend pb\n  stick-table type string size 10\n${rules}\n  server s1 127.0.0.1:1\n  server s2 127.0.0.1:2\n${extra}backend pt\n  stick-table type string size 10 store gpc0\n`);
  assert.deepEqual(ctx.diagnostics.filter((d) => d.severity === 'alert'), []);
  return new Backend(ctx.config.proxies.find((p) => p.name === 'pb')!);
}

test('match goes to the stored server; store is written at commit with the server that answered', () => {
  const be = backend('  stick on req.hdr(u)');
  const t = stickTable('pb')!;
  let r = stickDispatch(be, req({ u: 'a' }), waiter, null);
  assert.equal(r.a, null); // nothing stored yet: balance
  assert.equal(t.count, 0); // nothing written before the server answers
  r.stick!.commit(be.servers[1]!, null, null);
  assert.equal(t.read(t.lookup('a')!, 'server_id'), 2);
  r = stickDispatch(be, req({ u: 'a' }), waiter, null);
  assert.deepEqual(r.a, { kind: 'server', server: be.servers[1] });
  be.release(be.servers[1]!);
  // An earlier choice (use-server, cookie) wins: the entry is only touched.
  const earlier = { kind: 'server' as const, server: be.servers[0]! };
  assert.equal(stickDispatch(be, req({ u: 'a' }), waiter, earlier).a, earlier);
});

test('a stopped server is not followed, unless option persist; draining is followed', () => {
  const be = backend('  stick match req.hdr(u)\n  stick store-request req.hdr(u)');
  stickDispatch(be, req({ u: 'a' }), waiter, null).stick!.commit(be.servers[0]!, null, null);
  be.setAdmin(be.servers[0]!, 'maint');
  assert.equal(stickDispatch(be, req({ u: 'a' }), waiter, null).a, null);
  be.setAdmin(be.servers[0]!, 'drain');
  assert.equal(stickDispatch(be, req({ u: 'a' }), waiter, null).a?.kind, 'server');
  be.release(be.servers[0]!);
  be.setAdmin(be.servers[0]!, 'ready');
  be.setHealth(be.servers[0]!, false);
  assert.equal(stickDispatch(be, req({ u: 'a' }), waiter, null).a, null);
  const persist = backend('  stick on req.hdr(u)\n  option persist');
  stickDispatch(persist, req({ u: 'a' }), waiter, null).stick!.commit(persist.servers[0]!, null, null);
  persist.setHealth(persist.servers[0]!, false);
  assert.equal(stickDispatch(persist, req({ u: 'a' }), waiter, null).a?.kind, 'server');
});

test('only the first store per table counts; a later stick on for that table is skipped whole', () => {
  const be = backend('  stick store-request req.hdr(u)\n  stick on req.hdr(v)\n  stick on req.hdr(v) table pt');
  const t = stickTable('pb')!;
  const pt = stickTable('pt')!;
  stickDispatch(be, req({ u: 'x', v: 'y' }), waiter, null).stick!.commit(be.servers[0]!, null, null);
  assert.deepEqual([...t.list()].map((e) => e.key), ['x']);
  assert.deepEqual([...pt.list()].map((e) => [e.key, pt.read(e, 'server_id'), pt.read(e, 'gpc0')]), [['y', 1, 0]]);
  // The skipped `stick on req.hdr(v)` does not match either: pb's y (s2) is not looked at,
  // pt's y (s1) is.
  t.set(t.getOrCreate('y')!, 'server_id', 2);
  assert.deepEqual(stickDispatch(be, req({ u: 'x', v: 'y' }), waiter, null).a, { kind: 'server', server: be.servers[0] });
});

test('store-response reads the key from the response; request and response stores coexist', () => {
  const be = backend('  stick store-response res.hdr(sid)\n  stick match req.hdr(sid)\n  stick store-request req.hdr(u)');
  const t = stickTable('pb')!;
  const sc = req({ u: 'alice' });
  const res: HttpResponseView = { status: 200, fieldCount: 1, fieldName: () => 'sid', fieldValue: () => 'S42' };
  stickDispatch(be, sc, waiter, null).stick!.commit(be.servers[1]!, sc, () => res);
  assert.equal(sc.res, null); // the response view was only lent to the rules
  assert.deepEqual([...t.list()].map((e) => [e.key, t.read(e, 'server_id')]), [['alice', 2], ['S42', 2]]);
  assert.deepEqual(stickDispatch(be, req({ sid: 'S42' }), waiter, null).a, { kind: 'server', server: be.servers[1] });
});

test('show table: server_id with the other data in HAProxy\'s order, server_key last', async () => {
  const be = backend('  stick on req.hdr(u) table pt');
  stickDispatch(be, req({ u: 'k' }), waiter, null).stick!.commit(be.servers[1]!, null, null);
  const out = String(await showTable.run(null as never, ['pt'], null as never));
  assert.match(out, /key=k use=0 exp=0 server_id=2 gpc0=0 server_key=s2\n$/);
});

test('configuration: tables must exist; the used table stores server_id; frontends warn', () => {
  const missing = load(`${HEAD}backend b\n  stick on src\n  stick match src table nope\n  server s1 127.0.0.1:1\n`);
  assert.deepEqual(missing.diagnostics.filter((d) => d.severity === 'alert').map((d) => [d.where?.line, d.code, d.message]), [
    [7, 'SY_ERR_CFG_REFERENCE', "Proxy 'b': unable to find stick-table 'b'."],
    [8, 'SY_ERR_CFG_REFERENCE', "Proxy 'b': unable to find stick-table 'nope'."],
  ]);
  const ok = load(`${HEAD}backend b2\n  stick-table type ip size 10 store gpc0\n  stick on src\n  server s1 127.0.0.1:1\nfrontend f\n  bind :1\n  stick on src\n  default_backend b2\n`);
  assert.equal(ok.diagnostics.filter((d) => d.severity === 'alert').length, 0);
  assert.match(ok.diagnostics.find((d) => d.severity === 'warning' && /stick/.test(d.message))!.message, /'stick' ignored because frontend 'f' has no backend capability/);
  assert.ok(stickTable('b2')!.stores('server_id'));
  assert.ok(stickTable('b2')!.stores('gpc0'));
});
