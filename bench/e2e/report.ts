// bench/e2e/report.ts — summarising rounds and rendering the result.
// Contract: summarize() takes per-round measurements and returns medians; markdown() renders
// one table row per proxy (req/s, p50, p99, CPU µs/req, how busy the proxy's CPU was, and two
// ratios to HAProxy = 1.00: req/s, and CPU per request inverted so that higher is better for
// both) and notes for skipped proxies, wrk errors, rounds that disagree by >20%, foreign CPU
// load >5%, and a baseline that was not saturated.
// Why the busy column: the req/s ratio compares proxies only when each is the bottleneck. On
// this two-CPU machine wrk and nginx share one CPU; when the host is slow they cap the faster
// proxy below its ceiling (its CPU is then partly idle) and the req/s ratio flatters the
// slower one. CPU µs per request is the figure that holds either way.
// Pure functions: no I/O.

export interface Round {
  readonly round: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly cpuUsPerReq: number;
  readonly errors: number;
  /** percent of the machine's CPU time used by processes outside the bench during the round */
  readonly otherCpuPct: number;
  /** percent of one CPU the proxy used during the round (100 = saturated; NaN when unknown) */
  readonly busyPct: number;
}

export interface ProxyResult {
  readonly name: string;
  /** null when measured; otherwise why the proxy was skipped or dropped */
  skipped: string | null;
  readonly rounds: Round[];
}

export interface Summary {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly cpuUsPerReq: number;
  readonly busyPct: number;
  readonly errors: number;
}

/** Below this share of its CPU a proxy was not the bottleneck of its round. */
export const SATURATED_PCT = 90;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid] ?? NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? NaN) + hi) / 2;
}

export function summarize(rounds: readonly Round[]): Summary | null {
  if (rounds.length === 0) return null;
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50ms: median(rounds.map((r) => r.p50ms)),
    p99ms: median(rounds.map((r) => r.p99ms)),
    cpuUsPerReq: median(rounds.map((r) => r.cpuUsPerReq)),
    busyPct: median(rounds.map((r) => r.busyPct)),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
  };
}

function ms(v: number): string {
  return v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`;
}

export function markdown(results: readonly ProxyResult[], baseline: string): string {
  const base = summarize(results.find((r) => r.name === baseline && r.skipped === null)?.rounds ?? []);
  const lines = [
    '| proxy | req/s (median) | p50 | p99 | CPU µs/req | proxy CPU busy | req/s vs HAProxy | CPU/req vs HAProxy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const notes: string[] = [];
  for (const r of results) {
    const s = r.skipped === null ? summarize(r.rounds) : null;
    if (s === null) {
      lines.push(`| ${r.name} | skipped | – | – | – | – | – | – |`);
      notes.push(`- ${r.name} skipped: ${r.skipped ?? 'no rounds measured'}`);
      continue;
    }
    const ratio = base !== null && base.rps > 0 ? (s.rps / base.rps).toFixed(2) : '–';
    const cpuRatio = base !== null && s.cpuUsPerReq > 0 ? (base.cpuUsPerReq / s.cpuUsPerReq).toFixed(2) : '–';
    const busy = Number.isFinite(s.busyPct) ? `${s.busyPct.toFixed(0)}%` : '–';
    lines.push(
      `| ${r.name} | ${Math.round(s.rps).toLocaleString('en-US')} | ${ms(s.p50ms)} | ${ms(s.p99ms)} | ` +
        `${s.cpuUsPerReq.toFixed(1)} | ${busy} | ${ratio} | ${cpuRatio} |`,
    );
    if (r.name === baseline && s.busyPct < SATURATED_PCT) {
      notes.push(`- ${r.name} used only ${s.busyPct.toFixed(0)}% of its CPU (median): wrk and nginx, not ${r.name}, set the pace, so the req/s ratios flatter the others — compare CPU/req, or rerun on a quieter host`);
    }
    const rps = r.rounds.map((x) => x.rps);
    const spread = (Math.max(...rps) - Math.min(...rps)) / s.rps;
    if (spread > 0.2) {
      const lo = Math.round(Math.min(...rps)).toLocaleString('en-US');
      const hi = Math.round(Math.max(...rps)).toLocaleString('en-US');
      notes.push(`- ${r.name}: req/s ranged ${lo}–${hi} over the rounds (±${Math.round(spread * 50)}%): the machine was not quiet; rerun`);
    }
    if (s.errors > 0) notes.push(`- ${r.name}: wrk reported ${s.errors} socket errors / non-2xx responses in total`);
  }
  const other = results.flatMap((r) => r.rounds.map((x) => x.otherCpuPct)).filter(Number.isFinite);
  const worst = other.length > 0 ? Math.max(...other) : 0;
  if (worst > 5) notes.push(`- other processes used up to ${worst.toFixed(0)}% of the machine's CPU time during a round: expect noise`);
  return [...lines, ...notes].join('\n');
}

/** One line per round, for the log: "haproxy  round 2: 41,152 req/s p50 1.21 ms …". */
export function roundLine(name: string, r: Round): string {
  return (
    `${name.padEnd(10)} round ${r.round}: ${Math.round(r.rps).toLocaleString('en-US')} req/s, ` +
    `p50 ${ms(r.p50ms)}, p99 ${ms(r.p99ms)}, ${r.cpuUsPerReq.toFixed(1)} CPU µs/req` +
    (Number.isFinite(r.busyPct) ? `, busy ${r.busyPct.toFixed(0)}%` : '') +
    `, other load ${r.otherCpuPct.toFixed(0)}%` +
    (r.errors > 0 ? `, ${r.errors} errors` : '')
  );
}
