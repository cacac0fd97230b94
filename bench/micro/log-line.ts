// bench/micro/log-line.ts — the CPU cost of one access-log line, in the process that logs it.
// Contract: `node bench/micro/log-line.ts [--n 200000] [--rounds 5]`. Builds the `option
// httplog` access log of a frontend (createAccessLog) with a UDP target, and per line does what
// a stream does when a transaction ends: TxnLog.finish() builds the record, write() formats it
// and queues one datagram (lines leave together 1 ms after the first one or when the batch is full, src/lb/log/dgram-batch.ts;
// the loop yields every 256 lines). Passes: the receiver is another process that reads (its
// work is not counted here); a bound socket nobody reads (bench/e2e/udp-sink.ts: the kernel
// drops at the full socket, as in bench/e2e/log-cost.ts); a port where nothing listens; no
// send at all; and an fd target on /dev/null in format raw (the byte path into an fd sink).
// Prints user and system CPU µs per line (median over rounds): user is our
// JavaScript, system mostly the kernel's send path.
// Pin it (`taskset -c 0`) for steadier figures. Stops its receiver by PID.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAccessLog } from '../../src/lb/log/access-log.ts';
import { closeLogSinks, logCounters } from '../../src/lb/log/sinks.ts';
import { defaultProxyLog } from '../../src/lb/log/types.ts';
import { TxnLog } from '../../src/lb/core/txn-log.ts';
import { openUdpSink } from '../e2e/udp-sink.ts';

const { values } = parseArgs({ options: { n: { type: 'string' }, rounds: { type: 'string' } } });
/** Third pass: a target whose level filter refuses every line (record and format only, no syslog line, no send). */
const N = Number(values.n ?? 200_000);
const ROUNDS = Number(values.rounds ?? 5);

const RECEIVER = `const d=require('node:dgram').createSocket('udp4');let n=0;d.on('message',()=>n++);
d.bind(0,'127.0.0.1',()=>process.stdout.write(d.address().port+'\\n'));process.on('SIGTERM',()=>{process.stdout.write(n+'\\n');process.exit(0)});`;

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  s.close();
  return p;
}

const ends = { remoteAddress: '127.0.0.1', remotePort: 45678, localAddress: '127.0.0.1', localPort: 8080 };
const srvEnds = { address: '127.0.0.1', port: 8081, localAddress: '127.0.0.1', localPort: 51234 };
const src = { feName: 'fe_bench', mode: 'http' as const, actconn: () => 50, feconn: () => 50 };
const backend = { name: 'be_bench', beconn: 0 };

/** `port`: a UDP target; `fd`: instead an fd target in format raw (as `log stdout format raw`). */
async function measure(port: number, maxLevel = 7, fd: number | null = null): Promise<{ user: number; sys: number }> {
  const target = fd === null
    ? { text: `127.0.0.1:${port}`, address: { kind: 'udp' as const, host: '127.0.0.1', port, family: 4 as const }, format: 'local' as const }
    : { text: `fd@${fd}`, address: { kind: 'fd' as const, fd }, format: 'raw' as const };
  const log = createAccessLog({
    name: 'fe_bench', mode: 'http', cap: { frontend: true, backend: false },
    log: { ...defaultProxyLog(), formatKind: 'httplog', targets: [{ ...target, formatExplicit: fd !== null, facility: 16, maxLevel, minLevel: 0, maxLen: 1024, sample: null }] },
    options: { tcplog: false, dontlognull: false },
  }, undefined);
  const users: number[] = [];
  const syss: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const lg = new TxnLog(ends);
      lg.requestStarts();
      lg.tHead = lg.tGranted = lg.tSent = lg.tResp = performance.now();
      lg.reused = true;
      lg.status = 200;
      lg.bytesIn = 78;
      lg.bytesOut = 160;
      // lg.requestLine stays '', as an HTTP stream leaves it: the line is written from the parts.
      lg.method = 'GET';
      lg.uri = '/';
      lg.version = 'HTTP/1.1';
      const rec = lg.finish(src, ends, backend, null, srvEnds, '--', 0, false);
      rec.hr = [];
      rec.hs = [];
      log.write(rec);
      // Let libuv run now and then, as the event loop would between requests (an fd target's
      // writes leave every 10 ms: a real millisecond between bursts keeps its backlog bounded).
      if (i % 256 === 255) await new Promise((res) => (fd === null ? setImmediate(res) : setTimeout(res, 1)));
    }
    const c = process.cpuUsage(c0);
    users.push(c.user / N);
    syss.push(c.system / N);
  }
  closeLogSinks();
  const med = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  return { user: med(users), sys: med(syss) };
}

const rx = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
rx.stdout.on('data', (d: Buffer) => { out += d.toString(); });
while (!out.includes('\n')) await sleep(10);
const rxPort = Number(out.trim());
const sent0 = logCounters.sent;
const listening = await measure(rxPort);
const sent = logCounters.sent - sent0;
rx.kill('SIGTERM');
await sleep(300);
const received = Number(out.trim().split('\n')[1] ?? NaN);
const unread = openUdpSink();
const silent = await measure(unread.port);
const silentGot = unread.take();
unread.close();
const nobody = await measure(await freeUdpPort());
const unsent = await measure(await freeUdpPort(), 0);
const devNull = openSync('/dev/null', 'w');
const toFd = await measure(0, 7, devNull);
closeSync(devNull);
process.stdout.write(
  `| receiver | user µs/line | system µs/line | total µs/line |\n| --- | ---: | ---: | ---: |\n` +
  `| a process listening (${received} of ${sent} datagrams received) | ${listening.user.toFixed(2)} | ${listening.sys.toFixed(2)} | ${(listening.user + listening.sys).toFixed(2)} |\n` +
  `| a bound socket nobody reads (${silentGot} datagrams reached it) | ${silent.user.toFixed(2)} | ${silent.sys.toFixed(2)} | ${(silent.user + silent.sys).toFixed(2)} |\n` +
  `| nothing listening (ICMP port unreachable) | ${nobody.user.toFixed(2)} | ${nobody.sys.toFixed(2)} | ${(nobody.user + nobody.sys).toFixed(2)} |\n` +
  `| none: the record and the format only (a level filter drops the line) | ${unsent.user.toFixed(2)} | ${unsent.sys.toFixed(2)} | ${(unsent.user + unsent.sys).toFixed(2)} |\n` +
  `| an fd target on /dev/null, format raw (as \`log stdout format raw\`) | ${toFd.user.toFixed(2)} | ${toFd.sys.toFixed(2)} | ${(toFd.user + toFd.sys).toFixed(2)} |\n` +
  `${N} lines × ${ROUNDS} rounds, median per line · node ${process.version}\n`,
);
