// bench/e2e/failure-drill.ts — kill one of three backends under load (issue 4's failure drill).
//
//   node_modules/node/bin/node bench/e2e/failure-drill.ts [--duration S] [--kill-at S]
//        [--connections C] [--delay MS] [--only switchyard|haproxy] [--json]
//
// Contract: for each proxy (Switchyard, and HAProxy 2.6 when installed) and each of two
// configurations, starts three node:http backends as separate processes (each answers
// 200 "sN\n" after --delay ms, keep-alive), the proxy in front of them (balance
// roundrobin, `retries 3`, `option redispatch`, TCP health checks `inter 500ms fall 2 rise 2`),
// and a load generator in this process: C keep-alive connections sending idempotent GETs
// back to back for --duration seconds. At --kill-at seconds it SIGKILLs backend s2 (a
// process kill: its in-flight requests and pooled connections die with it). It reports:
// requests completed, failed requests (non-2xx status, or a socket error / timeout on the
// client side) with the reasons, requests served per backend, the slowest request, and the
// time from the kill until the proxy logged "Server be/s2 is DOWN".
//
// The two configurations:
//   default  — retry-on left at its default (conn-failure): a request already sent to s2
//              when it dies has no answer and is not retried (HAProxy's default too);
//   retry-on — `retry-on conn-failure empty-response response-timeout`: such requests are
//              replayed on another server (only for servers that tolerate replays; GETs here).
//
// Every process is started and stopped by PID (bench/e2e/procs.ts); temp files are removed.
// Not part of `npm test`: it takes ~1 min and its numbers go to bench/README.md.
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchArgs, cliOptions, intOpt, onlyOpt, type ProxyName, UsageError } from './harness.ts';
import { freePort, killAllSync, logTail, start, stop, stopAll, waitReady, type Proc } from './procs.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SWITCHYARD = join(ROOT, 'bin', 'switchyard');
const HAPROXY = '/usr/sbin/haproxy';

interface Options { duration: number; killAt: number; connections: number; delay: number; only: ProxyName | null; json: boolean }

const USAGE =
  'usage: node bench/e2e/failure-drill.ts [--duration S=8] [--kill-at S=3]\n' +
  '         [--connections C=50] [--delay MS=2] [--only switchyard|haproxy] [--json]';

function parseOptions(argv: string[]): Options {
  const { values, json } = benchArgs(argv, USAGE, ['duration', 'kill-at', 'connections', 'delay', 'only']);
  const o: Options = {
    duration: intOpt(values.duration, 'duration', 8, 1, 3600),
    killAt: intOpt(values['kill-at'], 'kill-at', 3, 0, 3600),
    connections: intOpt(values.connections, 'connections', 50, 1, 10000),
    delay: intOpt(values.delay, 'delay', 2, 0, 60000),
    only: onlyOpt(values.only),
    json,
  };
  if (o.killAt >= o.duration) throw new UsageError('--kill-at must be below --duration');
  return o;
}

const BACKEND_JS = `
const http = require('node:http');
const [name, port, delay] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const body = name + '\\n';
http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.resume();
  setTimeout(() => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); }, delay);
}).listen(port, '127.0.0.1');
`;

type Variant = 'default' | 'retry-on';

function config(bind: number, ports: number[], variant: Variant): string {
  return `global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 20s
  timeout server 20s
  timeout queue 20s
  retries 3
  option redispatch
${variant === 'retry-on' ? '  retry-on conn-failure empty-response response-timeout\n' : ''}frontend fe
  bind 127.0.0.1:${bind}
  default_backend be
backend be
  balance roundrobin
${ports.map((p, i) => `  server s${i + 1} 127.0.0.1:${p} check inter 500ms fall 2 rise 2`).join('\n')}
`;
}

interface Result {
  proxy: string;
  variant: Variant;
  requests: number;
  failed: number;
  reasons: Record<string, number>;
  perServer: Record<string, number>;
  /** Failed requests by the time they were sent, relative to the kill (ms). */
  failedAtMs: number[];
  maxLatencyMs: number;
  downAfterMs: number | null;
  killedInflight: number;
}

