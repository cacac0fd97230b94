/**
 * Server persistence with `stick` rules, end to end (real bin/switchyard, real servers on
 * 127.0.0.1): a client keeps its server across requests in mode http (key from a header)
 * and mode tcp (key: the source address), is balanced again once its entry expired, and
 * `show table` shows server_id/server_key; the same request sequences through HAProxy 2.6
 * choose the same servers; table references that do not exist are refused at `-c` with
 * HAProxy's exit codes.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { cleanup, freePort, namedEchoServer, runSwitchyard, runToEnd, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli } from '../helpers/cli.ts';

const HAPROXY = '/usr/sbin/haproxy';
const hasHaproxy = existsSync(HAPROXY) && spawnSync(HAPROXY, ['-v']).status === 0;

after(cleanup);

const TIMEOUTS = '  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n';

/** HTTP servers s1..s3 answering their name; each response carries `x-sid: <name>-<n>`. */
const counters = new Map<string, number>();
const httpPorts: number[] = [];
const httpServers: http.Server[] = [];
before(async () => {
  for (const name of ['s1', 's2', 's3']) {
    const srv = http.createServer((_req, res) => {
      const n = (counters.get(name) ?? 0) + 1;
      counters.set(name, n);
      res.setHeader('x-sid', `${name}-${n}`);
      res.end(name);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    httpServers.push(srv);
    httpPorts.push((srv.address() as net.AddressInfo).port);
  }
});
after(() => { for (const s of httpServers) s.close(); });

/** One request on a new connection; the body (the server's name) or `status:<code>`. */
function get(port: number, headers: Record<string, string> = {}, localAddress = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, localAddress, path: '/', headers: { ...headers, connection: 'close' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(res.statusCode === 200 ? body : `status:${res.statusCode}`));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A TCP session from `localAddress`: the first line the server sends (its name). */
function tcpName(port: number, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const nl = got.indexOf('\n');
      if (nl >= 0) { s.destroy(); resolve(got.slice(0, nl)); }
    });
    s.on('error', reject);
    s.on('close', () => resolve(got || 'closed'));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function start(text: string, port: number): Promise<void> {
  runSwitchyard(['-d', '-f', writeConfig(text)]);
  await waitForPort(port);
}

test('mode http: a user keeps its server, show table names it, and after expiry it is balanced again', async () => {
  const port = await freePort();
  const sock = join(tempDir(), 'admin.sock');
  await start(`global\n  stats socket ${sock} level admin\ndefaults\n  mode http\n${TIMEOUTS}frontend fe\n  bind 127.0.0.1:${port}\n  default_backend be
backend be
  balance roundrobin
  stick-table type string len 16 size 1k expire 1500ms
  stick on req.hdr(x-user)
  server s1 127.0.0.1:${httpPorts[0]}
  server s2 127.0.0.1:${httpPorts[1]}
`, port);
  const seq: string[] = [];
  for (const u of ['a', 'b', 'c', 'a', 'b', 'c', 'a']) seq.push(await get(port, { 'x-user': u }));
  assert.deepEqual(seq, ['s1', 's2', 's1', 's1', 's2', 's1', 's1']);
  assert.equal(await get(port), 's2'); // no header: no key, plain round robin
  const table = await cli(sock, 'show table be');
  assert.match(table, /^# table: be, type: string, size:1024, used:3\n/);
  assert.match(table, /key=a use=0 exp=\d+ server_id=1 server_key=s1\n/);
  assert.match(table, /key=b use=0 exp=\d+ server_id=2 server_key=s2\n/);
  // Entries expire 1.5 s after their last use: then the next pick of round robin applies.
  await sleep(1800);
  assert.match(await cli(sock, 'show table be'), /used:0\n/);
  assert.deepEqual([await get(port, { 'x-user': 'a' }), await get(port, { 'x-user': 'b' }), await get(port, { 'x-user': 'a' })], ['s1', 's2', 's1']);
});

test('mode tcp: stick on src keeps each client address on its server until the entry expires', async () => {
  const port = await freePort();
  const [a, b] = [await namedEchoServer('t1'), await namedEchoServer('t2')];
  await start(`defaults\n  mode tcp\n${TIMEOUTS}listen app\n  bind 127.0.0.1:${port}
  balance roundrobin
  stick-table type ip size 1k expire 1500ms
  stick on src
  server t1 127.0.0.1:${a.port}
  server t2 127.0.0.1:${b.port}
`, port);
  // waitForPort's probe from 127.0.0.1 took the first round-robin pick (t1).
  const seq: string[] = [];
  for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.2']) seq.push(await tcpName(port, ip));
  assert.deepEqual(seq, ['t2', 't1', 't2', 't2', 't1', 't2', 't2']);
  await sleep(1800);
  // Expired: balanced again (the next round-robin picks), then sticky on the new servers.
  assert.deepEqual([await tcpName(port, '127.0.0.2'), await tcpName(port, '127.0.0.3'), await tcpName(port, '127.0.0.2')], ['t1', 't2', 't1']);
});

/**
 * The reference: the same configuration and request sequence through HAProxy 2.6 and
 * through Switchyard pick the same servers — stick match on a session id the server
 * hands out (store-response), stick on a user header in another backend's table with a
 * condition, a second store rule on the same table (skipped), and stick on src in tcp.
 */
const SEQUENCE: Record<string, string>[] = [
  {}, { 'x-sid': 's1-1' }, { 'x-user': 'A' }, { 'x-user': 'A' }, { 'x-user': 'B', 'x-sid': 's1-1' }, { 'x-user': 'B' },
  { 'x-sid': 'nope' }, { 'x-user': 'a' }, { 'x-user': 'C' }, { 'x-sid': 's2-1' }, { 'x-user': 'C', 'x-sid': 's3-1' },
  { 'x-user': 'skip' }, { 'x-user': 'skip' }, {}, { 'x-sid': 's1-3' }, { 'x-user': 'A' }, { 'x-user': 'a' },
];

function diffConfig(port: number, tport: number, tservers: number[]): string {
  return `defaults\n  mode http\n${TIMEOUTS}frontend fe\n  bind 127.0.0.1:${port}\n  default_backend be
backend be
  balance roundrobin
  stick-table type string len 32 size 1k expire 30s
  stick match req.hdr(x-sid)
  stick store-response res.hdr(x-sid)
  stick on req.hdr(x-user) table users unless { req.hdr(x-user) -m str skip }
  stick store-request req.hdr(x-user),lower table users
  server s1 127.0.0.1:${httpPorts[0]}
  server s2 127.0.0.1:${httpPorts[1]}
  server s3 127.0.0.1:${httpPorts[2]}
backend users
  stick-table type string len 32 size 1k expire 30s
listen tcpapp
  mode tcp
  bind 127.0.0.1:${tport}
  balance roundrobin
  stick-table type ip size 1k expire 30s
  stick match src
  stick store-request src if { src 127.0.0.2 127.0.0.3 }
  server t1 127.0.0.1:${tservers[0]}
  server t2 127.0.0.1:${tservers[1]}
`;
}

async function diffRun(port: number, tport: number): Promise<{ http: string[]; tcp: string[] }> {
  counters.clear();
  const out: string[] = [];
  for (const h of SEQUENCE) out.push(await get(port, h));
  const tcp: string[] = [];
  for (const ip of ['127.0.0.2', '127.0.0.4', '127.0.0.3', '127.0.0.2', '127.0.0.4', '127.0.0.3', '127.0.0.4']) tcp.push(await tcpName(tport, ip));
  return { http: out, tcp };
}

test('the same servers as HAProxy 2.6 for the same sequence (http and tcp)', { skip: hasHaproxy ? false : 'no /usr/sbin/haproxy (Debian package haproxy)' }, async () => {
  const t = [await namedEchoServer('t1'), await namedEchoServer('t2')].map((s) => s.port);
  const [hport, htport] = [await freePort(), await freePort()];
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(diffConfig(hport, htport, t))], { stdio: 'ignore' });
  let ref: { http: string[]; tcp: string[] };
  try {
    // Only the http port is probed (no request, so no pick); the tcp one binds with it.
    await waitForPort(hport);
    ref = await diffRun(hport, htport);
  } finally {
    hp.kill('SIGTERM');
  }
  const [port, tport] = [await freePort(), await freePort()];
  runSwitchyard(['-d', '-f', writeConfig(diffConfig(port, tport, t))]);
  await waitForPort(port);
  const ours = await diffRun(port, tport);
  assert.deepEqual(ours, ref);
  // The sequence exercises persistence, not just round robin.
  assert.ok(ref.http.filter((s, i) => i > 0 && s === ref.http[i - 1]).length >= 3, ref.http.join(' '));
});

/** -c verdicts: HAProxy 2.6.12's exit codes, and the alert naming the missing table. */
const BASE = `defaults\n  mode http\n${TIMEOUTS}frontend fe\n  bind 127.0.0.1:1\n  default_backend be\n`;
const C_CASES: { name: string; text: string; code: number; message?: RegExp }[] = [
  { name: 'stick without a table', text: 'backend be\n  stick on src\n  server s1 127.0.0.1:1', code: 1, message: /unable to find stick-table 'be'/ },
  { name: 'stick table that is not one', text: 'backend be\n  stick-table type ip size 10\n  stick on src table nope\n  server s1 127.0.0.1:1', code: 1, message: /unable to find stick-table 'nope'/ },
  { name: 'stick table of a proxy without stick-table', text: 'backend be\n  stick on src table t2\n  server s1 127.0.0.1:1\nbackend t2', code: 1, message: /unable to find stick-table 't2'/ },
  { name: 'track-sc0 table nope', text: 'backend be\n  http-request track-sc0 src table nope\n  server s1 127.0.0.1:1', code: 1, message: /unable to find table 'nope' referenced by track-sc0/ },
  { name: 'track-sc1 without own table', text: 'backend be\n  http-request track-sc1 src\n  server s1 127.0.0.1:1', code: 1, message: /unable to find table 'be' referenced by track-sc1/ },
  { name: 'tcp-request track-sc2 table nope', text: 'frontend f2\n  bind 127.0.0.1:2\n  tcp-request connection track-sc2 src table nope\n  default_backend be\nbackend be\n  server s1 127.0.0.1:1', code: 1, message: /unable to find table 'nope' referenced by track-sc2/ },
  { name: 'sc0_ fetch with a missing table (unused acl too)', text: 'backend be\n  acl x sc0_http_req_cnt(nope) gt 0\n  server s1 127.0.0.1:1', code: 1, message: /unable to find table 'nope' referenced in arg 1 of 'sc0_http_req_cnt'/ },
  { name: 'sc_ fetch, table in arg 2', text: 'backend be\n  http-request deny if { sc_http_req_rate(0,nope) gt 1 }\n  server s1 127.0.0.1:1', code: 1, message: /arg 2 of 'sc_http_req_rate'/ },
  { name: 'table_ converter', text: 'backend be\n  http-request set-var(txn.x) src,table_http_req_cnt(nope)\n  server s1 127.0.0.1:1', code: 1, message: /unable to find table 'nope' referenced in arg 1 of 'table_http_req_cnt'/ },
  { name: 'src_ fetch without own table', text: 'backend be\n  http-request deny if { src_http_req_cnt gt 0 }\n  server s1 127.0.0.1:1', code: 1, message: /unable to find table 'be'/ },
  { name: 'table_cnt(nope)', text: 'backend be\n  http-request deny if { table_cnt(nope) gt 0 }\n  server s1 127.0.0.1:1', code: 1, message: /'table_cnt'/ },
  { name: 'stick in defaults', text: 'defaults\n  stick on src\nbackend be\n  server s1 127.0.0.1:1', code: 1 },
  { name: 'stick foo', text: 'backend be\n  stick-table type ip size 10\n  stick foo src\n  server s1 127.0.0.1:1', code: 1 },
  { name: 'stick on without fetch', text: 'backend be\n  stick-table type ip size 10\n  stick on\n  server s1 127.0.0.1:1', code: 1 },
  { name: 'stick trailing word', text: 'backend be\n  stick-table type ip size 10\n  stick on src bogus\n  server s1 127.0.0.1:1', code: 1 },
  { name: 'stick on a response fetch', text: 'backend be\n  stick-table type ip size 10\n  stick on res.hdr(x)\n  server s1 127.0.0.1:1', code: 1 },
  { name: 'stick in a frontend: warning only', text: 'frontend f2\n  bind 127.0.0.1:2\n  stick-table type ip size 10\n  stick on src\nbackend be\n  server s1 127.0.0.1:1', code: 0 },
  { name: 'valid forms', text: 'backend be\n  stick-table type string size 10\n  stick store-response res.hdr(x)\n  stick match req.hdr(x) if { req.hdr(x) -m found }\n  stick store src unless TRUE\n  stick on src table t2\n  http-request track-sc0 src table t2\n  http-request deny if { sc0_http_req_cnt(t2) gt 5 } || { src,table_gpc0(be) gt 1 }\n  server s1 127.0.0.1:1\nbackend t2\n  stick-table type ip size 10 store gpc0,http_req_cnt', code: 0 },
];

test('-c refuses table references that do not exist, with HAProxy\'s exit codes', async () => {
  for (const c of C_CASES) {
    const file = writeConfig(BASE + c.text + '\n');
    const ours = await runToEnd(['-c', '-f', file]);
    assert.equal(ours.code, c.code, `${c.name}: ${ours.out}`);
    if (c.message) assert.match(ours.out, c.message, c.name);
    if (c.code === 1) assert.match(ours.out, /test\.cfg:\d+\]/, `${c.name}: the alert names the line`);
    if (hasHaproxy) {
      const ref = spawnSync(HAPROXY, ['-c', '-f', file]);
      assert.equal(ref.status, c.code, `${c.name}: haproxy says ${ref.stderr}`);
    }
  }
});

