// bench/e2e/rules-cost.ts — what ACL-based request rules cost each proxy ("Content switching").
// Contract: `node bench/e2e/rules-cost.ts [--rounds N=3] [--duration S=5] [--connections C=50]
// [--warmup S=2] [--rules 0,10,100] [--only haproxy|switchyard] [--json]`.
// For each rule count R it generates one mode http config (configs.ts's bench config with R
// rules added to the frontend) and runs it under HAProxy and Switchyard; all 2 × |rules|
// proxies run at once (idle unless measured), pinned like run.ts (proxy CPU 0, wrk + nginx
// CPU 1). Rounds alternate over every (R, proxy) pair. The rules are realistic and none
// matches the benchmark request (`GET /`, Host 127.0.0.1:PORT, wrk's headers), so every
// request evaluates all of them: a mix of `http-request deny if { path_beg … }`,
// `use_backend … if { hdr(host) -i … }`, named ACLs with `-i`, `-m beg`, `-m reg`, `hdr_sub`,
// `src` networks, and conditions with `!` and implicit AND (see rulesText()).
// Output: a Markdown table of medians (req/s, CPU µs/req) per R and proxy, the ratios
// Switchyard/HAProxy per R and each proxy's slowdown against its own 0-rule run.
// Every process is stopped by PID and the temp dir removed, also on SIGINT/SIGTERM (harness.ts).
// Exit 0 when every pair was measured, 1 otherwise, 2 on a bad option or a missing tool.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { proxyCfg } from './configs.ts';
import { clkTck, loadMark, otherLoadPct } from './cpu.ts';
import { benchArgs, benchMain, checkInterrupted, log, measuredRound, type ProxyName, runWrk, startNginx, startProxy, UsageError, intOpt, onlyOpt } from './harness.ts';
import { describeExit, freePort, logTail, type Proc } from './procs.ts';
import { type ProxyResult, type Round, roundLine, type Summary, summarize } from './report.ts';
import { machineLine, type Tools } from './tools.ts';

interface Options {
  readonly rounds: number;
  readonly duration: number;
  readonly connections: number;
  readonly warmup: number;
  readonly rules: number[];
  readonly only: ProxyName | null;
  readonly json: boolean;
}

const USAGE =
  'usage: node bench/e2e/rules-cost.ts [--rounds N=3] [--duration S=5] [--connections C=50] [--warmup S=2]\n' +
  '                                    [--rules 0,10,100] [--only haproxy|switchyard] [--json]';

function parseOptions(argv: string[]): Options {
  const { values, json } = benchArgs(argv, USAGE, ['rounds', 'duration', 'connections', 'warmup', 'rules', 'only']);
  const only = onlyOpt(values.only);
  const rules = (values.rules ?? '0,10,100').split(',').map((x) => intOpt(x.trim(), 'rules', 0, 0, 5000));
  if (new Set(rules).size !== rules.length) throw new UsageError('--rules: each count once');
  return {
    rounds: intOpt(values.rounds, 'rounds', 3, 1, 100),
    duration: intOpt(values.duration, 'duration', 5, 1, 600),
    connections: intOpt(values.connections, 'connections', 50, 1, 10000),
    warmup: intOpt(values.warmup, 'warmup', 2, 0, 60),
    rules,
    only,
    json,
  };
}

/**
 * `count` rules for the frontend, and the backends they name. Five kinds in turn (rule i,
 * 1-based); none matches `GET /` with a numeric Host:
 *  1. http-request deny if { path_beg /blockedI }
 *  2. use_backend be_siteI if { hdr(host) -i siteI.example }            (backend added)
 *  3. acl botI hdr_sub(user-agent) -i badbotI / http-request deny if botI
 *  4. acl apiI path -m reg ^/api/vI/[0-9]+$ / http-request deny if apiI METH_POST
 *  5. acl admI hdr(host) -m beg -i adminI. + acl intI src 10.I.0.0/16 /
 *     http-request deny deny_status 403 if admI !intI
 */
