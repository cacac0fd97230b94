// bench/e2e/rate-limit-drill.ts — the "Content switching" issue's rate-limit drill.
//
//   node_modules/node/bin/node bench/e2e/rate-limit-drill.ts [--duration S=15] [--baseline S=8]
//        [--abusive-rate R=1000] [--legit-rate R=100] [--limit N=2000] [--tarpit-ms MS=1000]
//        [--only haproxy|switchyard] [--variants deny,tarpit] [--json]
//
// Contract: one abusive source (127.0.0.2) sends --abusive-rate GETs per second and one
// legitimate source (127.0.0.3) --legit-rate per second, both to the proxy on 127.0.0.1, each
// from its own client process (this file with --client: Node http with keep-alive, an
// open-loop pacer that sends on a fixed schedule whatever the answers; latency is measured
// from the scheduled send time, so a stalled proxy cannot hide behind a slow client). The
// proxy runs the bench's mode http config (configs.ts) plus
//     stick-table type ip size 100k expire 30s store http_req_rate(10s)
//     http-request track-sc0 src
//     http-request deny deny_status 429 if { sc_http_req_rate(0) gt LIMIT }     (variant deny)
//     http-request tarpit deny_status 429 if { sc_http_req_rate(0) gt LIMIT }   (variant tarpit,
//     with timeout tarpit MS)
// in front of nginx (harness.ts; proxy on CPU 0, nginx and the clients on CPU 1). Before each
// drill the legitimate client runs alone for --baseline s (from 127.0.0.4, so that its
// drill-time counter starts clean) to get its unloaded p99.
// Criteria, per proxy and variant: the abusive source gets no more than 1.1 × LIMIT + 50
// answers 200 (the rest 429, at once or after the tarpit); the legitimate source has 0 errors
// (non-200 or socket error/timeout); its p99 under attack is within 2× its unloaded p99.
// Both proxies run the same config; the exit status is 1 when Switchyard misses a criterion
// (HAProxy's verdict is shown for comparison), 2 on a bad option or a missing tool.
// Every process is stopped by PID, the temp dir removed, also on SIGINT/SIGTERM (harness.ts).
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { proxyCfg } from './configs.ts';
import { loadMark, otherLoadPct } from './cpu.ts';
import { benchArgs, benchMain, checkInterrupted, log, type ProxyName, startNginx, startProxy, UsageError, intOpt, onlyOpt } from './harness.ts';
import { freePort, runToEnd, stop } from './procs.ts';
import { machineLine, type Tools } from './tools.ts';

type Variant = 'deny' | 'tarpit';

interface Options {
  readonly duration: number;
  readonly baseline: number;
  readonly abusiveRate: number;
  readonly legitRate: number;
  readonly limit: number;
  readonly tarpitMs: number;
  readonly only: ProxyName | null;
  readonly variants: Variant[];
  readonly json: boolean;
}

const USAGE =
  'usage: node bench/e2e/rate-limit-drill.ts [--duration S=15] [--baseline S=8] [--abusive-rate R=1000] [--legit-rate R=100]\n' +
  '                                          [--limit N=2000] [--tarpit-ms MS=1000] [--only haproxy|switchyard]\n' +
  '                                          [--variants deny,tarpit] [--json]';

const ABUSIVE_SRC = '127.0.0.2';
const LEGIT_SRC = '127.0.0.3';
const BASELINE_SRC = '127.0.0.4';

// ---------------------------------------------------------------------------------------
// Client mode: `--client PORT SRC RATE SECONDS MAXOUT` prints one JSON line (ClientResult).