/**
 * Server states, against HAProxy 2.6: an entry naming a server in maintenance is not
 * followed (the request is balanced and the entry now names the new server); a draining
 * server still gets the requests that stick to it and no others.
 */
function stateConfig(port: number, sock: string): string {
  return `global\n  stats socket ${sock} level admin\ndefaults\n  mode http\n${TIMEOUTS}frontend fe\n  bind 127.0.0.1:${port}\n  default_backend be
backend be
  balance roundrobin
  stick-table type string len 32 size 1k expire 30s
  stick on req.hdr(x-user)
  server s1 127.0.0.1:${httpPorts[0]}
  server s2 127.0.0.1:${httpPorts[1]}
  server s3 127.0.0.1:${httpPorts[2]}
`;
}

async function stateRun(port: number, sock: string): Promise<string[]> {
  const out: string[] = [];
  const u = async (name: string): Promise<void> => { out.push(`${name}:${await get(port, { 'x-user': name })}`); };
  const cmd = async (line: string): Promise<void> => { await cli(sock, line); out.push(line); };
  await u('a'); await u('b'); await u('c'); // s1 s2 s3
  await cmd('set server be/s1 state maint');
  await u('a'); await u('a'); await u('d'); // a rebalanced, then sticks there
  await cmd('set server be/s1 state ready');
  await u('a');
  await cmd('set server be/s2 state drain');
  await u('b'); await u('e'); await u('b'); // b stays on the draining s2; e never goes there
  await cmd('set server be/s2 state ready');
  await u('b'); await u('f');
  return out;
}

test('maintenance and drain: the same servers as HAProxy 2.6', { skip: hasHaproxy ? false : 'no /usr/sbin/haproxy (Debian package haproxy)' }, async () => {
  const dir = tempDir();
  const [hport, hsock] = [await freePort(), join(dir, 'h.sock')];
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(stateConfig(hport, hsock), dir)], { stdio: 'ignore' });
  let ref: string[];
  try {
    await waitForPort(hport);
    ref = await stateRun(hport, hsock);
  } finally {
    hp.kill('SIGTERM');
  }
  const [port, sock] = [await freePort(), join(tempDir(), 's.sock')];
  await start(stateConfig(port, sock), port);
  // HAProxy 2.6.12: a:s1 b:s2 c:s3 | maint s1 | a:s2 a:s2 d:s3 | ready s1 | a:s2 | drain s2 | b:s2 e:s3 b:s2 | ready s2 | b:s2 f:s1
  assert.deepEqual(await stateRun(port, sock), ref);
});
