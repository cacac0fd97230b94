/**
 * The lab's small load generator (`sy-load` inside every node, used by `client` nodes
 * when wrk is absent): keep-alive HTTP/1.1 GETs over C connections, bounded by a request
 * count and a duration, then a summary — requests, statuses, which backend answered
 * (`x-served-by`), errors, latency percentiles.
 *
 *   sy-load URL [-c CONNECTIONS=4] [-n REQUESTS=100] [-d SECONDS=10] [--json]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

export type LoadResult = {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  servedBy: Record<string, number>;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
};

export async function runLoad(url: string, connections: number, requests: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const statuses: Record<string, number> = {};
  const servedBy: Record<string, number> = {};
  const lat: number[] = [];
  let started = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = performance.now();
      const req = http.get(url, { agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
          const by = res.headers['x-served-by'];
          if (typeof by === 'string') servedBy[by] = (servedBy[by] ?? 0) + 1;
          lat.push(performance.now() - s);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => { errors++; resolve(); });
    });
  const worker = async (): Promise<void> => {
    while (started < requests && performance.now() < deadline) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number): number => (lat.length ? (lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] as number) : 0);
  const done = lat.length;
  return { requests: done, errors, statuses, servedBy, seconds: secs, rps: done / secs, p50ms: pct(0.5), p99ms: pct(0.99) };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { c: { type: 'string', default: '4' }, n: { type: 'string', default: '100' }, d: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
  });
  const url = positionals[0];
  if (!url) {
    process.stderr.write('usage: sy-load URL [-c CONNECTIONS] [-n REQUESTS] [-d SECONDS] [--json]\n');
    process.exit(2);
  }
  const r = await runLoad(url, Number(values.c), Number(values.n), Number(values.d));
  if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stdout.write(
      `${r.requests} requests in ${r.seconds.toFixed(2)} s (${r.rps.toFixed(0)} req/s), ${r.errors} errors, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms\n` +
        `statuses: ${JSON.stringify(r.statuses)}\nserved by: ${JSON.stringify(r.servedBy)}\n`,
    );
  }
  process.exitCode = r.errors > 0 || r.requests === 0 ? 1 : 0;
}
