// bench/e2e/wrk.ts — parser for `wrk --latency` output.
// Contract: parseWrk(text) returns requests, req/s, p50/p99 latency in milliseconds and the
// error counters wrk printed (0 when absent); it throws if a required line is missing.

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  /** socket errors (connect+read+write+timeout) plus non-2xx/3xx responses */
  readonly errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000 };

function toMs(value: string, unit: string): number {
  const f = UNIT_MS[unit];
  if (f === undefined) throw new Error(`wrk: unknown time unit "${unit}"`);
  return Number(value) * f;
}

function need(text: string, re: RegExp, what: string): RegExpMatchArray {
  const m = text.match(re);
  if (m === null) throw new Error(`wrk: could not find ${what} in its output:\n${text.trim()}`);
  return m;
}

export function parseWrk(text: string): WrkResult {
  const total = need(text, /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)\b/m, 'the "N requests in" line');
  const rps = need(text, /^Requests\/sec:\s+([\d.]+)/m, 'Requests/sec');
  const p50 = need(text, /^\s*50(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$/m, 'the 50% latency line (--latency)');
  const p99 = need(text, /^\s*99(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$/m, 'the 99% latency line (--latency)');
  let errors = 0;
  const sock = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  if (sock !== null) errors += sock.slice(1, 5).reduce((a, v) => a + Number(v), 0);
  const non2xx = text.match(/Non-2xx or 3xx responses: (\d+)/);
  if (non2xx !== null) errors += Number(non2xx[1]);
  return {
    requests: Number(total[1]),
    seconds: toMs(total[2] ?? '', total[3] ?? '') / 1000,
    rps: Number(rps[1]),
    p50ms: toMs(p50[1] ?? '', p50[2] ?? ''),
    p99ms: toMs(p99[1] ?? '', p99[2] ?? ''),
    errors,
  };
}
