/**
 * The statistics page and `show stat`, end to end: real bin/switchyard on a real config,
 * real HTTP servers on 127.0.0.1, real requests. The CSV header line is compared with
 * the one HAProxy 2.6 prints for an equivalent configuration (skipped, with the reason,
 * when /usr/sbin/haproxy is absent); counters are checked after real traffic; the admin
 * form changes where real traffic goes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, runToEnd, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli, waitForSocket } from '../helpers/cli.ts';

const HAPROXY = '/usr/sbin/haproxy';
const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

/** An HTTP server answering its name; counts hits. */
async function webServer(name: string): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const srv = http.createServer((req, res) => {
    req.resume();
    hits++;
    res.writeHead(200, { 'content-length': Buffer.byteLength(name) });
    res.end(name);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => { srv.closeAllConnections(); srv.close(); });
  return { port: (srv.address() as net.AddressInfo).port, hits: () => hits };
}

interface Resp { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One command line on a CLI socket; the whole answer. */
function csvRows(csv: string): Map<string, Record<string, string>> {
  const lines = csv.trim().split('\n');
  const cols = lines[0]!.slice(2).split(',');
  const out = new Map<string, Record<string, string>>();
  for (const l of lines.slice(1)) {
    const cells = l.split(',');
    const rec: Record<string, string> = {};
    cols.forEach((c, i) => { rec[c] = cells[i] ?? ''; });
    out.set(`${rec.pxname}/${rec.svname}`, rec);
  }
  return out;
}

interface Setup { fePort: number; stPort: number; sock: string; a: { port: number; hits: () => number }; b: { port: number; hits: () => number } }

async function start(statsLines: string[]): Promise<Setup> {
  const a = await webServer('A');
  const b = await webServer('B');
  const fePort = await freePort();
  const stPort = await freePort();
  const dir = tempDir();
  const sock = join(dir, 'admin.sock');
  const cfg = [
    'global', `    stats socket ${sock} level admin`,
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'frontend fe', `    bind 127.0.0.1:${fePort}`, '    default_backend be',
    'backend be', `    server s1 127.0.0.1:${a.port}`, `    server s2 127.0.0.1:${b.port}`,
    'listen st', `    bind 127.0.0.1:${stPort}`, ...statsLines.map((l) => `    ${l}`), '',
  ].join('\n');
  runSwitchyard(['-db', '-f', writeConfig(cfg, dir)]);
  await waitForPort(fePort);
  await waitForSocket(sock);
  return { fePort, stPort, sock, a, b };
}

test('show stat: the CSV header line is byte for byte HAProxy 2.6\'s, rows in its order', async (t) => {
  const s = await start(['stats enable', 'stats uri /st']);
  const ours = await cli(s.sock, 'show stat');
  if (!existsSync(HAPROXY)) { t.skip('haproxy not installed (apt-get install haproxy)'); return; }
  const dir = tempDir();
  const hsock = join(dir, 'h.sock');
  const p1 = await freePort();
  const p2 = await freePort();
  const cfg = [
    'global', `    stats socket ${hsock} level admin`,
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'frontend fe', `    bind 127.0.0.1:${p1}`, '    default_backend be',
    'backend be', `    server s1 127.0.0.1:${s.a.port}`, `    server s2 127.0.0.1:${s.b.port}`,
    'listen st', `    bind 127.0.0.1:${p2}`, '    stats enable', '    stats uri /st', '',
  ].join('\n');
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(cfg, dir)], { stdio: 'ignore' });
  closers.push(() => hp.kill('SIGKILL'));
  await waitForSocket(hsock);
  const theirs = await cli(hsock, 'show stat');
  hp.kill('SIGINT');
  assert.equal(ours.split('\n')[0], theirs.split('\n')[0]);
  const keys = (csv: string): string[] => [...csvRows(csv).keys()];
  assert.deepEqual(keys(ours), keys(theirs));
  // Every row has exactly as many cells as the header names.
  const n = ours.split('\n')[0]!.split(',').length;
  for (const line of ours.trim().split('\n').slice(1)) assert.equal(line.split(',').length, n, line);
});

