/**
 * `http-request use-service prometheus-exporter if { path /metrics }` through the real
 * binary: the exporter answers on the rule's condition, its counters move with traffic,
 * `scope=` and `no-maint` filter it; and next to HAProxy 2.6 (built with its exporter) on
 * the same config: the same answers to the query parameters, and every metric family we
 * export under HAProxy's names exists in HAProxy's output (the differences are listed in
 * docs/configuration.md).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { HAPROXY, missingHaproxy, rawRequest, runHaproxy, stopHaproxies } from '../helpers/haproxy.ts';

after(async () => { stopHaproxies(); await cleanup(); });

let backendPort = 0;
let srv: net.Server;
before(async () => {
  srv = net.createServer((s) => {
    s.on('error', () => {});
    s.on('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  backendPort = (srv.address() as net.AddressInfo).port;
});
after(() => srv.close());

function cfg(port: number): string {
  return `defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  http-request use-service prometheus-exporter if { path /metrics }
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort}
  server s2 127.0.0.1:${backendPort} disabled
`;
}

interface Scrape { status: number; type: string; families: Map<string, string>; samples: Map<string, number> }

/** GET `path`; the families (# TYPE lines) and each sample line's value by its name{labels}. */
async function scrape(port: number, path: string): Promise<Scrape> {
  const r = await rawRequest(port, `GET ${path} HTTP/1.1\r\nhost: a\r\n\r\n`);
  const families = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of r.status === 200 ? r.body.split('\n') : []) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) { families.set(t[1]!, t[2]!); continue; }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?) (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${JSON.stringify(line)}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return { status: r.status, type: /content-type: *([^\r\n]*)/i.exec(r.head)?.[1] ?? '', families, samples };
}

async function traffic(port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) assert.equal((await rawRequest(port, 'GET /app HTTP/1.1\r\nhost: a\r\n\r\n')).status, 200);
}

const v = (s: Scrape, key: string): number => {
  const x = s.samples.get(key);
  assert.ok(x !== undefined, `sample ${key} is exported`);
  return x;
};

test('use-service prometheus-exporter answers on its condition; frontend, backend and server counters move', async () => {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(cfg(port))]);
  await waitForPort(port);
  const a = await scrape(port, '/metrics');
  assert.equal(a.status, 200);
  assert.equal(a.type, 'text/plain; version=0.0.4');
  await traffic(port, 5);
  const b = await scrape(port, '/metrics');
  const fe = '{proxy="fe"}';
  const be = '{proxy="be"}';
  const s1 = '{proxy="be",server="s1"}';
  // The scrapes themselves are frontend requests (answered by the service, not the backend).
  assert.equal(v(b, `haproxy_frontend_http_requests_total${fe}`) - v(a, `haproxy_frontend_http_requests_total${fe}`), 6);
  assert.equal(v(b, `haproxy_backend_http_requests_total${be}`) - v(a, `haproxy_backend_http_requests_total${be}`), 5);
  assert.equal(v(b, `haproxy_server_http_responses_total{proxy="be",server="s1",code="2xx"}`) - v(a, `haproxy_server_http_responses_total{proxy="be",server="s1",code="2xx"}`), 5);
  assert.ok(v(b, `haproxy_frontend_bytes_out_total${fe}`) > v(a, `haproxy_frontend_bytes_out_total${fe}`));
  assert.equal(v(b, `haproxy_server_loadbalanced_total${s1}`) - v(a, `haproxy_server_loadbalanced_total${s1}`), 5);
  assert.equal(v(b, `haproxy_server_status{proxy="be",server="s2",state="MAINT"}`), 1);
  for (const f of a.families.keys()) assert.match(f, /^haproxy_(process|frontend|backend|server)_/);
  // Not the condition: the request goes to the backend as usual.
  assert.equal((await rawRequest(port, 'GET /metrics/x HTTP/1.1\r\nhost: a\r\n\r\n')).body, 'ok');
  // Query parameters: scope (repeatable, all, empty), no-maint, bad scope.
  const fOnly = await scrape(port, '/metrics?scope=frontend');
  assert.ok(fOnly.families.size > 0 && [...fOnly.families.keys()].every((f) => f.startsWith('haproxy_frontend_')));
  const two = await scrape(port, '/metrics?scope=global&scope=server');
  assert.ok([...two.families.keys()].every((f) => /^haproxy_(process|server)_/.test(f)));
  assert.ok([...two.families.keys()].some((f) => f.startsWith('haproxy_process_')));
  assert.equal((await scrape(port, '/metrics?scope=')).families.size, 0);
  assert.equal((await scrape(port, '/metrics?scope=all')).families.size, b.families.size);
  const noMaint = await scrape(port, '/metrics?scope=server&no-maint');
  assert.ok(![...noMaint.samples.keys()].some((k) => k.includes('server="s2"')));
  assert.ok([...noMaint.samples.keys()].some((k) => k.includes('server="s1"')));
  assert.equal((await scrape(port, '/metrics?scope=nonsense')).status, 400);
  const head = await rawRequest(port, 'HEAD /metrics HTTP/1.1\r\nhost: a\r\n\r\n');
  assert.equal(head.status, 200);
});

const promex = missingHaproxy || (/prometheus-exporter/.test(execFileSync(HAPROXY, ['-vv'], { encoding: 'utf8' })) ? false : 'haproxy was built without its Prometheus exporter');

test('next to HAProxy 2.6\'s exporter: same answers to the query parameters, our families are HAProxy\'s names', { skip: promex }, async (t) => {
  const [hp, sp] = [await freePort(), await freePort()];
  await runHaproxy(cfg(hp), hp);
  runSwitchyard(['-d', '-f', writeConfig(cfg(sp))]);
  await waitForPort(sp);
  await traffic(hp, 3);
  await traffic(sp, 3);
  for (const q of ['', '?scope=frontend', '?scope=', '?scope=nonsense', '?scope=backend&scope=server&no-maint']) {
    const [h, s] = [await scrape(hp, `/metrics${q}`), await scrape(sp, `/metrics${q}`)];
    assert.equal(s.status, h.status, `status for ${q}`);
    const kinds = (x: Scrape): string[] => [...new Set([...x.families.keys()].map((f) => f.split('_')[1]!))].sort();
    assert.deepEqual(kinds(s), kinds(h), `scopes exported for '${q}'`);
    if (q.includes('no-maint')) assert.equal([...h.samples.keys()].some((k) => k.includes('server="s2"')), false);
  }
  const [h, s] = [await scrape(hp, '/metrics'), await scrape(sp, '/metrics')];
  // Our histograms are an addition under names of our own.
  const ours = [...s.families.keys()].filter((f) => !f.endsWith('_time_histogram_seconds'));
  const notHaproxy = ours.filter((f) => !h.families.has(f));
  assert.deepEqual(notHaproxy, [], 'families exported under names HAProxy 2.6 does not use');
  for (const f of ours) assert.equal(s.families.get(f), h.families.get(f), `TYPE of ${f}`);
  const missing = [...h.families.keys()].filter((f) => !s.families.has(f)).sort();
  t.diagnostic(`HAProxy 2.6 families Switchyard does not export (${missing.length} of ${h.families.size}): ${missing.join(' ')}`);
});
