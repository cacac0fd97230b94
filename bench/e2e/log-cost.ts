// bench/e2e/log-cost.ts — what access logging costs each proxy.
// Contract: `node bench/e2e/log-cost.ts [--rounds N=3] [--duration S=5] [--connections C=50]
// [--warmup S=2] [--only haproxy|switchyard] [--target udp|unix|stdout]`.
// Four variants run at once (idle unless measured) on run.ts's mode http config (configs.ts):
// HAProxy and Switchyard, each plain and with `log TARGET local0` + `option httplog` in the
// frontend (the same config for both). Pinned like run.ts: proxy CPU 0, wrk + nginx
// CPU 1; rounds alternate over the variants (each proxy's pair back to back, plain first in
// odd rounds, logging first in even ones). Output: a Markdown table of medians (req/s, CPU
// µs/req, its kernel part) per variant and, per proxy, the cost of logging: 1 − rps(log)/rps(plain)
// of the medians, the same within each round's pair (median and range: steadier when the host's
// speed drifts between rounds), and the growth of CPU µs/req. Process lifetime, temp dir and signals: harness.ts.
// --target udp (default): the log target is a UDP socket bound on 127.0.0.1 that nobody reads (udp-sink.ts): the
// proxy pays its whole send path (system call, loopback delivery up to the full socket,
// where the kernel drops the datagram), as for a syslog server on another host, and no
// reader competes with wrk, nginx or the proxy for the two CPUs (a reading sink did: its
// wakeups and reads were charged to the load generator and distorted both proxies). Per
// round the bench counts the datagrams that reached the socket (kernel drops + queued) so
// the report shows every request was logged.
// --target unix: a local syslog socket as Debian's haproxy.cfg uses (`log /dev/log local0`),
// here a UNIX datagram socket in the run's directory drained by a reader pinned to the load
// generator's CPU (unix-sink.ts: an unread UNIX socket refuses datagrams cheaply, which would
// flatter both proxies).
// --target stdout: `log stdout format raw local0`, as in containers; the proxy's standard
// output is the run's log file for it (a file on the same file system as the temp dir), and
// the bench counts the access-log lines that reached it.
// Exit 0 when every variant was measured, 1 otherwise, 2 on a bad option or a missing tool.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { proxyCfg } from './configs.ts';
import { clkTck } from './cpu.ts';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { benchMain, checkInterrupted, log, measuredRound, type ProxyName, runWrk, startNginx, startProxy, intOpt, onlyOpt } from './harness.ts';
import { describeExit, freePort, logTail, type Proc } from './procs.ts';
import { type ProxyResult, roundLine, summarize } from './report.ts';
import { machineLine, type Tools } from './tools.ts';
import { openUdpSink } from './udp-sink.ts';
import { openUnixSink } from './unix-sink.ts';
import { join } from 'node:path';

interface Options {
  readonly rounds: number;
  readonly duration: number;
  readonly connections: number;
  readonly warmup: number;
  readonly only: ProxyName | null;
  readonly target: 'udp' | 'unix' | 'stdout';
}

const USAGE = 'usage: node bench/e2e/log-cost.ts [--rounds N=3] [--duration S=5] [--connections C=50] [--warmup S=2] [--only haproxy|switchyard] [--target udp|unix|stdout]';

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: { rounds: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' }, warmup: { type: 'string' }, only: { type: 'string' }, target: { type: 'string' } },
  });
  const only = onlyOpt(values.only);
  const target = values.target ?? 'udp';
  if (target !== 'udp' && target !== 'unix' && target !== 'stdout') throw new Error(`--target: expected udp, unix or stdout, got '${target}'`);
  return {
    rounds: intOpt(values.rounds, 'rounds', 3, 1, 100),
    duration: intOpt(values.duration, 'duration', 5, 1, 600),
    connections: intOpt(values.connections, 'connections', 50, 1, 10000),
    warmup: intOpt(values.warmup, 'warmup', 2, 0, 60),
    only,
    target,
  };
}

/** The bench config with the frontend logging every request (HAProxy's httplog line) to `target` (a `log` address). */
export function withLogs(cfg: string, target: string): string {
  const fe = 'frontend fe_bench\n';
  if (cfg.split(fe).length !== 2) throw new Error('log-cost: the bench config has no single frontend fe_bench');
  return cfg.replace(fe, `${fe}    log ${target} local0\n    option httplog\n`);
}

/** How an httplog line of the bench's requests ends (`"GET / HTTP/1.1"`). */
const LINE_END = Buffer.from(' HTTP/1.1"\n');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