test('counters move with real traffic: sessions, requests, status classes, LB picks', async () => {
  const s = await start(['stats enable', 'stats uri /st']);
  // waitForPort's probe connection is a session too: count from here.
  const stot0 = Number(csvRows(await cli(s.sock, 'show stat')).get('fe/FRONTEND')!.stot);
  for (let i = 0; i < 10; i++) assert.equal((await request(s.fePort, '/')).status, 200);
  const rows = csvRows(await cli(s.sock, 'show stat'));
  const fe = rows.get('fe/FRONTEND')!;
  assert.equal(Number(fe.stot) - stot0, 10);
  assert.equal(fe.req_tot, '10');
  assert.equal(fe.hrsp_2xx, '10');
  assert.equal(fe.status, 'OPEN');
  const be = rows.get('be/BACKEND')!;
  assert.equal(be.lbtot, '10');
  assert.equal(be.hrsp_2xx, '10');
  assert.equal(be.status, 'UP');
  assert.equal(be.act, '2');
  assert.equal(Number(rows.get('be/s1')!.lbtot) + Number(rows.get('be/s2')!.lbtot), 10);
  assert.equal(rows.get('be/s1')!.lbtot, String(s.a.hits()));
  assert.equal(rows.get('be/s1')!.status, 'no check');
  assert.equal(rows.get('be/s1')!.addr, `127.0.0.1:${s.a.port}`);
  // A column for a feature Switchyard lacks is empty, never an invented 0.
  assert.equal(fe.comp_in, '');
  assert.equal(fe.qtime, '');
  // Rates and state times are sampled once a second.
  await new Promise((r) => setTimeout(r, 1200));
  const later = csvRows(await cli(s.sock, 'show stat'));
  assert.ok(Number(later.get('fe/FRONTEND')!.rate_max) >= 1);
  assert.ok(Number(later.get('fe/FRONTEND')!.req_rate_max) >= 1);
  assert.match(later.get('be/BACKEND')!.lastsess ?? '', /^[01]$/);
  assert.equal(later.get('be/BACKEND')!.chkdown, '0');
  await cli(s.sock, 'set server be/s1 state maint; set server be/s2 state maint');
  await new Promise((r) => setTimeout(r, 1200));
  const down = csvRows(await cli(s.sock, 'show stat')).get('be/BACKEND')!;
  assert.equal(down.status, 'DOWN');
  assert.equal(down.chkdown, '1');
  assert.match(down.lastchg ?? '', /^[01]$/);
});

