/**
 * Latency histograms end to end: real bin/switchyard, real servers on 127.0.0.1 that
 * answer after a known delay, real requests. The numbers are checked where they land:
 * a server that answers after 60 ms fills the (50 ms, 100 ms] bucket of its response
 * histogram and nothing below it (a rare late one on a loaded machine may land in the
 * next bucket, never earlier); a maxconn-1 server makes requests queue for one and two
 * service times; a TCP server that speaks after 60 ms does the same for TCP sessions.
 * The Prometheus text is parsed (cumulative buckets never decrease, +Inf equals
 * _count), the `;json` histograms and the CSV averages agree, and the page shows
 * p50/p90/p99.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli, waitForSocket } from '../helpers/cli.ts';

const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

const DELAY = 60;

/** An HTTP server that answers `name` after `delayMs`. */
async function slowServer(name: string, delayMs: number): Promise<number> {
  const srv = http.createServer((req, res) => {
    req.resume();
    setTimeout(() => { res.writeHead(200, { 'content-length': name.length }); res.end(name); }, delayMs);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => { srv.closeAllConnections(); srv.close(); });
  return (srv.address() as net.AddressInfo).port;
}

/** A TCP server that says "hello" `delayMs` after the connection, then closes. */
async function slowTcpServer(delayMs: number): Promise<number> {
  const srv = net.createServer((s) => { s.on('error', () => {}); setTimeout(() => s.end('hello\n'), delayMs); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => srv.close());
  return (srv.address() as net.AddressInfo).port;
}

function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

function tcpSession(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => { got += d; });
    s.on('end', () => { s.end(); resolve(got); });
    s.on('error', reject);
  });
}

interface Hist { unit: string; le: number[]; counts: number[]; count: number; sum: number; max: number; p50: number; p90: number; p99: number }
type JsonField = { objType: string; field: { name: string }; value: { type: string; value: unknown } };

/** `;json` rows keyed "proxy/svname"; each a map of field name → value (histograms included). */
function jsonRows(text: string): Map<string, Map<string, unknown>> {
  const out = new Map<string, Map<string, unknown>>();
  for (const row of JSON.parse(text) as JsonField[][]) {
    const m = new Map(row.map((f) => [f.field.name, f.value.value]));
    out.set(`${m.get('pxname')}/${m.get('svname')}`, m);
  }
  return out;
}

/** Index of the bucket whose upper bound is `leMs`. */
function bucket(h: Hist, leMs: number): number {
  const i = h.le.indexOf(leMs);
  assert.ok(i >= 0, `no bucket bound ${leMs} ms`);
  return i;
}

/** Counts outside bucket `i` are zero and bucket `i` holds `n`. */
function onlyIn(h: Hist, i: number, n: number, what: string): void {
  h.counts.forEach((c, j) => assert.equal(c, j === i ? n : 0, `${what}: bucket ${j} (le ${h.le[j] ?? '+Inf'} ms) holds ${c}; counts ${h.counts.join(',')}`));
}

/**
 * `n` values of at least DELAY ms: none below bucket `i` (never faster than the delay),
 * and at least n - slack in bucket `i` itself — a loaded machine (2 shared cores) may
 * push a rare one into the next bucket, never into an earlier one.
 */
function mostlyIn(h: Hist, i: number, n: number, what: string, slack = 2): void {
  const shown = `${what}: counts ${h.counts.join(',')}`;
  assert.equal(h.count, n, shown);
  for (let j = 0; j < i; j++) assert.equal(h.counts[j], 0, shown);
  assert.ok(h.counts[i]! >= n - slack, shown);
}

/** A numeric column reader for the CSV line starting with `prefix`. */
function csvLine(csv: string, prefix: string): (name: string) => number {
  const cols = csv.split('\n')[0]!.slice(2).split(',');
  const line = csv.split('\n').find((l) => l.startsWith(prefix))!.split(',');
  return (name) => Number(line[cols.indexOf(name)]);
}

interface PromSample { name: string; labels: Record<string, string>; value: number }