export function rulesText(count: number, backendPort: number): { frontend: string; backends: string } {
  const fe: string[] = [];
  const uses: string[] = [];
  const be: string[] = [];
  for (let i = 1; i <= count; i++) {
    switch ((i - 1) % 5) {
      case 0:
        fe.push(`    http-request deny if { path_beg /blocked${i} }`);
        break;
      case 1:
        uses.push(`    use_backend be_site${i} if { hdr(host) -i site${i}.example }`);
        be.push(`backend be_site${i}\n    server nginx1 127.0.0.1:${backendPort}\n`);
        break;
      case 2:
        fe.push(`    acl bot${i} hdr_sub(user-agent) -i badbot${i}`, `    http-request deny if bot${i}`);
        break;
      case 3:
        fe.push(`    acl api${i} path -m reg ^/api/v${i}/[0-9]+$`, `    http-request deny if api${i} METH_POST`);
        break;
      default:
        fe.push(
          `    acl adm${i} hdr(host) -m beg -i admin${i}.`,
          `    acl int${i} src 10.${i % 256}.0.0/16`,
          `    http-request deny deny_status 403 if adm${i} !int${i}`,
        );
    }
  }
  return { frontend: [...fe, ...uses].map((l) => l + '\n').join(''), backends: be.join('\n') };
}

/** The run.ts http config with `count` rules in fe_bench (before default_backend) and their backends. */
export function rulesCfg(count: number, bindPort: number, backendPort: number, connections: number): string {
  const base = proxyCfg('http', bindPort, backendPort, connections);
  const anchor = '    default_backend be_bench\n';
  if (base.split(anchor).length !== 2) throw new Error('rules-cost: the bench config has no single default_backend line');
  const r = rulesText(count, backendPort);
  return base.replace(anchor, r.frontend + anchor) + (r.backends === '' ? '' : '\n' + r.backends);
}

interface Pair {
  readonly rules: number;
  readonly proxy: ProxyName;
  readonly port: number;
  readonly proc: Proc;
  readonly result: ProxyResult;
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '–';
}

