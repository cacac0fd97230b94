/**
 * ServerMonitor on a real Backend built from a parsed configuration, fed check results
 * directly (no timers): the state machine, HAProxy's log lines, tracking, the agent's
 * words, disable-on-404, observe + on-error. Then startHealthChecks with real sockets.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, beforeEach, test } from 'node:test';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import { Backend } from '../core/backend.ts';
import { setSink } from '../../shared/log.ts';
import { ServerMonitor } from './monitor.ts';
import { startHealthChecks } from './scheduler.ts';
import { observe, observeHttpStatus } from './observe.ts';
import type { CheckResult } from './types.ts';

let lines: string[] = [];
beforeEach(() => { lines = []; setSink((l) => { lines.push(l.replace(/^\[(\w+)\]\s+\(\d+\) : /, '$1 ').trimEnd()); }); });
afterEach(() => setSink(null));

function backends(text: string): Map<string, Backend> {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', text);
  assert.deepEqual(ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.message), []);
  return new Map(config.proxies.map((p) => [p.name, new Backend(p)]));
}

const L4CON: CheckResult = { outcome: 'failed', status: 'L4CON', info: 'Connection refused', durationMs: 0 };
const L7OK: CheckResult = { outcome: 'passed', status: 'L7OK', code: 200, durationMs: 1 };

test('rise/fall on the live server, with HAProxy lines and the no-server alert', () => {
  const be = backends('backend be\n  option httpchk\n  server s1 127.0.0.1:1 check rise 2 fall 2\n  server s2 127.0.0.1:2 check backup\n').get('be')!;
  const [s1, s2] = be.servers as [typeof be.servers[0], typeof be.servers[0]];
  const m1 = new ServerMonitor(be, s1);
  const m2 = new ServerMonitor(be, s2);
  m1.onCheckResult(L4CON);
  assert.equal(s1.health, 'down', 'a fresh server falls at the first failure');
  assert.deepEqual(lines, ['WARNING Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.']);
  lines = [];
  m2.onCheckResult(L4CON);
  assert.deepEqual(lines, [
    'WARNING Backup Server be/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    "ALERT backend 'be' has no server available!",
  ]);
  lines = [];
  m1.onCheckResult(L7OK);
  assert.equal(s1.health, 'down', 'rise 2: one success is not enough');
  m1.onCheckResult(L7OK);
  assert.equal(s1.health, 'up');
  assert.deepEqual(lines, ['WARNING Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.']);
  lines = [];
  m1.onCheckResult(L4CON);
  assert.equal(s1.health, 'up', 'fully up: fall 2 needs two failures');
  m1.onCheckResult(L4CON);
  assert.equal(s1.health, 'down');
  m1.stop(); m2.stop();
});

test('log-health-checks: a line per report, the state line without reason', () => {
  const be = backends('backend be\n  option log-health-checks\n  server s1 127.0.0.1:1 check\n').get('be')!;
  const m = new ServerMonitor(be, be.servers[0]!);
  m.onCheckResult({ outcome: 'passed', status: 'L4OK', durationMs: 0 });
  m.onCheckResult({ outcome: 'passed', status: 'L4OK', durationMs: 0 });
  m.onCheckResult(L4CON);
  m.onCheckResult(L4CON);
  m.onCheckResult(L4CON);
  assert.deepEqual(lines, [
    'WARNING Health check for server be/s1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 3/3 UP.',
    'WARNING Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 2/3 UP.',
    'WARNING Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 1/3 UP.',
    'WARNING Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN.',
    'WARNING Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    "ALERT backend 'be' has no server available!",
  ]);
  m.stop();
});

test('track: the follower goes down and up with the tracked server, "via" in its line', () => {
  const bes = backends('backend a\n  server t 127.0.0.1:1 check\nbackend b\n  server f 127.0.0.1:2 track a/t\n  server g 127.0.0.1:3\n');
  const checks = startHealthChecks([], {});
  checks.stop();
  const ma = new ServerMonitor(bes.get('a')!, bes.get('a')!.servers[0]!);
  const mf = new ServerMonitor(bes.get('b')!, bes.get('b')!.servers[0]!);
  mf.tracking = ma;
  ma.trackers.push(mf);
  ma.onCheckResult(L4CON);
  assert.equal(bes.get('b')!.servers[0]!.health, 'down');
  assert.equal(lines[2], 'WARNING Server b/f is DOWN via a/t. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.');
  ma.onCheckResult(L7OK); ma.onCheckResult(L7OK);
  assert.equal(bes.get('b')!.servers[0]!.health, 'up');
  assert.equal(lines.at(-1), 'WARNING Server b/f is UP via a/t. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.');
  ma.stop(); mf.stop();
});

test('agent: weight %, maxconn, admin words; down then up', () => {
  const be = backends('backend be\n  server s 127.0.0.1:1 weight 100 agent-check agent-port 2\n  server t 127.0.0.1:3\n').get('be')!;
  const s = be.servers[0]!;
  const m = new ServerMonitor(be, s);
  m.onAgentResult({ outcome: 'neutral', status: 'L7OK', durationMs: 0 }, { weightPercent: 75, maxconn: 30 });
  assert.equal(s.weight, 75);
  assert.equal(s.maxconn, 30);
  assert.equal(s.health, 'up');
  m.onAgentResult({ outcome: 'failed', status: 'L7STS', code: 0, info: 'via agent : down', durationMs: 0 }, { state: 'down' });
  assert.equal(s.health, 'down', 'one "down" is enough (agent rise/fall 1)');
  assert.match(lines.at(-1)!, /^WARNING Server be\/s is DOWN, reason: Layer7 wrong status, code: 0, info: "via agent : down", check duration: 0ms\. 1 active/);
  m.onAgentResult({ outcome: 'passed', status: 'L7OK', code: 0, info: 'via agent : up', durationMs: 0 }, { state: 'up' });
  assert.equal(s.health, 'up');
  m.onAgentResult({ outcome: 'neutral', status: 'L7OK', durationMs: 0 }, { admin: 'maint' });
  assert.equal(s.admin, 'maint');
  assert.match(lines.at(-1)!, /^WARNING Server be\/s is going DOWN for maintenance\. 1 active and 0 backup servers left\./);
  m.onAgentResult({ outcome: 'neutral', status: 'L7OK', durationMs: 0 }, { admin: 'ready' });
  assert.equal(s.admin, 'ready');
  m.stop();
});

test('disable-on-404: the server drains ("is stopping") and comes back on a 200', () => {
  const be = backends('backend be\n  option httpchk\n  http-check disable-on-404\n  server s 127.0.0.1:1 check\n').get('be')!;
  const s = be.servers[0]!;
  const m = new ServerMonitor(be, s);
  m.onCheckResult({ outcome: 'condpass', status: 'L7OKC', code: 404, durationMs: 0 });
  assert.equal(s.admin, 'drain');
  assert.equal(lines[0], 'WARNING Server be/s is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.');
  m.onCheckResult(L7OK);
  assert.equal(s.admin, 'ready');
  m.stop();
});

test('observe layer7 + error-limit + on-error: mark-down, fail-check, sudden-death, fastinter', () => {
  const bes = backends([
    'defaults\n  mode http',
    'backend md\n  server s 127.0.0.1:1 check observe layer7 error-limit 2 on-error mark-down',
    'backend fc\n  server s 127.0.0.1:1 check observe layer4 error-limit 1 on-error fail-check',
    'backend sd\n  server s 127.0.0.1:1 check observe layer7 error-limit 1 on-error sudden-death',
    'backend no\n  server s 127.0.0.1:1 check',
  ].join('\n') + '\n');
  const mon = (n: string): ServerMonitor => new ServerMonitor(bes.get(n)!, bes.get(n)!.servers[0]!);
  const md = mon('md');
  md.onCheckResult(L7OK);
  observeHttpStatus(md.server, 404);
  observeHttpStatus(md.server, 500);
  assert.equal(md.server.health, 'up');
  observeHttpStatus(md.server, 200);
  observeHttpStatus(md.server, 500);
  assert.equal(md.server.health, 'up', 'a good response resets the count');
  observeHttpStatus(md.server, 502);
  assert.equal(md.server.health, 'down');
  assert.match(lines.at(-2)!, /Server md\/s is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: Wrong http response"/);
  const fc = mon('fc');
  fc.onCheckResult(L7OK);
  observe(fc.server, 'l7-fail');
  assert.equal(fc.check!.health, 4, 'layer4 ignores layer7 events');
  observe(fc.server, 'l4-fail');
  assert.equal(fc.check!.health, 3);
  assert.equal(fc.server.health, 'up');
  const sd = mon('sd');
  sd.onCheckResult(L7OK);
  observe(sd.server, 'l7-fail');
  assert.equal(sd.server.health, 'up');
  sd.onCheckResult(L4CON);
  assert.equal(sd.server.health, 'down', 'sudden-death: one more failed check is fatal');
  const no = mon('no');
  for (let i = 0; i < 20; i++) observe(no.server, 'l4-fail');
  assert.equal(no.server.health, 'up', 'without observe nothing counts');
  for (const m of [md, fc, sd, no]) m.stop();
});

test('startHealthChecks: real probes, first checks spread, stop() ends them', async () => {
  const srv = net.createServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  const dead = net.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as net.AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  after(() => srv.close());
  const bes = backends(`backend be\n  server up 127.0.0.1:${port} check inter 50ms\n  server dead 127.0.0.1:${deadPort} check inter 50ms\n  server f 127.0.0.1:${port} track dead\n`);
  const checks = startHealthChecks(bes.values(), { spreadChecks: 10 });
  assert.equal(checks.monitors.length, 3);
  await new Promise((r) => setTimeout(r, 300));
  const [up, deadS, f] = bes.get('be')!.servers;
  assert.equal(up!.health, 'up');
  assert.equal(deadS!.health, 'down');
  assert.equal(f!.health, 'down');
  checks.stop();
  const n = lines.length;
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(lines.length, n, 'nothing runs after stop()');
});