function parseProm(text: string): { types: Map<string, string>; samples: PromSample[] } {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) { types.set(t[1]!, t[2]!); continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

/** Every histogram family: buckets ascending in le, never decreasing, +Inf = _count, _sum present. */
function checkHistograms(p: ReturnType<typeof parseProm>): number {
  let families = 0;
  for (const [name, type] of p.types) {
    if (type !== 'histogram') continue;
    families++;
    const series = new Map<string, PromSample[]>();
    for (const s of p.samples.filter((x) => x.name === `${name}_bucket`)) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    assert.ok(series.size > 0, `${name}: no buckets`);
    for (const [key, buckets] of series) {
      const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
      for (let i = 1; i < les.length; i++) {
        assert.ok(les[i]! > les[i - 1]!, `${name}${key}: le not ascending`);
        assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, `${name}${key}: bucket le=${buckets[i]!.labels.le} decreases`);
      }
      assert.equal(les[les.length - 1], Infinity, `${name}${key}: last bucket is +Inf`);
      const labelsOf = (s: PromSample): string => JSON.stringify(s.labels);
      const count = p.samples.find((s) => s.name === `${name}_count` && labelsOf(s) === key);
      const sum = p.samples.find((s) => s.name === `${name}_sum` && labelsOf(s) === key);
      assert.ok(count && sum, `${name}${key}: _count and _sum`);
      assert.equal(buckets[buckets.length - 1]!.value, count.value, `${name}${key}: +Inf = _count`);
    }
  }
  return families;
}

function promValue(p: ReturnType<typeof parseProm>, name: string, labels: Record<string, string>): number {
  const s = p.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v) && Object.keys(x.labels).length === Object.keys(labels).length);
  assert.ok(s, `${name}${JSON.stringify(labels)} missing`);
  return s.value;
}

