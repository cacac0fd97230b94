/**
 * Stick tables and tracking end to end (real bin/switchyard, real server): per-source
 * request-rate limits with deny and tarpit, counters read back through `return`, and the
 * same request sequence through HAProxy 2.6 (/usr/sbin/haproxy) as the reference.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { httpBackend, type HttpBackend, ok } from '../helpers/http-backend.ts';
import { cleanup, freePort, runSwitchyard, runToEnd, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli } from '../helpers/cli.ts';

const HAPROXY = '/usr/sbin/haproxy';
const hasHaproxy = existsSync(HAPROXY) && spawnSync(HAPROXY, ['-v']).status === 0;

after(cleanup);

let backendPort = 0;
let srv: HttpBackend;

before(async () => {
  srv = await httpBackend((head) => / \/missing/.test(head) ? 'HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nok' : ok('ok'));
  backendPort = srv.port;
});
after(() => srv.close());

function config(port: number, rules: string, table = 'stick-table type ip size 100k expire 30s store http_req_rate(10s)'): string {
  return `defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
  timeout tarpit 300ms
frontend fe
  bind 127.0.0.1:${port}
  ${table}
${rules}
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort}
`;
}

async function lb(rules: string, table?: string): Promise<number> {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(config(port, rules, table))]);
  await waitForPort(port);
  return port;
}

/** One request on a new connection (Connection: close); status (0: no answer), body and time taken. */
function get(port: number, path = '/'): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => { got += d; });
    s.on('error', () => {}); // a rejected connection is reset: status 0
    s.on('close', () => {
      const end = got.indexOf('\r\n\r\n');
      resolve({ status: Number(got.slice(9, 12)), body: end < 0 ? '' : got.slice(end + 4), ms: performance.now() - t0 });
    });
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

test('rate limit: the 11th request within 10 s gets 429, the server saw exactly 10', async () => {
  const port = await lb(`  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }`);
  srv.heads.length = 0;
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await get(port)).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
  assert.equal(srv.heads.length, 10);
});

test('rate limit with tarpit: over the limit the client is held for timeout tarpit, then gets 500', async () => {
  const port = await lb(`  http-request track-sc0 src
  http-request tarpit if { sc_http_req_rate(0) gt 3 }`);
  srv.heads.length = 0;
  const res = [];
  for (let i = 0; i < 5; i++) res.push(await get(port));
  assert.deepEqual(res.map((r) => r.status), [200, 200, 200, 500, 500]);
  assert.equal(srv.heads.length, 3);
  assert.ok(res[3]!.ms >= 250, `tarpitted for ${res[3]!.ms} ms`);
  assert.ok(res[0]!.ms < 250);
});

test('tcp-request connection track-sc1 counts connections; src_ and table_ lookups read the same entry', async () => {
  const port = await lb(`  tcp-request connection track-sc1 src
  http-request return status 200 content-type text/plain lf-string "cnt=%[sc1_conn_cnt] cur=%[sc_conn_cur(1)] rate=%[sc1_conn_rate] src=%[src_conn_cnt] tbl=%[src,table_conn_cnt(fe)] tracked=%[sc_tracked(1)] sc0=%[sc0_tracked] n=%[table_cnt]"`,
  'stick-table type ip size 10 expire 30s store conn_cnt,conn_cur,conn_rate(10s)');
  // waitForPort's probe was a connection too: read the count, then expect one more each time.
  const a = await get(port);
  const n = Number(/cnt=(\d+)/.exec(a.body)?.[1]);
  assert.equal(a.body, `cnt=${n} cur=1 rate=${n} src=${n} tbl=${n} tracked=1 sc0=0 n=1`);
  const b = await get(port);
  assert.equal(b.body, `cnt=${n + 1} cur=1 rate=${n + 1} src=${n + 1} tbl=${n + 1} tracked=1 sc0=0 n=1`);
});

test('sc-inc-gpc0 and sc-set-gpt0 change the tracked entry; an untracked sc fetch has no value', async () => {
  const port = await lb(`  http-request return status 200 content-type text/plain lf-string "none=[%[sc0_get_gpc0]]" if { path /none }
  http-request track-sc0 src
  http-request sc-inc-gpc0(0)
  http-request sc-set-gpt0(0) 42
  http-request return status 200 content-type text/plain lf-string "gpc0=%[sc0_get_gpc0] gpt0=%[sc_get_gpt0(0)] rate=%[sc0_gpc0_rate]"`,
  'stick-table type ip size 10 expire 30s store gpc0,gpc0_rate(10s),gpt0');
  assert.equal((await get(port, '/none')).body, 'none=[]');
  assert.equal((await get(port)).body, 'gpc0=1 gpt0=42 rate=1');
  assert.equal((await get(port)).body, 'gpc0=2 gpt0=42 rate=2');
});

