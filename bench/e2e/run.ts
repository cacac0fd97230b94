// bench/e2e/run.ts — end-to-end benchmark: HAProxy vs Switchyard on one haproxy.cfg.
// Contract: `node bench/e2e/run.ts [--rounds N] [--duration S] [--connections C]
// [--warmup S] [--mode tcp|http] [--only haproxy|switchyard] [--json]`.
// Starts nginx (CPU 1) as the backend, runs `haproxy -db -f cfg` and `bin/switchyard -db -f cfg`
// (CPU 0) on the same config text (only the bind port differs), warms each up, then alternates
// wrk rounds A B A B … (wrk on CPU 1) and prints a Markdown table of medians to stdout
// (progress goes to stderr; with --json a one-line JSON result follows the table).
// A proxy that cannot start or serve the config is reported and skipped, not fatal.
// Exit: 0 when at least one proxy was measured, 1 when none was or on error, 2 when a tool is
// missing or the options are bad. Installs nothing; traffic goes to 127.0.0.1 only; every
// process it starts is stopped by PID and its temp dir removed, also on SIGINT/SIGTERM.
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Mode, proxyCfg, rebind } from './configs.ts';
import { clkTck, loadMark, otherLoadPct } from './cpu.ts';
import { benchArgs, benchMain, checkInterrupted, log, measuredRound, type ProxyName, runWrk, startNginx, startProxy as launch, SWITCHYARD_BIN, UsageError, intOpt, onlyOpt } from './harness.ts';
import { describeExit, freePort, logTail, type Proc } from './procs.ts';
import { markdown, type ProxyResult, roundLine, summarize } from './report.ts';
import { machineLine, type Tools } from './tools.ts';
import type { WrkResult } from './wrk.ts';

interface Options {
  readonly rounds: number;
  readonly duration: number;
  readonly connections: number;
  readonly warmup: number;
  readonly mode: Mode;
  readonly only: ProxyName | null;
  readonly json: boolean;
}

const USAGE =
  'usage: node bench/e2e/run.ts [--rounds N=3] [--duration S=10] [--connections C=50] [--warmup S=2]\n' +
  '                             [--mode tcp|http] [--only haproxy|switchyard] [--json]';

function parseOptions(argv: string[]): Options {
  const { values, json } = benchArgs(argv, USAGE, ['rounds', 'duration', 'connections', 'warmup', 'mode', 'only']);
  const mode = values.mode ?? 'tcp';
  if (mode !== 'tcp' && mode !== 'http') throw new UsageError('--mode must be tcp or http');
  const only = onlyOpt(values.only);
  return {
    rounds: intOpt(values.rounds, 'rounds', 3, 1, 100),
    duration: intOpt(values.duration, 'duration', 10, 1, 600),
    connections: intOpt(values.connections, 'connections', 50, 1, 10000),
    warmup: intOpt(values.warmup, 'warmup', 2, 0, 60),
    mode,
    only,
    json,
  };
}

interface Ctx {
  readonly opts: Options;
  readonly tools: Tools;
  readonly dir: string;
  readonly loadCpu: string;
  readonly proxyCpu: string;
}

function wrk(ctx: Ctx, port: number, seconds: number, tag: string): Promise<WrkResult> {
  return runWrk({ tools: ctx.tools, dir: ctx.dir, cpu: ctx.loadCpu, connections: ctx.opts.connections }, port, seconds, tag);
}

interface Running {
  readonly name: ProxyName;
  readonly port: number;
  readonly proc: Proc;
  readonly result: ProxyResult;
}

/** Starts one proxy on its config; returns null (and marks `result` skipped) if it cannot serve. */
async function startProxy(ctx: Ctx, name: ProxyName, cfg: string, port: number, result: ProxyResult): Promise<Running | null> {
  const bin = name === 'haproxy' ? ctx.tools.haproxy : SWITCHYARD_BIN;
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    result.skipped = `${bin} is missing or not executable`;
    return null;
  }
  const r = await launch(ctx.tools, ctx.dir, name, name, cfg, port, ctx.proxyCpu);
  if ('proc' in r) return { name, port, proc: r.proc, result };
  result.skipped = `it did not serve this mode ${ctx.opts.mode} config — ${r.why}`;
  log(`SKIPPING ${name}: ${r.why}`);
  return null;
}