interface ClientResult {
  readonly sent: number;
  /** requests not sent because MAXOUT were outstanding */
  readonly skipped: number;
  readonly statuses: Record<string, number>;
  readonly errors: Record<string, number>;
  /** ms from the scheduled send time to the end of the response, answers 200 only */
  readonly p50ms: number;
  readonly p99ms: number;
  readonly maxMs: number;
  /** same, 429 answers only */
  readonly deniedP50ms: number;
  /** seconds from the start to the first error (socket error, timeout), null when none */
  readonly firstErrorAtS: number | null;
}

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function client(port: number, src: string, rate: number, seconds: number, maxOut: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxOut, maxFreeSockets: maxOut });
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const ok: number[] = [];
  const denied: number[] = [];
  let sent = 0;
  let skipped = 0;
  let outstanding = 0;
  let firstErrorAt: number | null = null;
  const t0 = performance.now();
  const send = (due: number): void => {
    outstanding++;
    sent++;
    let settled = false;
    const done = (what: { status?: number; error?: string }): void => {
      if (settled) return;
      settled = true;
      outstanding--;
      const ms = performance.now() - due;
      if (what.status !== undefined) {
        statuses[what.status] = (statuses[what.status] ?? 0) + 1;
        if (what.status === 200) ok.push(ms);
        else if (what.status === 429) denied.push(ms);
      } else {
        firstErrorAt ??= (due - t0) / 1000;
        const e = what.error ?? 'error';
        errors[e] = (errors[e] ?? 0) + 1;
      }
    };
    const req = http.get({ host: '127.0.0.1', port, path: '/', localAddress: src, agent, timeout: 10000 }, (res) => {
      res.on('data', () => {});
      res.on('end', () => done({ status: res.statusCode ?? 0 }));
      res.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
  };
  // Open-loop pacer: request k is due at t0 + k/rate; every tick sends what is due.
  const total = Math.round(rate * seconds);
  let k = 0;
  while (k < total) {
    const now = performance.now();
    while (k < total && t0 + (k * 1000) / rate <= now) {
      const due = t0 + (k * 1000) / rate;
      k++;
      if (outstanding >= maxOut) skipped++;
      else send(due);
    }
    await sleep(1);
  }
  const deadline = performance.now() + 15000;
  while (outstanding > 0 && performance.now() < deadline) await sleep(10);
  agent.destroy();
  ok.sort((a, b) => a - b);
  denied.sort((a, b) => a - b);
  if (outstanding > 0) errors['unfinished'] = outstanding;
  const r: ClientResult = { sent, skipped, statuses, errors, p50ms: pct(ok, 50), p99ms: pct(ok, 99), maxMs: ok.at(-1) ?? NaN, deniedP50ms: pct(denied, 50), firstErrorAtS: firstErrorAt };
  process.stdout.write(JSON.stringify(r) + '\n');
}

// ---------------------------------------------------------------------------------------
// Bench mode.

function parseOptions(argv: string[]): Options {
  const { values, json } = benchArgs(argv, USAGE, ['duration', 'baseline', 'abusive-rate', 'legit-rate', 'limit', 'tarpit-ms', 'only', 'variants']);
  const only = onlyOpt(values.only);
  const variants = (values.variants ?? 'deny,tarpit').split(',').map((v) => v.trim());
  for (const v of variants) if (v !== 'deny' && v !== 'tarpit') throw new UsageError('--variants: deny and/or tarpit');
  return {
    duration: intOpt(values.duration, 'duration', 15, 2, 3600),
    baseline: intOpt(values.baseline, 'baseline', 8, 2, 600),
    abusiveRate: intOpt(values['abusive-rate'], 'abusive-rate', 1000, 1, 20000),
    legitRate: intOpt(values['legit-rate'], 'legit-rate', 100, 1, 5000),
    limit: intOpt(values.limit, 'limit', 2000, 1, 10000000),
    tarpitMs: intOpt(values['tarpit-ms'], 'tarpit-ms', 1000, 1, 60000),
    only,
    variants: variants as Variant[],
    json,
  };
}

/** The bench's mode http config with the rate limit of `variant` in the frontend. */
export function drillCfg(variant: Variant, bindPort: number, backendPort: number, limit: number, tarpitMs: number): string {
  const base = proxyCfg('http', bindPort, backendPort, 1000);
  const anchor = '    default_backend be_bench\n';
  if (base.split(anchor).length !== 2) throw new Error('rate-limit-drill: the bench config has no single default_backend line');
  const action = variant === 'deny' ? 'deny' : 'tarpit';
  const rules =
    (variant === 'tarpit' ? `    timeout tarpit ${tarpitMs}ms\n` : '') +
    '    stick-table type ip size 100k expire 30s store http_req_rate(10s)\n' +
    '    http-request track-sc0 src\n' +
    `    http-request ${action} deny_status 429 if { sc_http_req_rate(0) gt ${limit} }\n`;
  return base.replace(anchor, rules + anchor);
}

interface Drill {
  readonly proxy: ProxyName;
  readonly variant: Variant;
  skipped: string | null;
  baseline: ClientResult | null;
  legit: ClientResult | null;
  abusive: ClientResult | null;
  otherCpuPct: number;
  failures: string[];
}

const CLIENT_SELF = fileURLToPath(import.meta.url);

async function runClient(tools: Tools, dir: string, tag: string, port: number, src: string, rate: number, seconds: number, maxOut: number): Promise<ClientResult> {
  const argv = [tools.taskset, '-c', os.cpus().length >= 2 ? '1' : '0', process.execPath, CLIENT_SELF, '--client', String(port), src, String(rate), String(seconds), String(maxOut)];
  const { exit, output } = await runToEnd(`client ${tag}`, argv, join(dir, `client-${tag}.log`), (seconds + 40) * 1000);
  const line = output.trim().split('\n').at(-1) ?? '';
  if (exit.code !== 0 || !line.startsWith('{')) throw new Error(`client ${tag} failed (exit ${exit.code}): ${output.trim().slice(0, 400)}`);
  return JSON.parse(line) as ClientResult;
}

function errorsOf(r: ClientResult): number {
  const non200 = Object.entries(r.statuses).reduce((a, [s, n]) => a + (s === '200' ? 0 : n), 0);
  return non200 + Object.values(r.errors).reduce((a, n) => a + n, 0) + r.skipped;
}

function judge(d: Drill, opts: Options): void {
  const f: string[] = [];
  const a = d.abusive!;
  const l = d.legit!;
  const b = d.baseline!;
  const passed = a.statuses['200'] ?? 0;
  const allowed = Math.round(1.1 * opts.limit + 50);
  if (passed > allowed) f.push(`abusive source got ${passed} answers 200 (allowed ${allowed})`);
  if (errorsOf(l) > 0) f.push(`legitimate source had ${errorsOf(l)} errors`);
  if (errorsOf(b) > 0) f.push(`legitimate source had ${errorsOf(b)} errors unloaded`);
  if (!(l.p99ms <= 2 * b.p99ms)) f.push(`legitimate p99 ${l.p99ms.toFixed(2)} ms > 2 × unloaded ${b.p99ms.toFixed(2)} ms`);
  d.failures = f;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)} ms` : '–';
}

function report(drills: readonly Drill[], opts: Options): string {
  const lines = [
    '| proxy | variant | abusive sent | abusive 200 | abusive 429 | abusive denied share | 429 answered after (p50) | legit sent | legit errors | legit p50 | legit p99 | unloaded p99 | p99 ratio | verdict |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const notes: string[] = [];
  for (const d of drills) {
    if (d.skipped !== null || d.abusive === null || d.legit === null || d.baseline === null) {
      lines.push(`| ${d.proxy} | ${d.variant} | skipped | | | | | | | | | | | |`);
      notes.push(`- ${d.proxy} ${d.variant}: ${d.skipped ?? 'not measured'}`);
      continue;
    }
    const a = d.abusive;
    const l = d.legit;
    const denied = a.statuses['429'] ?? 0;
    const other = errorsOf(a) - denied;
    lines.push(
      `| ${d.proxy} | ${d.variant} | ${fmt(a.sent)} | ${fmt(a.statuses['200'] ?? 0)} | ${fmt(denied)} | ${((100 * denied) / Math.max(1, a.sent)).toFixed(1)}% | ${ms(a.deniedP50ms)} | ` +
        `${fmt(l.sent)} | ${fmt(errorsOf(l))} | ${ms(l.p50ms)} | ${ms(l.p99ms)} | ${ms(d.baseline.p99ms)} | ${(l.p99ms / d.baseline.p99ms).toFixed(2)} | ${d.failures.length === 0 ? 'pass' : '**FAIL**'} |`,
    );
    if (other > 0) {
      const first = a.firstErrorAtS === null ? '' : ` (first error for a request sent at ${a.firstErrorAtS.toFixed(1)} s)`;
      notes.push(`- ${d.proxy} ${d.variant}: abusive source also saw ${other} other outcomes${first}: ${JSON.stringify({ ...a.statuses, ...a.errors, skipped: a.skipped })}`);
    }
    for (const f of d.failures) notes.push(`- ${d.proxy} ${d.variant}: ${f}`);
    if (d.otherCpuPct > 5) notes.push(`- ${d.proxy} ${d.variant}: processes outside the drill used ${d.otherCpuPct.toFixed(0)}% of the machine's CPU time: expect noisy latencies`);
  }
  return [...lines, ...notes].join('\n');
}