test('stats page: basic auth with the realm, then HTML, ;csv, ;json, ;up and /metrics', async () => {
  const s = await start(['stats uri /st', 'stats realm Ops\\ only', 'stats auth ops:secret', 'stats refresh 7s', 'stats show-legends']);
  const denied = await request(s.stPort, '/st');
  assert.equal(denied.status, 401);
  assert.equal(denied.headers['www-authenticate'], 'Basic realm="Ops only"');
  const wrong = await request(s.stPort, '/st', { headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
  assert.equal(wrong.status, 401);
  const auth = { authorization: `Basic ${Buffer.from('ops:secret').toString('base64')}` };
  const page = await request(s.stPort, '/st', { headers: auth });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal(page.headers.refresh, '7');
  for (const px of ['fe', 'be', 'st']) assert.match(page.body, new RegExp(`data-proxy="${px}"`));
  assert.ok(!/<script|https?:\/\//.test(page.body.replace(/<a href="[^"]*"/g, '')), 'no script, no external asset');
  assert.equal((await request(s.stPort, '/st;norefresh', { headers: auth })).headers.refresh, undefined);
  const head = await request(s.stPort, '/st', { method: 'HEAD', headers: auth });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  const csv = await request(s.stPort, '/st;csv', { headers: auth });
  assert.equal(csv.body.split('\n')[0], (await cli(s.sock, 'show stat')).split('\n')[0]);
  const json = JSON.parse((await request(s.stPort, '/st;json', { headers: auth })).body) as { objType: string; field: { name: string } }[][];
  assert.deepEqual(json.map((r) => r[0]!.objType), ['Frontend', 'Server', 'Server', 'Backend', 'Frontend', 'Backend']);
  await cli(s.sock, 'set server be/s2 state maint');
  const up = csvRows((await request(s.stPort, '/st;up;csv', { headers: auth })).body);
  assert.ok(up.has('be/s1') && !up.has('be/s2'));
  const metrics = await request(s.stPort, '/st/metrics', { headers: auth });
  assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.match(metrics.body, /^haproxy_server_status\{proxy="be",server="s2",state="MAINT"\} 1$/m);
  assert.match(metrics.body, /^haproxy_frontend_current_sessions\{proxy="fe"\} \d+$/m);
  assert.match(metrics.body, /^# TYPE haproxy_backend_http_responses_total counter$/m);
});

test('stats admin: a POSTed drain moves real traffic off a server; refused when the condition is false', async () => {
  const s = await start(['stats uri /st', 'stats admin if LOCALHOST']);
  const post = await request(s.stPort, '/st', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'b=be&s=s1&action=drain' });
  assert.equal(post.status, 303);
  assert.equal(post.headers.location, '/st;st=DONE');
  assert.match(csvRows(await cli(s.sock, 'show stat')).get('be/s1')!.status ?? '', /^DRAIN/);
  const before = s.a.hits();
  for (let i = 0; i < 6; i++) await request(s.fePort, '/');
  assert.equal(s.a.hits(), before, 'a drained server gets no new traffic');
  const w = await request(s.stPort, '/st', { method: 'POST', body: 'b=be&s=s1&s=s2&action=weight&weight=7' });
  assert.equal(w.headers.location, '/st;st=DONE');
  assert.equal(await cli(s.sock, 'get weight be/s2'), '7 (initial 1)\n\n');

  const n = await start(['stats uri /st', 'stats admin unless LOCALHOST']);
  const refused = await request(n.stPort, '/st', { method: 'POST', body: 'b=be&s=s1&action=maint' });
  assert.equal(refused.headers.location, '/st;st=DENY');
  assert.equal(csvRows(await cli(n.sock, 'show stat')).get('be/s1')!.status, 'no check');
});

test('stats keywords: errors as HAProxy reports them; stats admin takes any ACL condition', async () => {
  const base = ['defaults', '    mode http', '    timeout connect 1s', '    timeout client 1s', '    timeout server 1s'];
  const check = (lines: string[]): Promise<{ code: number | null; out: string }> => runToEnd(['-c', '-f', writeConfig([...base, ...lines, ''].join('\n'))]);
  const ok = await check(['listen l', '    bind 127.0.0.1:1', '    stats enable', '    stats uri /s', '    stats auth a:b', '    stats refresh 10s', '    stats admin if TRUE', '    stats hide-version', '    stats show-node', '    stats scope .']);
  assert.equal(ok.code, 0, ok.out);
  const acl = await check(['listen l', '    bind 127.0.0.1:1', '    acl ops hdr(x-ops) yes', '    stats admin if ops { src 10.0.0.0/8 } || LOCALHOST']);
  assert.equal(acl.code, 0, acl.out);
  const cases: [string[], RegExp][] = [
    [['    stats admin if TRUE'], /'stats admin' not allowed in 'defaults' section/],
    [['listen l', '    bind 127.0.0.1:1', '    stats admin'], /requires either 'if' or 'unless'/],
    [['listen l', '    bind 127.0.0.1:1', '    stats admin if nosuchacl'], /no such ACL : 'nosuchacl'/],
    [['listen l', '    bind 127.0.0.1:1', '    stats bogus'], /unknown stats parameter 'bogus'/],
    [['listen l', '    bind 127.0.0.1:1', '    stats uri'], /'stats uri' needs a URI prefix/],
    [['listen l', '    bind 127.0.0.1:1', '    stats refresh x'], /'stats refresh'/],
  ];
  for (const [lines, re] of cases) {
    const r = await check(lines);
    assert.equal(r.code, 1, lines.join(' | '));
    assert.match(r.out, re);
  }
});

test('stats admin if COND: real ACL conditions on the request to the page (header, http_auth with a userlist)', async () => {
  const s = await start(['acl ops_hdr hdr(x-ops) yes', 'stats uri /st', 'stats admin if ops_hdr LOCALHOST']);
  const form = 'b=be&s=s1&action=maint';
  const refused = await request(s.stPort, '/st', { method: 'POST', body: form });
  assert.equal(refused.headers.location, '/st;st=DENY');
  assert.equal(csvRows(await cli(s.sock, 'show stat')).get('be/s1')!.status, 'no check');
  const page = await request(s.stPort, '/st');
  assert.ok(!page.body.includes('name="action"'), 'no admin form without the header');
  assert.match((await request(s.stPort, '/st', { headers: { 'x-ops': 'yes' } })).body, /name="action"/);
  const done = await request(s.stPort, '/st', { method: 'POST', headers: { 'x-ops': 'yes' }, body: form });
  assert.equal(done.headers.location, '/st;st=DONE');
  assert.equal(csvRows(await cli(s.sock, 'show stat')).get('be/s1')!.status, 'MAINT');

  // http_auth(userlist): the same credentials the browser sends for the page.
  const dir = tempDir();
  const port = await freePort();
  const backendPort = s.a.port;
  runSwitchyard(['-db', '-f', writeConfig([
    'userlist ops', '    user admin insecure-password s3cret',
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'backend be', `    server s1 127.0.0.1:${backendPort}`,
    'listen st', `    bind 127.0.0.1:${port}`, '    stats uri /st', '    stats admin if { http_auth(ops) }', '',
  ].join('\n'), dir)]);
  await waitForPort(port);
  const basic = (up: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(up).toString('base64')}` });
  assert.equal((await request(port, '/st', { method: 'POST', headers: basic('admin:wrong'), body: 'b=be&s=s1&action=drain' })).headers.location, '/st;st=DENY');
  assert.equal((await request(port, '/st', { method: 'POST', headers: basic('admin:s3cret'), body: 'b=be&s=s1&action=drain' })).headers.location, '/st;st=DONE');
  assert.match((await request(port, '/st;csv')).body, /^be,s1,(?:[^,]*,){15}DRAIN,/m);
});

test('a frontend with stats serves the page itself (HAProxy\'s "frontend stats" setup)', async () => {
  const { freePort: fp, runSwitchyard: run, waitForPort: wait, writeConfig: wc } = await import('../helpers/switchyard.ts');
  const port = await fp();
  run(['-d', '-f', wc(`defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend stats\n  bind 127.0.0.1:${port}\n  stats enable\n  stats uri /monitor\nbackend unused\n  server s1 127.0.0.1:1\n`)]);
  await wait(port);
  const res = await fetch(`http://127.0.0.1:${port}/monitor;csv`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^# pxname,svname,qcur,qmax,/);
});
