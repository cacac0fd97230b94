// bench/e2e/reload-drill.ts — reloads under full load in master-worker mode.
//
//   node_modules/node/bin/node bench/e2e/reload-drill.ts [--duration 60] [--reloads 100]
//        [--connections 50] [--signal-every 5] [--only switchyard|haproxy] [--json]
//
// Contract: for each proxy (Switchyard, and HAProxy 2.6 when installed) starts nginx as the
// backend, the proxy with `-W -S <dir>/master.sock` on the e2e bench's config (configs.ts),
// and `wrk -t1 -c C -d D --latency` at full speed. While wrk runs, it asks N reloads
// spread evenly over the first 90% of the run: every --signal-every-th one by SIGUSR2 to
// the master, the others by `reload` on the master CLI. After each it polls `show proc`
// until the current worker's PID changes (10 s at most); a reload starts only when the
// previous one has produced its worker, so a slow reload delays the next ones (reported:
// 'late', and how many finished while wrk was still running).
// It reports req/s, wrk's socket errors (connect/read/write/timeout), non-2xx responses,
// how many reloads produced a new worker and the slowest reload, and exits 1 when wrk saw
// any error or a reload produced no new worker.
//
// Every process is started and stopped by PID (procs.ts); temp files are removed.
// Not part of `npm test`; its numbers go to bench/README.md.
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchArgs, cliOptions, intOpt, onlyOpt, type ProxyName } from './harness.ts';
import { freePort, killAllSync, logTail, start, stop, stopAll, waitReady, type Proc } from './procs.ts';
import { nginxConf, proxyCfg } from './configs.ts';
import { findTools } from './tools.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SWITCHYARD = join(ROOT, 'bin', 'switchyard');

interface Options { duration: number; reloads: number; connections: number; signalEvery: number; only: ProxyName | null; json: boolean }

const USAGE =
  'usage: node bench/e2e/reload-drill.ts [--duration 60] [--reloads 100]\n' +
  '         [--connections 50] [--signal-every 5] [--only switchyard|haproxy] [--json]';

function parseOptions(argv: string[]): Options {
  const { values, json } = benchArgs(argv, USAGE, ['duration', 'reloads', 'connections', 'signal-every', 'only']);
  return {
    duration: intOpt(values.duration, 'duration', 60, 2, 3600),
    reloads: intOpt(values.reloads, 'reloads', 100, 0, 100000),
    connections: intOpt(values.connections, 'connections', 50, 1, 10000),
    signalEvery: intOpt(values['signal-every'], 'signal-every', 5, 0, 100000),
    only: onlyOpt(values.only),
    json,
  };
}