async function bench(opts: Options, tools: Tools, dir: string): Promise<number> {
  const proxyCpu = '0';
  const loadCpu = os.cpus().length >= 2 ? '1' : '0';
  const nginx = await startNginx(tools, dir, loadCpu, 1000);
  const proxies: ProxyName[] = opts.only === null ? ['switchyard', 'haproxy'] : [opts.only];
  const abusiveMaxOut = Math.max(200, Math.ceil((opts.abusiveRate * (opts.tarpitMs + 2000)) / 1000));
  const drills: Drill[] = [];
  for (const variant of opts.variants) {
    for (const proxy of proxies) {
      checkInterrupted();
      const d: Drill = { proxy, variant, skipped: null, baseline: null, legit: null, abusive: null, otherCpuPct: NaN, failures: [] };
      drills.push(d);
      const port = await freePort();
      const tag = `${proxy}-${variant}`;
      const r = await startProxy(tools, dir, proxy, tag, drillCfg(variant, port, nginx.port, opts.limit, opts.tarpitMs), port, proxyCpu);
      if ('why' in r) {
        d.skipped = r.why;
        log(`SKIPPING ${tag}: ${r.why}`);
        continue;
      }
      try {
        log(`${tag}: legitimate client alone for ${opts.baseline} s (from ${BASELINE_SRC})`);
        d.baseline = await runClient(tools, dir, `${tag}-baseline`, port, BASELINE_SRC, opts.legitRate, opts.baseline, 200);
        checkInterrupted();
        log(`${tag}: abusive ${opts.abusiveRate}/s from ${ABUSIVE_SRC} + legitimate ${opts.legitRate}/s from ${LEGIT_SRC} for ${opts.duration} s`);
        const mark = loadMark();
        const [abusive, legit] = await Promise.all([
          runClient(tools, dir, `${tag}-abusive`, port, ABUSIVE_SRC, opts.abusiveRate, opts.duration, abusiveMaxOut),
          sleep(200).then(() => runClient(tools, dir, `${tag}-legit`, port, LEGIT_SRC, opts.legitRate, opts.duration - 0.5, 200)),
        ]);
        d.otherCpuPct = otherLoadPct(mark, os.cpus().length);
        d.abusive = abusive;
        d.legit = legit;
        judge(d, opts);
        log(`${tag}: abusive ${JSON.stringify(abusive.statuses)} ${JSON.stringify(abusive.errors)}; legit p50 ${ms(legit.p50ms)} p99 ${ms(legit.p99ms)} (unloaded p99 ${ms(d.baseline.p99ms)}) ${d.failures.length ? d.failures.join('; ') : 'pass'}`);
      } catch (e) {
        checkInterrupted();
        d.skipped = (e as Error).message;
        log(`FAILED ${tag}: ${d.skipped}`);
      }
      await stop(r.proc);
    }
  }
  const machine = machineLine(tools);
  const method =
    `abusive ${opts.abusiveRate} req/s from ${ABUSIVE_SRC}, legitimate ${opts.legitRate} req/s from ${LEGIT_SRC}, ${opts.duration} s, open-loop Node http clients with keep-alive ` +
    `(latency from the scheduled send time, answers 200) · limit \`sc_http_req_rate(0) gt ${opts.limit}\` over http_req_rate(10s)` +
    (opts.variants.includes('tarpit') ? ` · timeout tarpit ${opts.tarpitMs} ms` : '') +
    ` · unloaded p99 from ${opts.baseline} s of the legitimate client alone · proxy on CPU ${proxyCpu}, nginx + clients on CPU ${loadCpu}`;
  process.stdout.write(`\n${report(drills, opts)}\n\n${machine}\n${method}\n`);
  if (opts.json) process.stdout.write(JSON.stringify({ machine, options: opts, drills }) + '\n');
  const sy = drills.filter((d) => d.proxy === 'switchyard');
  return sy.every((d) => d.skipped === null && d.failures.length === 0) && drills.some((d) => d.skipped === null) ? 0 : 1;
}

if (process.argv[2] === '--client') {
  const [port, src, rate, seconds, maxOut] = process.argv.slice(3);
  client(Number(port), src ?? '127.0.0.1', Number(rate), Number(seconds), Number(maxOut)).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`client: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
} else if (import.meta.main) {
  benchMain(USAGE, parseOptions, bench);
}