function fmtRps(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

function table(opts: Options, pairs: readonly ProxyResult[], key: (r: ProxyResult) => { rules: number; proxy: ProxyName }): string {
  const sum = new Map<string, Summary | null>();
  for (const r of pairs) {
    const k = key(r);
    sum.set(`${k.proxy}/${k.rules}`, r.skipped === null ? summarize(r.rounds) : null);
  }
  const get = (p: ProxyName, n: number): Summary | null => sum.get(`${p}/${n}`) ?? null;
  const lines = [
    '| rules | HAProxy req/s | HAProxy CPU µs/req | Switchyard req/s | Switchyard CPU µs/req | SY/HAP req/s | SY/HAP CPU µs/req | HAProxy CPU vs 0 rules | Switchyard CPU vs 0 rules | HAProxy req/s vs 0 | Switchyard req/s vs 0 |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const h0 = get('haproxy', 0);
  const s0 = get('switchyard', 0);
  for (const n of opts.rules) {
    const h = get('haproxy', n);
    const s = get('switchyard', n);
    lines.push(
      `| ${n} | ${h ? fmtRps(h.rps) : '–'} | ${h ? h.cpuUsPerReq.toFixed(1) : '–'} | ${s ? fmtRps(s.rps) : '–'} | ${s ? s.cpuUsPerReq.toFixed(1) : '–'} | ` +
        `${ratio(s?.rps ?? NaN, h?.rps ?? NaN)} | ${ratio(s?.cpuUsPerReq ?? NaN, h?.cpuUsPerReq ?? NaN)} | ` +
        `${ratio(h?.cpuUsPerReq ?? NaN, h0?.cpuUsPerReq ?? NaN)} | ${ratio(s?.cpuUsPerReq ?? NaN, s0?.cpuUsPerReq ?? NaN)} | ` +
        `${ratio(h?.rps ?? NaN, h0?.rps ?? NaN)} | ${ratio(s?.rps ?? NaN, s0?.rps ?? NaN)} |`,
    );
  }
  const notes: string[] = [];
  for (const r of pairs) {
    const k = key(r);
    if (r.skipped !== null) notes.push(`- ${k.proxy} with ${k.rules} rules skipped: ${r.skipped}`);
    const errors = r.rounds.reduce((a, x) => a + x.errors, 0);
    if (errors > 0) notes.push(`- ${k.proxy} with ${k.rules} rules: wrk reported ${errors} socket errors / non-2xx responses`);
  }
  const other = pairs.flatMap((r) => r.rounds.map((x) => x.otherCpuPct)).filter(Number.isFinite);
  if (other.length > 0 && Math.max(...other) > 5) {
    notes.push(`- other processes used ${Math.min(...other).toFixed(0)}–${Math.max(...other).toFixed(0)}% of the machine's CPU time during the rounds: expect noise`);
  }
  return [...lines, ...notes].join('\n');
}

async function bench(opts: Options, tools: Tools, dir: string): Promise<number> {
  const multi = os.cpus().length >= 2;
  const proxyCpu = '0';
  const loadCpu = multi ? '1' : '0';
  if (!multi) log('only one CPU: proxy, wrk and nginx all share CPU 0');
  const idle = loadMark();
  await sleep(1000);
  const otherAtStart = otherLoadPct(idle, os.cpus().length);
  const nginx = await startNginx(tools, dir, loadCpu, opts.connections);
  const wrkRun = { tools, dir, cpu: loadCpu, connections: opts.connections };

  const proxies: ProxyName[] = opts.only === null ? ['haproxy', 'switchyard'] : [opts.only];
  const pairs: Pair[] = [];
  const all: { result: ProxyResult; rules: number; proxy: ProxyName }[] = [];
  for (const n of opts.rules) {
    for (const proxy of proxies) {
      checkInterrupted();
      const result: ProxyResult = { name: `${proxy}-${n}`, skipped: null, rounds: [] };
      all.push({ result, rules: n, proxy });
      const port = await freePort();
      const r = await startProxy(tools, dir, proxy, `${proxy}-${n}`, rulesCfg(n, port, nginx.port, opts.connections), port, proxyCpu);
      if ('why' in r) {
        result.skipped = r.why;
        log(`SKIPPING ${proxy} with ${n} rules: ${r.why}`);
        continue;
      }
      pairs.push({ rules: n, proxy, port, proc: r.proc, result });
    }
  }

  for (const p of pairs) {
    if (opts.warmup === 0) break;
    checkInterrupted();
    log(`warming up ${p.result.name} for ${opts.warmup} s`);
    await runWrk(wrkRun, p.port, opts.warmup, `${p.result.name}-warmup`);
  }

  for (let round = 1; round <= opts.rounds; round++) {
    for (const p of pairs) {
      if (p.result.skipped !== null) continue;
      checkInterrupted();
      try {
        const { w, cpuUs, busyPct, otherCpuPct } = await measuredRound(wrkRun, p.proc.pid, p.port, opts.duration, `${p.result.name}-${round}`);
        if (p.proc.exit !== null) throw new Error(`exited (${describeExit(p.proc.exit)}): ${logTail(p.proc, 500)}`);
        if (w.requests === 0) throw new Error('wrk completed no request');
        const r: Round = { round, requests: w.requests, rps: w.rps, p50ms: w.p50ms, p99ms: w.p99ms, cpuUsPerReq: cpuUs / w.requests, errors: w.errors, otherCpuPct, busyPct };
        p.result.rounds.push(r);
        log(roundLine(p.result.name, r));
      } catch (e) {
        checkInterrupted();
        p.result.skipped = `failed in round ${round}: ${(e as Error).message}`;
        log(`DROPPING ${p.result.name}: ${p.result.skipped}`);
      }
    }
  }

  const machine = machineLine(tools);
  const method =
    `mode http · rules ${opts.rules.join('/')} · ${opts.rounds} alternating rounds × ${opts.duration} s per (rules, proxy) after a ${opts.warmup} s warm-up · ` +
    `\`wrk -t1 -c${opts.connections} --latency\` · proxy on CPU ${proxyCpu}, wrk + nginx on CPU ${loadCpu} · ` +
    `CPU µs/req = proxy utime+stime / requests (CLK_TCK ${clkTck()}) · medians · other load ${otherAtStart.toFixed(0)}% at start`;
  const results = all.map((a) => a.result);
  const byResult = new Map(all.map((a) => [a.result, a] as const));
  process.stdout.write(`\n${table(opts, results, (r) => byResult.get(r)!)}\n\n${machine}\n${method}\n`);
  if (opts.json) {
    const out = { machine, options: opts, results: all.map((a) => ({ proxy: a.proxy, rules: a.rules, skipped: a.result.skipped, rounds: a.result.rounds, summary: a.result.skipped === null ? summarize(a.result.rounds) : null })) };
    process.stdout.write(JSON.stringify(out) + '\n');
  }
  return all.every((a) => a.result.skipped === null && a.result.rounds.length > 0) ? 0 : 1;
}

if (import.meta.main) benchMain(USAGE, parseOptions, bench);