/** One command on the master CLI; resolves with the answer (empty if the peer just closed). */
function mcli(path: string, line: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(path);
    let out = '';
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.setEncoding('utf8');
    s.on('data', (d: string) => { out += d; });
    s.on('connect', () => s.end(`${line}\n`));
    s.on('error', () => { /* resolved on close */ });
    s.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

async function currentWorker(sock: string): Promise<number | null> {
  const text = await mcli(sock, 'show proc', 5000);
  const m = /\n# workers\n(\d+) /.exec(text);
  return m ? Number(m[1]) : null;
}

interface Result {
  proxy: string;
  requests: number;
  rps: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
  reloadsAsked: number;
  bySignal: number;
  newWorkers: number;
  slowestReloadMs: number;
  lateReloads: number;
  /** Reloads whose new worker was serving before wrk stopped. */
  underLoad: number;
}

async function drill(name: string, argv0: string, o: Options, wrkPath: string, nginxPath: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-reload-drill-'));
  try {
    const nginxPort = await freePort();
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, nginxPort, o.connections));
    const nginx = start('nginx', [nginxPath, '-c', join(dir, 'nginx.conf'), '-p', dir], join(dir, 'nginx.log'));
    const why = await waitReady(nginx, nginxPort, 10_000);
    if (why) throw new Error(`${why}\n${logTail(nginx)}`);
    const cfg = join(dir, 'proxy.cfg');
    writeFileSync(cfg, proxyCfg('http', port, nginxPort, o.connections));
    const sock = join(dir, 'master.sock');
    const proxy: Proc = start(name, [argv0, '-W', '-S', sock, '-f', cfg], join(dir, 'proxy.log'));
    const why2 = await waitReady(proxy, port, 20_000);
    if (why2) throw new Error(`${why2}\n${logTail(proxy)}`);
    let worker = null as number | null;
    for (let i = 0; i < 100 && worker === null; i++) { worker = await currentWorker(sock); if (worker === null) await sleep(100); }
    if (worker === null) throw new Error(`${name}: no worker in show proc\n${logTail(proxy)}`);

    const wrkLog = join(dir, 'wrk.log');
    const wrk = start('wrk', [wrkPath, '-t1', `-c${o.connections}`, `-d${o.duration}s`, '--latency', `http://127.0.0.1:${port}/`], wrkLog);
    const t0 = Date.now();
    const window = o.duration * 900;
    let newWorkers = 0;
    let bySignal = 0;
    let slowest = 0;
    let late = 0;
    let underLoad = 0;
    for (let i = 0; i < o.reloads; i++) {
      const at = t0 + ((i + 0.5) * window) / o.reloads;
      if (Date.now() < at) await sleep(at - Date.now());
      else if (i > 0) late++;
      const before: number | null = worker;
      const r0 = Date.now();
      if (o.signalEvery > 0 && i % o.signalEvery === o.signalEvery - 1) {
        process.kill(proxy.pid, 'SIGUSR2');
        bySignal++;
      } else {
        await mcli(sock, 'reload');
      }
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const w = await currentWorker(sock);
        if (w !== null && w !== before) {
          worker = w;
          newWorkers++;
          if (wrk.exit === null) underLoad++;
          break;
        }
        await sleep(50);
      }
      slowest = Math.max(slowest, Date.now() - r0);
    }
    await wrk.exited;
    const text = readFileSync(wrkLog, 'utf8');
    const total = /(\d+) requests in/.exec(text);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
    const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
    if (!total || !rps) throw new Error(`wrk output not understood:\n${text}`);
    await stop(proxy);
    await stop(nginx);
    return {
      proxy: name,
      requests: Number(total[1]),
      rps: Number(rps[1]),
      socketErrors: {
        connect: Number(sockErr?.[1] ?? 0), read: Number(sockErr?.[2] ?? 0),
        write: Number(sockErr?.[3] ?? 0), timeout: Number(sockErr?.[4] ?? 0),
      },
      non2xx: Number(non2xx?.[1] ?? 0),
      reloadsAsked: o.reloads,
      bySignal,
      newWorkers,
      slowestReloadMs: slowest,
      lateReloads: late,
      underLoad,
    };
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const o = cliOptions(USAGE, parseOptions);
  if (o === null) return 2;
  const found = findTools();
  if (!('tools' in found)) {
    console.error(`missing tools: ${found.missing.join(', ')} (apt-get install ${found.packages.join(' ')})`);
    return 2;
  }
  const { tools } = found;
  const runs: [string, string][] = [];
  if (o.only !== 'haproxy') runs.push(['switchyard', SWITCHYARD]);
  if (o.only !== 'switchyard') runs.push(['haproxy', tools.haproxy]);
  const results: Result[] = [];
  for (const [name, bin] of runs) results.push(await drill(name, bin, o, tools.wrk, tools.nginx));
  let bad = false;
  if (o.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`reload drill: wrk -t1 -c${o.connections} -d${o.duration}s, ${o.reloads} reloads (every ${o.signalEvery || '-'}th by SIGUSR2, others by the master CLI)`);
    console.log('| proxy | req/s | requests | socket errors (connect/read/write/timeout) | non-2xx | new workers / reloads | of them during wrk | slowest reload | late reloads |');
    console.log('| --- | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |');
    for (const r of results) {
      const e = r.socketErrors;
      console.log(`| ${r.proxy} | ${Math.round(r.rps)} | ${r.requests} | ${e.connect}/${e.read}/${e.write}/${e.timeout} | ${r.non2xx} | ${r.newWorkers}/${r.reloadsAsked} (${r.bySignal} by SIGUSR2) | ${r.underLoad} | ${r.slowestReloadMs} ms | ${r.lateReloads} |`);
    }
  }
  for (const r of results) {
    const e = r.socketErrors;
    if (e.connect + e.read + e.write + e.timeout + r.non2xx > 0 || r.newWorkers !== r.reloadsAsked) bad = true;
  }
  return bad ? 1 : 0;
}

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { killAllSync(); process.exit(130); });
main().then((code) => { process.exitCode = code; }, (e: unknown) => { console.error(e); process.exitCode = 2; });