test('configuration: stick-table and track-sc errors are reported; peers is refused as not implemented', async () => {
  const bad = await runToEnd(['-c', '-f', writeConfig(config(1, '  http-request track-sc3 src', 'stick-table type ip size 10 store nope'))]);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /unknown or not implemented data type 'nope'/);
  const peers = await runToEnd(['-c', '-f', writeConfig(config(1, '', 'stick-table type ip size 10 peers p'))]);
  assert.equal(peers.code, 1);
  assert.match(peers.out, /peers.*not implemented/);
  const good = await runToEnd(['-c', '-f', writeConfig(config(1, '  tcp-request connection track-sc0 src\n  http-request track-sc1 req.hdr(host),lower table fe\n  http-request deny if { sc0_conn_rate gt 5 }'))]);
  assert.equal(good.code, 0, good.out);
});

/**
 * The reference: the same counters for the same sequence in HAProxy 2.6 and in
 * Switchyard — request rate and count, connection counters at http-request level,
 * error counts after a 404 and a deny, gpc0 and its rate.
 */
const COMPARE_RULES = `  http-request track-sc0 src
  http-request sc-inc-gpc0(0) if { path /inc }
  http-request deny deny_status 403 if { path /deny }
  http-request return status 200 content-type text/plain lf-string "req=%[sc_http_req_rate(0)]/%[sc0_http_req_cnt] conn=%[sc0_conn_cnt]/%[sc0_conn_cur]/%[sc0_conn_rate] sess=%[sc0_sess_cnt] err=%[sc0_http_err_cnt]/%[sc0_http_err_rate] gpc0=%[sc0_get_gpc0]/%[sc0_gpc0_rate] src=%[src_http_req_cnt] t=%[table_cnt] trk=%[sc0_trackers]" if { path /show }`;
const COMPARE_TABLE = 'stick-table type ip size 100 expire 30s store http_req_rate(10s),http_req_cnt,conn_cnt,conn_cur,conn_rate(10s),sess_cnt,http_err_cnt,http_err_rate(10s),gpc0,gpc0_rate(10s)';
const SEQUENCE = ['/show', '/a', '/missing', '/show', '/inc', '/inc', '/deny', '/show', '/missing', '/show'];

async function runSequence(port: number): Promise<string[]> {
  const out: string[] = [];
  for (const p of SEQUENCE) {
    // conn_cur and the tracker count depend on whether the proxy has already processed the
    // previous connection's close (the client sees it first): give both programs time to.
    if (p === '/show') await new Promise((r) => setTimeout(r, 150));
    const r = await get(port, p);
    out.push(p === '/show' ? r.body : String(r.status));
  }
  return out;
}

test('the same counters as HAProxy 2.6 for the same request sequence', { skip: hasHaproxy ? false : 'no /usr/sbin/haproxy (Debian package haproxy)' }, async () => {
  const hport = await freePort();
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(config(hport, COMPARE_RULES, COMPARE_TABLE))], { stdio: 'ignore' });
  let ref: string[];
  try {
    await waitForPort(hport);
    ref = await runSequence(hport);
  } finally {
    hp.kill('SIGTERM');
  }
  const port = await lb(COMPARE_RULES, COMPARE_TABLE);
  const ours = await runSequence(port);
  assert.deepEqual(ours, ref);
});

/** Requests one after the other on one keep-alive connection; each answer's status or body. */
function keepAlive(port: number, paths: string[], localAddress = '127.0.0.1'): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    const out: string[] = [];
    let got = '';
    let i = 0;
    const next = (): void => {
      if (i === paths.length) { s.destroy(); resolve(out); return; }
      s.write(`GET ${paths[i]} HTTP/1.1\r\nHost: x\r\n\r\n`);
    };
    s.setEncoding('latin1');
    s.on('error', reject);
    s.on('close', () => { if (i < paths.length) resolve([...out, 'closed']); });
    s.on('data', (d: string) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: *(\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length < end + 4 + len) return;
      out.push(paths[i] === '/show' ? got.slice(end + 4, end + 4 + len) : got.slice(9, 12));
      got = got.slice(end + 4 + len);
      i++;
      next();
    });
    next();
  });
}