/**
 * The loss measured within each round (the two variants of `proxy` ran back to back):
 * "median (min to max)". Less exposed to a host whose speed changes between rounds than
 * the ratio of the medians.
 */
function pairLosses(results: ProxyResult[], proxy: string): string {
  const plain = results.find((r) => r.name === proxy)?.rounds ?? [];
  const logged = results.find((r) => r.name === `${proxy}+log`)?.rounds ?? [];
  const losses: number[] = [];
  for (const a of plain) {
    const b = logged.find((x) => x.round === a.round);
    if (b && a.rps > 0) losses.push((1 - b.rps / a.rps) * 100);
  }
  if (losses.length === 0) return '–';
  const pct = (x: number): string => `${x < 0 ? '−' : ''}${Math.abs(x).toFixed(1)}%`;
  return `${pct(median(losses))} (${pct(Math.min(...losses))} to ${pct(Math.max(...losses))})`;
}

interface Variant {
  readonly proxy: ProxyName;
  readonly logs: boolean;
  readonly port: number;
  readonly proc: Proc;
  readonly result: ProxyResult;
}

async function bench(opts: Options, tools: Tools, dir: string): Promise<number> {
  const proxyCpu = '0';
  const loadCpu = os.cpus().length >= 2 ? '1' : '0';
  const udp = opts.target === 'udp' ? openUdpSink() : null;
  const unix = opts.target === 'unix' ? await openUnixSink(join(dir, 'log.sock'), loadCpu) : null;
  const stdout = new Map<string, number>(); // bytes of each proxy's output already counted
  /** Access-log lines that arrived since the last call (for stdout: in `proc`'s output). */
  const take = async (proc: Proc): Promise<number> => {
    if (udp) return udp.take();
    if (unix) return unix.take();
    // Only what was appended since the last call (a run writes ~100 MB here).
    const seen = stdout.get(proc.logPath) ?? 0;
    const fd = openSync(proc.logPath, 'r');
    try {
      const bytes = Buffer.alloc(Math.max(0, fstatSync(fd).size - seen));
      const n = readSync(fd, bytes, 0, bytes.length, seen);
      stdout.set(proc.logPath, seen + n);
      let lines = 0;
      for (let i = bytes.indexOf(LINE_END); i >= 0 && i < n; i = bytes.indexOf(LINE_END, i + 1)) lines++;
      return lines;
    } finally {
      closeSync(fd);
    }
  };
  const sink = { take, close: (): void => { udp?.close(); unix?.close(); } };
  const logTarget = udp ? `127.0.0.1:${udp.port}` : unix ? unix.path : 'stdout format raw';
  const targetName = udp ? 'UDP' : unix ? 'UNIX socket' : 'stdout';
  try {
    const nginx = await startNginx(tools, dir, loadCpu, opts.connections);
    const wrkRun = { tools, dir, cpu: loadCpu, connections: opts.connections };
    const variants: Variant[] = [];
    const results: ProxyResult[] = [];
    /** Kernel CPU µs per request, per variant and round. */
    const sysUs = new Map<string, number[]>();
    for (const proxy of opts.only === null ? (['haproxy', 'switchyard'] as const) : [opts.only]) {
      for (const logs of [false, true]) {
        checkInterrupted();
        const name = `${proxy}${logs ? '+log' : ''}`;
        const result: ProxyResult = { name, skipped: null, rounds: [] };
        results.push(result);
        const port = await freePort();
        const cfg = proxyCfg('http', port, nginx.port, opts.connections);
        const r = await startProxy(tools, dir, proxy, name, logs ? withLogs(cfg, logTarget) : cfg, port, proxyCpu);
        if ('why' in r) { result.skipped = r.why; log(`SKIPPING ${name}: ${r.why}`); continue; }
        variants.push({ proxy, logs, port, proc: r.proc, result });
        if (opts.warmup > 0) await runWrk(wrkRun, port, opts.warmup, `${name}-warmup`);
      }
    }
    for (let round = 1; round <= opts.rounds; round++) {
      // Each proxy's two variants run back to back, plain first in odd rounds and logging
      // first in even ones: a host whose speed drifts during a pair favours neither.
      const order = (['haproxy', 'switchyard'] as const).flatMap((p) => {
        const pair = variants.filter((v) => v.proxy === p);
        return round % 2 === 1 ? pair : pair.reverse();
      });
      for (const v of order) {
        if (v.result.skipped !== null) continue;
        checkInterrupted();
        await sink.take(v.proc); // what warm-ups and other variants sent
        const { w, cpuUs, sysUs: roundSysUs, busyPct, otherCpuPct } = await measuredRound(wrkRun, v.proc.pid, v.port, opts.duration, `${v.result.name}-${round}`);
        if (v.proc.exit !== null) throw new Error(`${v.result.name} exited (${describeExit(v.proc.exit)}): ${logTail(v.proc, 500)}`);
        await sleep(200); // the last datagrams
        const r = { round, requests: w.requests, rps: w.rps, p50ms: w.p50ms, p99ms: w.p99ms, cpuUsPerReq: cpuUs / Math.max(1, w.requests), errors: w.errors, otherCpuPct, busyPct };
        v.result.rounds.push(r);
        const lines = await sink.take(v.proc);
        const sys = roundSysUs / Math.max(1, w.requests);
        sysUs.set(v.result.name, [...(sysUs.get(v.result.name) ?? []), sys]);
        log(`${roundLine(v.result.name, r)}, kernel ${sys.toFixed(1)} µs/req${v.logs ? `, ${lines} log lines for ${w.requests} requests` : ''}`);
      }
    }
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    const out = ['| proxy | access log | req/s (median) | CPU µs/req | of which kernel | req/s lost to logging | lost, round pairs: median (range) | CPU µs/req added by logging |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
    for (const proxy of ['haproxy', 'switchyard']) {
      const a = summarize(results.find((r) => r.name === proxy)?.rounds ?? []);
      const b = summarize(results.find((r) => r.name === `${proxy}+log`)?.rounds ?? []);
      const ka = median(sysUs.get(proxy) ?? []);
      const kb = median(sysUs.get(`${proxy}+log`) ?? []);
      if (a) out.push(`| ${proxy} | off | ${fmt(a.rps)} | ${a.cpuUsPerReq.toFixed(1)} | ${ka.toFixed(1)} | – | – | – |`);
      if (b) {
        out.push(`| ${proxy} | httplog → ${targetName} | ${fmt(b.rps)} | ${b.cpuUsPerReq.toFixed(1)} | ${kb.toFixed(1)} | ${a ? `${((1 - b.rps / a.rps) * 100).toFixed(1)}%` : '–'} | ` +
          `${pairLosses(results, proxy)} | ` +
          `${a ? `+${(b.cpuUsPerReq - a.cpuUsPerReq).toFixed(1)} (${((b.cpuUsPerReq / a.cpuUsPerReq - 1) * 100).toFixed(1)}%; kernel ${kb - ka < 0 ? '−' : '+'}${Math.abs(kb - ka).toFixed(1)})` : '–'} |`);
      }
    }
    for (const r of results) if (r.skipped !== null) out.push(`- ${r.name} skipped: ${r.skipped}`);
    const other = results.flatMap((r) => r.rounds.map((x) => x.otherCpuPct));
    if (other.length > 0 && Math.max(...other) > 5) out.push(`- other processes used up to ${Math.max(...other).toFixed(0)}% of the machine's CPU time during a round: expect noise`);
    process.stdout.write(
      `\n${out.join('\n')}\n\n${machineLine(tools)}\n` +
        `mode http · ${opts.rounds} alternating rounds × ${opts.duration} s per variant after a ${opts.warmup} s warm-up · \`wrk -t1 -c${opts.connections}\` · ` +
        `proxy on CPU ${proxyCpu}, wrk + nginx on CPU ${loadCpu} · CPU µs/req = proxy utime+stime / requests (CLK_TCK ${clkTck()}) · ` +
        (udp
          ? `logs: \`log 127.0.0.1:PORT local0\` + \`option httplog\` in the frontend, to a bound UDP socket nobody reads ` +
            `(the proxy pays its whole send path, the kernel drops at the full socket; no reader competes for the CPUs) · `
          : unix
            ? `logs: \`log DIR/log.sock local0\` + \`option httplog\` in the frontend, a UNIX datagram socket (as /dev/log) drained every 2 ms ` +
              `by a reader on CPU ${loadCpu} · `
            : `logs: \`log stdout format raw local0\` + \`option httplog\` in the frontend, the proxy's output going to a file · `) +
        `ratio = 1 − req/s(log) / req/s(plain), same run, same config\n`,
    );
    return results.every((r) => r.skipped === null && r.rounds.length > 0) ? 0 : 1;
  } finally {
    sink.close();
  }
}

benchMain(USAGE, parseOptions, bench);