test('HTTP: a server answering after 60 ms fills the (50,100] ms response bucket; JSON, CSV, Prometheus and the page agree', async () => {
  const slow = await slowServer('slow', DELAY);
  const fast = await slowServer('fast', 0);
  const fePort = await freePort();
  const stPort = await freePort();
  const dir = tempDir();
  const sock = join(dir, 'admin.sock');
  runSwitchyard(['-db', '-f', writeConfig([
    'global', `    stats socket ${sock} level admin`,
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'frontend fe', `    bind 127.0.0.1:${fePort}`, '    use_backend bfast if { path_beg /fast }', '    default_backend be',
    'backend be', `    server s1 127.0.0.1:${slow}`,
    'backend bfast', `    server f1 127.0.0.1:${fast}`,
    'listen st', `    bind 127.0.0.1:${stPort}`, '    stats uri /st', '',
  ].join('\n'), dir)]);
  await waitForPort(fePort);
  await waitForSocket(sock);
  const N = 12;
  for (let i = 0; i < N; i++) assert.equal((await get(fePort)).body, 'slow');
  for (let i = 0; i < N; i++) assert.equal((await get(fePort, '/fast')).body, 'fast');

  const rows = jsonRows((await get(stPort, '/st;json')).body);
  const s1 = rows.get('be/s1')!;
  const resp = s1.get('rtime_hist') as Hist;
  assert.equal(resp.unit, 'ms');
  assert.equal(resp.count, N);
  mostlyIn(resp, bucket(resp, 100), N, 's1 response');
  assert.ok(resp.sum >= N * (DELAY - 1), `sum ${resp.sum}`);
  assert.ok(resp.p50 > 50 && resp.p50 <= 100 && resp.p99 <= resp.max, JSON.stringify(resp));
  mostlyIn(s1.get('ttime_hist') as Hist, bucket(resp, 100), N, 's1 total');
  const queue = s1.get('qtime_hist') as Hist;
  onlyIn(queue, 0, N, 's1 queue (no wait)');
  const conn = s1.get('ctime_hist') as Hist;
  assert.ok(conn.count >= 1 && conn.count <= N, `connects ${conn.count}`);
  assert.ok(conn.p50 < 20, `connect ${JSON.stringify(conn)}`);
  // The backend row adds up its servers; the fast backend answers in a few ms.
  assert.deepEqual((rows.get('be/BACKEND')!.get('rtime_hist') as Hist).counts, resp.counts);
  const fresp = rows.get('bfast/f1')!.get('rtime_hist') as Hist;
  assert.equal(fresp.count, N);
  assert.ok(fresp.counts.slice(0, bucket(fresp, 20)).reduce((a, b) => a + b, 0) >= N - 2, `fast server ${fresp.counts.join(',')}`);
  // The frontend has a total only: every transaction, slow and fast.
  const fe = rows.get('fe/FRONTEND')!;
  assert.equal((fe.get('ttime_hist') as Hist).count, 2 * N);
  assert.equal(fe.get('rtime_hist'), undefined);

  // HAProxy's CSV averages and maximums come from the same measures.
  const col = csvLine(await cli(sock, 'show stat'), 'be,s1,');
  assert.ok(col('rtime') >= DELAY - 1 && col('rtime') <= col('rtime_max'), `rtime ${col('rtime')}`);
  assert.equal(col('rtime_max'), Math.round(resp.max));
  assert.ok(col('ttime') >= col('rtime'));
  assert.equal(col('qtime'), 0);

  const prom = parseProm((await get(stPort, '/st/metrics')).body);
  assert.ok(checkHistograms(prom) >= 9, 'frontend, backend and server histogram families');
  const name = 'haproxy_server_response_time_histogram_seconds';
  assert.equal(prom.types.get(name), 'histogram');
  const sl = { proxy: 'be', server: 's1' };
  assert.equal(promValue(prom, `${name}_bucket`, { ...sl, le: '0.05' }), 0);
  assert.equal(promValue(prom, `${name}_bucket`, { ...sl, le: '0.1' }), resp.counts[bucket(resp, 100)]);
  assert.ok(promValue(prom, `${name}_bucket`, { ...sl, le: '0.1' }) >= N - 2);
  assert.equal(promValue(prom, `${name}_bucket`, { ...sl, le: '+Inf' }), N);
  assert.equal(promValue(prom, `${name}_count`, sl), N);
  const sum = promValue(prom, `${name}_sum`, sl);
  assert.ok(Math.abs(sum - resp.sum / 1000) < 1e-3, `sum ${sum} s vs ${resp.sum} ms`);
  assert.equal(promValue(prom, 'haproxy_frontend_total_time_histogram_seconds_count', { proxy: 'fe' }), 2 * N);
  // HAProxy's own gauges for the same facts, in seconds.
  const avg = promValue(prom, 'haproxy_server_response_time_average_seconds', sl);
  assert.ok(avg >= (DELAY - 1) / 1000 && avg <= resp.max / 1000, `average ${avg}`);
  assert.ok(promValue(prom, 'haproxy_backend_max_response_time_seconds', { proxy: 'be' }) >= (DELAY - 1) / 1000);
  // HAProxy's gauge names stay gauges: no histogram reuses them.
  assert.equal(prom.types.get('haproxy_server_response_time_average_seconds'), 'gauge');

  const page = (await get(stPort, '/st')).body;
  const cell = new RegExp(`data-sv="s1"[^\\n]*<td data-col="lat_response" title="${N} measured[^"]*">([\\d.]+) / ([\\d.]+) / ([\\d.]+)</td>`).exec(page);
  assert.ok(cell, 'the s1 row shows response percentiles');
  const [p50, p90, p99] = [Number(cell[1]), Number(cell[2]), Number(cell[3])];
  assert.ok(p50 > 50 && p50 <= 100 && p50 <= p90 && p90 <= p99 && p99 <= resp.max, cell[0]);

  // clear counters: the maximums restart, the histograms stay; clear counters all empties them.
  await cli(sock, 'clear counters');
  const cleared = csvLine(await cli(sock, 'show stat'), 'be,s1,');
  assert.equal(cleared('rtime_max'), 0);
  assert.equal((jsonRows((await get(stPort, '/st;json')).body).get('be/s1')!.get('rtime_hist') as Hist).count, N);
  await cli(sock, 'clear counters all');
  assert.equal((jsonRows((await get(stPort, '/st;json')).body).get('be/s1')!.get('rtime_hist') as Hist).count, 0);
  assert.equal(csvLine(await cli(sock, 'show stat'), 'be,s1,')('rtime'), 0);
});