const SESSION_RULES = `  tcp-request connection track-sc0 src
  http-request track-sc1 src
  http-request return status 200 content-type text/plain lf-string "s0=%[sc0_http_req_cnt]/%[sc0_conn_cnt]/%[sc0_conn_cur]/%[sc0_sess_cnt]/%[sc0_sess_rate]/%[sc0_http_err_cnt] s1=%[sc1_trackers] src=%[src_http_req_cnt]/%[src_conn_cur]" if { path /show }`;
const SESSION_TABLE = 'stick-table type ip size 100 expire 30s store http_req_cnt,conn_cnt,conn_cur,sess_cnt,sess_rate(10s),http_err_cnt';

test('the same session-level counters as HAProxy 2.6 over keep-alive connections', { skip: hasHaproxy ? false : 'no /usr/sbin/haproxy (Debian package haproxy)' }, async () => {
  const paths = ['/show', '/a', '/missing', '/show', '/show'];
  // From 127.0.0.2: the readiness probes (from 127.0.0.1) do not touch the entry compared;
  // a pause lets each side see the first connection closed before the second one.
  const pause = (): Promise<unknown> => new Promise((r) => setTimeout(r, 150));
  const run = async (port: number): Promise<string[]> => {
    // A connection that closes without a request (HAProxy counts a request and an error).
    await new Promise<void>((r) => { const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' }, () => { s.destroy(); r(); }); s.on('error', () => r()); });
    await pause();
    const first = await keepAlive(port, paths, '127.0.0.2');
    await pause();
    return [...first, ...await keepAlive(port, ['/show'], '127.0.0.2')];
  };
  const hport = await freePort();
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(config(hport, SESSION_RULES, SESSION_TABLE))], { stdio: 'ignore' });
  let ref: string[];
  try {
    await waitForPort(hport);
    ref = await run(hport);
  } finally {
    hp.kill('SIGTERM');
  }
  const port = await lb(SESSION_RULES, SESSION_TABLE);
  const ours = await run(port);
  assert.deepEqual(ours, ref);
});

test('runtime API: show table and clear table in HAProxy\'s format', async () => {
  const port = await freePort();
  const sock = join(tempDir(), 'admin.sock');
  runSwitchyard(['-d', '-f', writeConfig(`global\n  stats socket ${sock} level admin\n${config(port, `  http-request track-sc0 src
  http-request return status 200 content-type text/plain string ok`, 'stick-table type ip size 100k expire 30s store server_id,gpc0,conn_cur,http_req_cnt,http_req_rate(10s)')}
backend be2
  stick-table type string len 16 size 10 store gpc0
`)]);
  await waitForPort(port);
  await get(port);
  assert.equal(await cli(sock, 'show table'), '# table: be2, type: string, size:10, used:0\n# table: fe, type: ip, size:102400, used:1\n\n');
  const dump = await cli(sock, 'show table fe');
  assert.match(dump, /^# table: fe, type: ip, size:102400, used:1\n0x[0-9a-f]{12}: key=127\.0\.0\.1 use=0 exp=(\d+) server_id=0 gpc0=0 conn_cur=0 http_req_cnt=1 http_req_rate\(10000\)=1\n\n$/);
  assert.ok(Number(/exp=(\d+)/.exec(dump)![1]) > 25_000);
  assert.equal(await cli(sock, 'show table nope'), 'No such table\n\n');
  assert.equal(await cli(sock, 'clear table fe'), '\n');
  assert.equal(await cli(sock, 'show table fe'), '# table: fe, type: ip, size:102400, used:0\n\n');
});

test('connection limit per source: tcp-request connection rejects past sc1_conn_cur; a closed connection frees its place', async () => {
  const port = await lb(`  tcp-request connection track-sc1 src
  tcp-request connection reject if { sc1_conn_cur gt 2 }`, 'stick-table type ip size 10 expire 30s store conn_cur');
  const open = (): Promise<net.Socket> => new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => r(s)); s.on('error', () => {}); });
  const a = await open();
  const b = await open();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await get(port)).status, 0); // closed without an answer
  a.destroy();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await get(port)).status, 200);
  b.destroy();
});
