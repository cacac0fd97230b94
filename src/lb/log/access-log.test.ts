// createAccessLog end to end inside one process: real UDP sinks to a receiver here.
process.env.TZ = 'UTC';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { createAccessLog, type AccessLogProxy } from './access-log.ts';
import { closeLogSinks, logCounters } from './sinks.ts';
import { parseLogLine } from './target.ts';
import { defaultProxyLog, type GlobalLogSettings, type LogTarget } from './types.ts';
import { fixedRecord } from './test-record.ts';

after(() => closeLogSinks());

const open: dgram.Socket[] = [];
after(() => { for (const s of open) { try { s.close(); } catch { /* closed */ } } });

async function receiver(): Promise<{ port: number; lines: string[]; next(n: number): Promise<string[]>; close(): void }> {
  const s = dgram.createSocket('udp4');
  open.push(s);
  const lines: string[] = [];
  s.on('message', (m) => lines.push(m.toString()));
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return {
    port: s.address().port,
    lines,
    async next(n: number): Promise<string[]> {
      const end = Date.now() + 2000;
      while (lines.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      return lines.splice(0, lines.length);
    },
    close: () => { try { s.close(); } catch { /* closed */ } },
  };
}

function target(line: string): LogTarget {
  const r = parseLogLine(line.split(' '));
  assert.ok(r.ok && !r.global);
  return r.target;
}

function proxy(over: Partial<AccessLogProxy['log']>, opts: Partial<AccessLogProxy['options']> = {}, mode: 'tcp' | 'http' = 'http'): AccessLogProxy {
  return { name: 'fe', mode, cap: { frontend: true, backend: true }, log: { ...defaultProxyLog(), ...over }, options: { tcplog: false, dontlognull: false, ...opts } };
}

test('httplog to a UDP target, log global resolved, local format header', async () => {
  const rx = await receiver();
  const g: GlobalLogSettings = { targets: [target(`log 127.0.0.1:${rx.port} local0`)] };
  const log = createAccessLog(proxy({ targets: ['global'], formatKind: 'httplog' }), g);
  assert.equal(log.enabled, true);
  assert.equal(log.atAccept, false);
  log.write(fixedRecord());
  const [l] = await rx.next(1);
  assert.match(l!, new RegExp(`^<134>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d switchyard\\[${process.pid}\\]: 127\\.0\\.0\\.1:49764 \\[22/Nov/2026:08:52:47\\.813\\] fe be/s1 1/0/3/9/15 200 123 - - ---- 1/1/0/0/0 0/0 "GET /a/b\\?x=1 HTTP/1\\.1"\\n$`));
  rx.close();
});

test('default format: "Connect from" at accept; disabled without targets or in a backend', async () => {
  const rx = await receiver();
  const t = target(`log 127.0.0.1:${rx.port} format raw local0`);
  const log = createAccessLog(proxy({ targets: [t] }), undefined);
  assert.equal(log.atAccept, true);
  log.write(fixedRecord());
  log.write(fixedRecord({ mode: 'tcp' }));
  assert.deepEqual(await rx.next(2), ['Connect from 127.0.0.1:49764 to 127.0.0.1:19080 (fe/HTTP)\n', 'Connect from 127.0.0.1:49764 to 127.0.0.1:19080 (fe/TCP)\n']);
  assert.equal(createAccessLog(proxy({ targets: ['global'] }), undefined).enabled, false);
  assert.equal(createAccessLog({ ...proxy({ targets: [t] }), cap: { frontend: false, backend: true } }, undefined).enabled, false);
  // option tcplog set by the proxy parser alone selects the tcplog format.
  const tcp = createAccessLog(proxy({ targets: [t] }, { tcplog: true }, 'tcp'), undefined);
  tcp.write(fixedRecord({ mode: 'tcp' }));
  assert.match((await rx.next(1))[0]!, /^127\.0\.0\.1:49764 \[22\/Nov\/2026:08:52:47\.802\] fe be\/s1 0\/3\/17 123 -- 1\/1\/0\/0\/0 0\/0\n$/);
  rx.close();
});

test('dontlognull, log-separate-errors, error-log-format, levels, sample, len, sd', async () => {
  const rx = await receiver();
  const P = rx.port;
  const raw = target(`log 127.0.0.1:${P} format short local0`);
  const log = createAccessLog(proxy({ targets: [raw], formatKind: 'custom', format: '%ST', separateErrors: true, errorFormat: 'E%ST' }, { dontlognull: true }), undefined);
  log.write(fixedRecord({ U: 0, r: '' })); // a null connection: not logged
  log.write(fixedRecord());
  log.write(fixedRecord({ ST: 503 }));
  log.write(fixedRecord({ ts: 'cD' }));
  log.write(fixedRecord({ rc: 1 }));
  log.write(fixedRecord({ ts: 'LR' }));
  assert.deepEqual(await rx.next(5), ['<6>200\n', '<3>E503\n', '<3>E200\n', '<3>E200\n', '<6>200\n']);

  // level filter (only err and more severe), minimum level cap (err capped to warning).
  const onlyErr = target(`log 127.0.0.1:${P} format short local0 err`);
  const capped = target(`log 127.0.0.1:${P} format short local0 debug warning`);
  const l2 = createAccessLog(proxy({ targets: [onlyErr], formatKind: 'custom', format: 'x', separateErrors: true }), undefined);
  l2.write(fixedRecord());
  l2.write(fixedRecord({ ST: 500 }));
  assert.deepEqual(await rx.next(1), ['<3>x\n']);
  const l3 = createAccessLog(proxy({ targets: [capped], formatKind: 'custom', format: 'y', separateErrors: true }), undefined);
  l3.write(fixedRecord({ ST: 500 }));
  l3.write(fixedRecord());
  assert.deepEqual(await rx.next(2), ['<4>y\n', '<6>y\n']);

  // sample 1,3:4 → lines 1, 3, 5, 7 of every 4.
  const sampled = target(`log 127.0.0.1:${P} sample 1,3:4 format raw local0`);
  const l4 = createAccessLog(proxy({ targets: [sampled], formatKind: 'custom', format: '%lc' }), undefined);
  for (let i = 0; i < 8; i++) l4.write(fixedRecord());
  assert.deepEqual(await rx.next(4), ['0\n', '2\n', '4\n', '6\n']);

  // len 80 on sockets; rfc5424 gets the structured data, the raw target does not.
  const short = target(`log 127.0.0.1:${P} len 80 format raw local0`);
  const r5424 = target(`log 127.0.0.1:${P} format rfc5424 local0`);
  const l5 = createAccessLog(proxy({ targets: [short, r5424], formatKind: 'custom', format: 'a'.repeat(100), sdFormat: '[x@1 s="%ST"]' }), { targets: [], sendHostname: 'edge', tag: 'sy' });
  l5.write(fixedRecord());
  const got = await rx.next(2);
  assert.equal(got[0], 'a'.repeat(79) + '\n');
  assert.match(got[1]!, new RegExp(`^<134>1 \\S+ edge sy ${process.pid} - \\[x@1 s="200"\\] a{100}\\n$`));
  rx.close();
});

test('log-send-hostname switches the implicit format to rfc3164; errors are counted, never thrown', async () => {
  const rx = await receiver();
  const t = target(`log 127.0.0.1:${rx.port} local0`);
  const log = createAccessLog(proxy({ targets: [t], formatKind: 'custom', format: 'm', tag: 'www' }), { targets: [], sendHostname: 'h1' });
  log.write(fixedRecord());
  assert.match((await rx.next(1))[0]!, /^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d h1 www\[\d+\]: m\n$/);
  rx.close();
  const before = logCounters.errors + logCounters.sent;
  // A target nobody listens on: ICMP errors may be counted; nothing throws.
  const dead = createAccessLog(proxy({ targets: [target('log 127.0.0.1:9 local0')], formatKind: 'custom', format: 'z' }), undefined);
  dead.write(fixedRecord());
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(logCounters.errors + logCounters.sent > before);
});

test('fd target: lines written in place, whole (a line past the in-place room takes the string path), in order', async () => {
  const { mkdtempSync, openSync, closeSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(mkdtempSync(join(tmpdir(), 'sy-fdlog-')), 'out.log');
  const fd = openSync(file, 'w');
  const log = createAccessLog(proxy({ targets: [target(`log fd@${fd} format raw local0`)], formatKind: 'custom', format: '%ST %{+Q}r %B' }), undefined);
  const huge = 'GET /' + 'a'.repeat(70 * 1024) + ' HTTP/1.1';
  const want: string[] = [];
  const sent0 = logCounters.sent;
  for (let i = 0; i < 2000; i++) {
    const r = i === 1000 ? huge : `GET /${i} HTTP/1.1`;
    log.write(fixedRecord({ r, B: i }));
    want.push(`200 "${r}" ${i}\n`);
  }
  const end = Date.now() + 3000;
  while (logCounters.sent - sent0 < 2000 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  closeSync(fd);
  assert.equal(readFileSync(file, 'utf8'), want.join(''));
  assert.equal(logCounters.sent - sent0, 2000, 'every line counted once, in-place ones included');
});

test('a format with a sample is evaluated once per line, whatever the number of targets (samples may have effects)', async () => {
  const [a, b] = [await receiver(), await receiver()];
  let calls = 0;
  const targets = [target(`log 127.0.0.1:${a.port} format raw local0`), target(`log 127.0.0.1:${b.port} format raw local0`)];
  const log = createAccessLog(proxy({ targets, formatKind: 'custom', format: 'n=%[x] %ST' }), undefined, { compileSample: () => () => String(++calls) });
  log.write(fixedRecord());
  log.write(fixedRecord());
  assert.deepEqual(await a.next(2), ['n=1 200\n', 'n=2 200\n']);
  assert.deepEqual(await b.next(2), ['n=1 200\n', 'n=2 200\n']);
  assert.equal(calls, 2);
  a.close();
  b.close();
});