test('HTTP queue: with maxconn 1, three concurrent requests wait 0, one and two service times', async () => {
  const slow = await slowServer('slow', DELAY);
  const fePort = await freePort();
  const stPort = await freePort();
  runSwitchyard(['-db', '-f', writeConfig([
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s', '    timeout queue 5s',
    'frontend fe', `    bind 127.0.0.1:${fePort}`, '    default_backend be',
    'backend be', `    server s1 127.0.0.1:${slow} maxconn 1`,
    'listen st', `    bind 127.0.0.1:${stPort}`, '    stats uri /st', '',
  ].join('\n'))]);
  await waitForPort(fePort);
  await waitForPort(stPort);
  const answers = await Promise.all([get(fePort), get(fePort), get(fePort)]);
  assert.deepEqual(answers.map((a) => a.body), ['slow', 'slow', 'slow']);
  const q = jsonRows((await get(stPort, '/st;json')).body).get('be/s1')!.get('qtime_hist') as Hist;
  assert.equal(q.count, 3);
  // The first did not wait (bucket le 0.5 ms); the others waited at least one service
  // time (above 50 ms: nothing between), the last about two (usually (100, 200] ms).
  assert.equal(q.counts[0], 1, `queue counts ${q.counts.join(',')}`);
  assert.equal(q.counts.slice(1, bucket(q, 100)).reduce((a, b) => a + b, 0), 0, `queue counts ${q.counts.join(',')}`);
  assert.ok(q.max >= 2 * (DELAY - 1), `max ${q.max}`);
  assert.ok(q.counts[bucket(q, 100)]! + q.counts[bucket(q, 200)]! >= 1, `queue counts ${q.counts.join(',')}`);
});

test('TCP: a server that speaks 60 ms after the connection fills the (50,100] ms response and total buckets', async () => {
  const port = await slowTcpServer(DELAY);
  const fePort = await freePort();
  const stPort = await freePort();
  runSwitchyard(['-db', '-f', writeConfig([
    'defaults', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'listen tcpx', '    mode tcp', `    bind 127.0.0.1:${fePort}`, `    server t1 127.0.0.1:${port}`,
    'listen st', '    mode http', `    bind 127.0.0.1:${stPort}`, '    stats uri /st', '',
  ].join('\n'))]);
  await waitForPort(stPort);
  await waitForPort(fePort);
  const N = 5;
  for (let i = 0; i < N; i++) assert.equal(await tcpSession(fePort), 'hello\n');
  await new Promise((r) => setTimeout(r, 100)); // the proxy's side of the last session closes
  const t1 = jsonRows((await get(stPort, '/st;json')).body).get('tcpx/t1')!;
  const resp = t1.get('rtime_hist') as Hist;
  mostlyIn(resp, bucket(resp, 100), N, 't1 first byte');
  // Sessions last at least the delay; waitForPort's probe (connect, close) is one more, shorter.
  const total = t1.get('ttime_hist') as Hist;
  assert.equal(total.count, N + 1);
  assert.equal(total.counts.slice(bucket(total, 100)).reduce((a, b) => a + b, 0), N, `sessions ${total.counts.join(',')}`);
  assert.ok(total.counts[bucket(total, 100)]! >= N - 2, `most sessions in (50,100] ms: ${total.counts.join(',')}`);
  const conn = t1.get('ctime_hist') as Hist;
  assert.equal(conn.count, N + 1, 'one connection per session (the probe\'s too)');
  assert.ok(conn.p50 < 20, `connect ${JSON.stringify(conn)}`);
  const prom = parseProm((await get(stPort, '/st/metrics')).body);
  checkHistograms(prom);
  assert.equal(promValue(prom, 'haproxy_server_response_time_histogram_seconds_bucket', { proxy: 'tcpx', server: 't1', le: '0.1' }), resp.counts[bucket(resp, 100)]);
  assert.equal(promValue(prom, 'haproxy_server_response_time_histogram_seconds_bucket', { proxy: 'tcpx', server: 't1', le: '0.05' }), 0);
});