async function drill(proxy: 'switchyard' | 'haproxy', variant: Variant, o: Options, dir: string): Promise<Result> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const backends: Proc[] = ports.map((p, i) => start(`s${i + 1}`, [process.execPath, '-e', BACKEND_JS, `s${i + 1}`, String(p), String(o.delay)], join(dir, `${proxy}-${variant}-s${i + 1}.log`)));
  for (const [i, b] of backends.entries()) {
    const why = await waitReady(b, ports[i]!, 10_000);
    if (why) throw new Error(why);
  }
  const bind = await freePort();
  const cfg = join(dir, `${proxy}-${variant}.cfg`);
  writeFileSync(cfg, config(bind, ports, variant));
  const logPath = join(dir, `${proxy}-${variant}.log`);
  const px = start(proxy, proxy === 'haproxy' ? [HAPROXY, '-db', '-f', cfg] : [SWITCHYARD, '-db', '-f', cfg], logPath);
  const why = await waitReady(px, bind, 15_000);
  if (why) throw new Error(`${why}\n${logTail(px)}`);
  await sleep(1200); // first checks done, every server UP

  const res: Result = { proxy, variant, requests: 0, failed: 0, reasons: {}, perServer: {}, failedAtMs: [], maxLatencyMs: 0, downAfterMs: null, killedInflight: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const t0 = Date.now();
  const end = t0 + o.duration * 1000;
  let killedAt = 0;
  const fail = (why: string, sentAt: number): void => {
    res.failed++;
    res.reasons[why] = (res.reasons[why] ?? 0) + 1;
    res.failedAtMs.push(killedAt ? sentAt - killedAt : sentAt - (t0 + o.killAt * 1000));
  };
  const one = (): Promise<void> => new Promise((done) => {
    const sentAt = Date.now();
    const req = http.get({ host: '127.0.0.1', port: bind, path: '/item', agent, timeout: 15_000 }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => { body += d; });
      r.on('end', () => {
        res.requests++;
        res.maxLatencyMs = Math.max(res.maxLatencyMs, Date.now() - sentAt);
        if (r.statusCode !== undefined && r.statusCode >= 200 && r.statusCode < 300) {
          const s = body.trim();
          res.perServer[s] = (res.perServer[s] ?? 0) + 1;
        } else fail(`HTTP ${r.statusCode}`, sentAt);
        done();
      });
      r.on('error', (e) => { res.requests++; fail(`response ${(e as NodeJS.ErrnoException).code ?? e.message}`, sentAt); done(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => { res.requests++; fail(`socket ${(e as NodeJS.ErrnoException).code ?? e.message}`, sentAt); done(); });
  });
  const loop = async (): Promise<void> => { while (Date.now() < end) await one(); };
  const killer = (async () => {
    await sleep(o.killAt * 1000);
    killedAt = Date.now();
    backends[1]!.child.kill('SIGKILL');
    // time until the proxy says s2 is DOWN (polling its log)
    while (Date.now() - killedAt < 10_000) {
      let text = '';
      try { text = readFileSync(logPath, 'utf8'); } catch { /* not yet */ }
      if (/Server be\/s2 is DOWN/.test(text)) { res.downAfterMs = Date.now() - killedAt; break; }
      await sleep(10);
    }
  })();
  await Promise.all([...Array.from({ length: o.connections }, loop), killer]);
  agent.destroy();
  await stop(px);
  for (const b of backends) await stop(b);
  return res;
}

function table(results: Result[], o: Options): string {
  const lines = [
    '| proxy | config | requests | failed | failure reasons | per backend (s1/s2/s3) | slowest | s2 DOWN after kill |',
    '| --- | --- | ---: | ---: | --- | --- | ---: | ---: |',
  ];
  for (const r of results) {
    const reasons = Object.entries(r.reasons).map(([k, v]) => `${k} ×${v}`).join(', ') || '—';
    const per = ['s1', 's2', 's3'].map((s) => r.perServer[s] ?? 0).join(' / ');
    lines.push(`| ${r.proxy} | ${r.variant} | ${r.requests.toLocaleString('en')} | ${r.failed} | ${reasons} | ${per} | ${r.maxLatencyMs} ms | ${r.downAfterMs === null ? 'not seen' : `${r.downAfterMs} ms`} |`);
  }
  lines.push('', `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} · ${o.connections} keep-alive connections, GET back to back for ${o.duration} s, backends answer after ${o.delay} ms, s2 SIGKILLed at ${o.killAt} s · retries 3, option redispatch, check inter 500ms fall 2 rise 2 · node ${process.version}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const o = cliOptions(USAGE, parseOptions);
  if (o === null) {
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sy-drill-'));
  const onSignal = (): void => { killAllSync(); rmSync(dir, { recursive: true, force: true }); process.exit(130); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllSync);
  const proxies: ('switchyard' | 'haproxy')[] = [];
  if (o.only !== 'haproxy') proxies.push('switchyard');
  let haveHaproxy = true;
  try { readFileSync(HAPROXY); } catch { haveHaproxy = false; }
  if (o.only !== 'switchyard') {
    if (haveHaproxy) proxies.push('haproxy');
    else console.error(`${HAPROXY} is absent: HAProxy not measured (Debian package 'haproxy')`);
  }
  const results: Result[] = [];
  try {
    for (const variant of ['default', 'retry-on'] as Variant[]) {
      for (const p of proxies) {
        const r = await drill(p, variant, o, dir);
        const early = r.failedAtMs.length ? ` (sent ${Math.min(...r.failedAtMs)}…${Math.max(...r.failedAtMs)} ms after the kill)` : '';
        console.error(`${p} ${variant}: ${r.requests} requests, ${r.failed} failed${early}, s2 DOWN after ${r.downAfterMs ?? '?'} ms`);
        results.push(r);
      }
    }
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(table(results, o));
  if (o.json) console.log(JSON.stringify(results));
}

await main();