async function measure(ctx: Ctx, p: Running, round: number): Promise<void> {
  const run = { tools: ctx.tools, dir: ctx.dir, cpu: ctx.loadCpu, connections: ctx.opts.connections };
  const { w, cpuUs, busyPct, otherCpuPct } = await measuredRound(run, p.proc.pid, p.port, ctx.opts.duration, `${p.name}-${round}`);
  if (p.proc.exit !== null) throw new Error(`${p.name} exited during round ${round} (${describeExit(p.proc.exit)}): ${logTail(p.proc, 500)}`);
  if (w.requests === 0) throw new Error(`${p.name}: wrk completed no request in round ${round}`);
  const r = { round, requests: w.requests, rps: w.rps, p50ms: w.p50ms, p99ms: w.p99ms, cpuUsPerReq: cpuUs / w.requests, errors: w.errors, otherCpuPct, busyPct };
  p.result.rounds.push(r);
  log(roundLine(p.name, r));
}

async function bench(opts: Options, tools: Tools, dir: string): Promise<number> {
  const multi = os.cpus().length >= 2;
  if (!multi) log('only one CPU: proxy, wrk and nginx all share CPU 0 (numbers are not comparable to 2-CPU runs)');
  const ctx: Ctx = { opts, tools, dir, proxyCpu: '0', loadCpu: multi ? '1' : '0' };
  const idle = loadMark();
  await sleep(1000);
  const otherAtStart = otherLoadPct(idle, os.cpus().length);
  if (otherAtStart > 5) log(`other processes use ${otherAtStart.toFixed(0)}% of the CPUs before the start: expect noise`);

  // Backend: nginx on the load CPU.
  const { port: nginxPort } = await startNginx(tools, dir, ctx.loadCpu, opts.connections);

  // One config text; each proxy gets it with only its bind port changed.
  const names: ProxyName[] = opts.only === null ? ['haproxy', 'switchyard'] : [opts.only];
  const basePort = await freePort();
  const cfg = proxyCfg(opts.mode, basePort, nginxPort, opts.connections);
  const results: ProxyResult[] = [];
  const running: Running[] = [];
  const used = new Set([nginxPort, basePort]);
  for (const [i, name] of names.entries()) {
    const result: ProxyResult = { name, skipped: null, rounds: [] };
    results.push(result);
    let port = basePort;
    for (let tries = 0; i > 0 && used.has(port) && tries < 20; tries++) port = await freePort();
    used.add(port);
    const r = await startProxy(ctx, name, rebind(cfg, basePort, port), port, result);
    checkInterrupted();
    if (r !== null) running.push(r);
  }

  if (opts.warmup > 0) {
    for (const p of running) {
      checkInterrupted();
      log(`warming up ${p.name} for ${opts.warmup} s`);
      try {
        const w = await wrk(ctx, p.port, opts.warmup, `${p.name}-warmup`);
        if (w.requests === 0) throw new Error('wrk completed no request');
      } catch (e) {
        checkInterrupted();
        p.result.skipped = `warm-up failed: ${(e as Error).message}`;
      }
    }
  }

  // Alternate A B A B …; a proxy that fails a round is dropped from the rest.
  for (let round = 1; round <= opts.rounds; round++) {
    for (const p of running) {
      if (p.result.skipped !== null) continue;
      checkInterrupted();
      try {
        await measure(ctx, p, round);
      } catch (e) {
        checkInterrupted();
        p.result.skipped = `failed in round ${round}: ${(e as Error).message}`;
        log(`DROPPING ${p.name}: ${p.result.skipped}`);
      }
    }
  }

  checkInterrupted();
  const machine = machineLine(tools);
  const method =
    `mode ${opts.mode} · ${opts.rounds} alternating rounds × ${opts.duration} s per proxy after a ${opts.warmup} s warm-up · ` +
    `\`wrk -t1 -c${opts.connections} --latency\` · proxy on CPU ${ctx.proxyCpu}, wrk + nginx on CPU ${ctx.loadCpu} · ` +
    `CPU µs/req = proxy utime+stime / requests (CLK_TCK ${clkTck()}) · other load ${otherAtStart.toFixed(0)}% at start`;
  process.stdout.write(`\n${markdown(results, 'haproxy')}\n\n${machine}\n${method}\n`);
  if (opts.json) {
    const out = {
      machine,
      options: opts,
      results: results.map((r) => ({ ...r, summary: r.skipped === null ? summarize(r.rounds) : null })),
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  }
  return results.some((r) => r.skipped === null && r.rounds.length > 0) ? 0 : 1;
}

benchMain(USAGE, parseOptions, bench);
