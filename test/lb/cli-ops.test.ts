/**
 * Operations through the runtime API, end to end on real processes and sockets:
 * dynamic servers (`add server` / `del server`) receiving and losing real traffic,
 * `set server … addr` moving it, checks forced and switched, `shutdown session(s)`
 * closing real clients, `show errors` after malformed messages, and `set rate-limit`
 * observably pacing accepts. Where HAProxy 2.6 is installed, the same commands run on
 * it with the same configuration and the answers are compared byte for byte (and, for
 * `show errors`, the layout and the dump lines).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, freePort, namedEchoServer, runSwitchyard, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli, waitForSocket } from '../helpers/cli.ts';

const HAPROXY = '/usr/sbin/haproxy';
const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

async function webServer(name: string, host = '127.0.0.1'): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const srv = http.createServer((req, res) => {
    req.resume();
    hits++;
    res.writeHead(200, { 'content-length': Buffer.byteLength(name) });
    res.end(name);
  });
  await new Promise<void>((r) => srv.listen(0, host, r));
  closers.push(() => { srv.closeAllConnections(); srv.close(); });
  return { port: (srv.address() as net.AddressInfo).port, hits: () => hits };
}

/** A server answering every request with a response head HAProxy and we must refuse. */
async function badResponder(): Promise<number> {
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nBad Header: x\r\n\r\n'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => srv.close());
  return (srv.address() as net.AddressInfo).port;
}

function get(port: number, agent: http.Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Sends raw bytes and collects the answer until the peer closes. */
function raw(port: number, data: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => { out += d; });
    s.on('error', () => resolve(out));
    s.on('close', () => resolve(out));
  });
}

interface Ports { fe: number; tl: number; lr: number; a: number; b: number; bad: number; agent: number }

function config(dir: string, p: Ports, globalExtra: string[] = []): string {
  return [
    'global', `    stats socket ${join(dir, 'admin.sock')} level admin`, '    maxconn 500', ...globalExtra,
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'frontend fe', `    bind 127.0.0.1:${p.fe}`, '    default_backend be',
    'backend be', `    server s1 127.0.0.1:${p.a}`,
    'backend st', '    balance static-rr', `    server s1 127.0.0.1:${p.a}`,
    'backend ck', `    server c1 127.0.0.1:${p.a} check inter 60s`,
    `    server c2 127.0.0.1:${p.b} check inter 60s agent-check agent-port ${p.agent} agent-inter 60s`,
    'listen tl', '    mode tcp', `    bind 127.0.0.1:${p.tl}`, '    server t0 127.0.0.1:1 disabled',
    'listen lr', `    bind 127.0.0.1:${p.lr}`, `    server r1 127.0.0.1:${p.bad}`,
    '',
  ].join('\n');
}

interface Setup { p: Ports; admin: string; a: { port: number; hits: () => number }; b: { port: number; hits: () => number } }

async function ports(a: number, b: number, bad: number): Promise<Ports> {
  return { fe: await freePort(), tl: await freePort(), lr: await freePort(), a, b, bad, agent: await freePort() };
}

async function start(globalExtra: string[] = []): Promise<Setup> {
  const a = await webServer('A');
  const b = await webServer('B');
  const p = await ports(a.port, b.port, await badResponder());
  const dir = tempDir();
  runSwitchyard(['-db', '-f', writeConfig(config(dir, p, globalExtra), dir)]);
  await waitForPort(p.fe);
  const admin = join(dir, 'admin.sock');
  await waitForSocket(admin);
  return { p, admin, a, b };
}

/** HAProxy on the same configuration (other listening ports, same servers); null when absent. */
async function startHaproxy(s: Setup): Promise<{ sock: string; p: Ports } | null> {
  if (!existsSync(HAPROXY)) return null;
  const dir = tempDir();
  const p = await ports(s.p.a, s.p.b, s.p.bad);
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(config(dir, p), dir)], { stdio: 'ignore' });
  closers.push(() => hp.kill('SIGKILL'));
  const sock = join(dir, 'admin.sock');
  await waitForSocket(sock);
  await waitForPort(p.fe);
  return { sock, p };
}

/** `show servers state` with the time-dependent column (srv_time_since_last_change) blanked. */
function stateLines(text: string): string[] {
  return text.split('\n').slice(2).filter(Boolean).map((l) => { const c = l.split(' '); c[9] = 'T'; return c.join(' '); });
}

test('add server: created in maintenance, listed, then taking real traffic once ready; del server', async () => {
  const s = await start();
  assert.equal(await cli(s.admin, `add server be/s2 127.0.0.1:${s.b.port} weight 1 maxconn 10`), 'New server registered.\n\n');
  const state = await cli(s.admin, 'show servers state be');
  assert.match(state, new RegExp(`\\n\\d+ be 2 s2 127\\.0\\.0\\.1 0 1 1 1 \\d+ 1 0 0 0 0 0 0 - ${s.b.port} - 0 0 - - 0\\n`));
  assert.match(await cli(s.admin, 'show stat'), /\nbe,s2,[^\n]*,MAINT,/);
  let seen = '';
  for (let i = 0; i < 4; i++) seen += await get(s.p.fe);
  assert.equal(seen, 'AAAA', 'a server in maintenance takes nothing');
  assert.equal(await cli(s.admin, 'set server be/s2 state ready'), '\n');
  seen = '';
  for (let i = 0; i < 6; i++) seen += await get(s.p.fe);
  assert.equal([...seen].sort().join(''), 'AAABBB', `round robin over both: ${seen}`);
  assert.equal(s.b.hits(), 3);
  assert.match(await cli(s.admin, 'show stat'), /\nbe,s2,[^\n]*,no check,/);
  // Deleting: refused while ready, accepted in maintenance; then gone everywhere.
  assert.equal(await cli(s.admin, 'del server be/s2'), 'Only servers in maintenance mode can be deleted.\n');
  assert.equal(await cli(s.admin, 'set server be/s2 state maint; del server be/s2'), '\nServer deleted.\n');
  assert.doesNotMatch(await cli(s.admin, 'show stat'), /\nbe,s2,/);
  assert.doesNotMatch(await cli(s.admin, 'show servers state be'), / s2 /);
  seen = '';
  for (let i = 0; i < 3; i++) seen += await get(s.p.fe);
  assert.equal(seen, 'AAA');
  // `enabled` creates it ready at once; the freed id 2 is taken again.
  assert.equal(await cli(s.admin, `add server be/s3 127.0.0.1:${s.b.port} enabled`), 'New server registered.\n\n');
  assert.match(await cli(s.admin, 'show servers state be'), / be 2 s3 127\.0\.0\.1 2 0 1 1 /);
  seen = '';
  for (let i = 0; i < 4; i++) seen += await get(s.p.fe);
  assert.equal([...seen].sort().join(''), 'AABB');
  // Errors: the configuration parser's words for option errors.
  assert.match(await cli(s.admin, `add server be/s4 127.0.0.1:${s.b.port} weight 300`), /^'server be\/s4' : 'weight' .*\n\n$/);
  assert.match(await cli(s.admin, 'add server be/s4 127.0.0.1:1 foo'), /^'server be\/s4' : unknown keyword 'foo'; supported: /);
});

test('del server is refused while a session uses the server; shutdown sessions server ends it', async () => {
  const s = await start();
  const echo = await namedEchoServer('D1');
  assert.equal(await cli(s.admin, `add server tl/d1 127.0.0.1:${echo.port} enabled`), 'New server registered.\n\n');
  const client = net.connect(s.p.tl, '127.0.0.1');
  closers.push(() => client.destroy());
  const greeting = await new Promise<string>((r) => client.once('data', (d) => r(d.toString())));
  assert.equal(greeting, 'D1\n');
  const closed = new Promise<void>((r) => client.on('close', () => r()));
  client.on('error', () => {});
  assert.equal(await cli(s.admin, 'set server tl/d1 state maint'), '\n');
  assert.equal(await cli(s.admin, 'del server tl/d1'), 'Server still has connections attached to it, cannot remove it.\n');
  const sess = await cli(s.admin, 'show sess');
  assert.match(sess, /^0x[0-9a-f]+: proto=tcpv4 src=127\.0\.0\.1:\d+ fe=tl be=tl srv=d1 /m);
  assert.equal(await cli(s.admin, 'shutdown sessions server tl/d1'), '\n');
  await closed;
  assert.equal(await cli(s.admin, 'del server tl/d1'), 'Server deleted.\n');
});

test('shutdown session <id> closes exactly that client', async () => {
  const s = await start();
  const echo = await namedEchoServer('E');
  await cli(s.admin, `add server tl/e1 127.0.0.1:${echo.port} enabled`);
  const one = net.connect(s.p.tl, '127.0.0.1');
  const two = net.connect(s.p.tl, '127.0.0.1');
  closers.push(() => { one.destroy(); two.destroy(); });
  for (const c of [one, two]) { c.on('error', () => {}); await new Promise((r) => c.once('data', r)); }
  const sess = await cli(s.admin, 'show sess');
  const id = new RegExp(`^(0x[0-9a-f]+): proto=tcpv4 src=127\\.0\\.0\\.1:${one.localPort} `, 'm').exec(sess)?.[1];
  assert.ok(id, sess);
  const oneClosed = new Promise<void>((r) => one.on('close', () => r()));
  assert.equal(await cli(s.admin, `shutdown session ${id}`), '\n');
  await oneClosed;
  assert.equal(two.destroyed, false);
  two.write('still here\n');
  assert.equal(await new Promise<string>((r) => two.once('data', (d) => r(d.toString()))), 'still here\n');
  assert.equal(await cli(s.admin, `shutdown session ${id}`), "No such session (use 'show sess').\n\n");
});

test('set server addr moves new traffic, including over a kept-alive client connection', async () => {
  const s = await start();
  const c = await webServer('C', '127.0.0.2');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  closers.push(() => agent.destroy());
  assert.equal(await get(s.p.fe, agent), 'A');
  assert.equal(await get(s.p.fe, agent), 'A');
  assert.equal(await cli(s.admin, `set server be/s1 addr 127.0.0.2 port ${c.port}`),
    `IP changed from '127.0.0.1' to '127.0.0.2', port changed from '${s.a.port}' to '${c.port}' by 'stats socket command'\n\n`);
  // Same client connection, same server: the idle server connection to A is not reused.
  assert.equal(await get(s.p.fe, agent), 'C');
  assert.equal(await get(s.p.fe), 'C');
  assert.equal(s.a.hits(), 2);
  assert.match(await cli(s.admin, 'show servers state be'), new RegExp(` s1 127\\.0\\.0\\.2 2 0 1 1 \\d+ 1 0 2 0 0 0 0 - ${c.port} `));
  assert.match(await cli(s.admin, 'show stat'), new RegExp(`\\nbe,s1,[^\\n]*,127\\.0\\.0\\.2:${c.port},`));
});

test('health and agent forced, switched off and on; check and agent settings in show servers state', async () => {
  const s = await start();
  assert.equal(await cli(s.admin, 'set server ck/c1 health down'), '\n');
  assert.match(await cli(s.admin, 'show stat'), /\nck,c1,[^\n]*,DOWN[^,]*,/);
  assert.equal(await cli(s.admin, 'set server ck/c1 health stopping'), '\n');
  assert.match(await cli(s.admin, 'show stat'), /\nck,c1,[^\n]*,(NOLB|DRAIN),/);
  assert.equal(await cli(s.admin, 'set server ck/c1 health up'), '\n');
  assert.match(await cli(s.admin, 'show stat'), /\nck,c1,[^\n]*,UP[^,]*,/);
  assert.equal(await cli(s.admin, 'set server ck/c2 agent down'), '\n');
  assert.match(await cli(s.admin, 'show stat'), /\nck,c2,[^\n]*,DOWN[^,]*,/);
  assert.match(await cli(s.admin, 'show stat'), /\nck,c2,[^\n]*,DOWN \(agent\),/);
  // Disabling the agent changes no state (HAProxy 2.6): c2 stays down, no longer "(agent)";
  // its running check counts 2 of rise 2, shown as HAProxy shows a server going up.
  assert.equal(await cli(s.admin, 'disable agent ck/c2'), '\n');
  assert.match(await cli(s.admin, 'show stat'), /\nck,c2,[^\n]*,DOWN 2\/2,/);
  // Later changes no longer consult the disabled agent's verdict.
  assert.equal(await cli(s.admin, 'set server ck/c2 health up'), '\n');
  assert.match(await cli(s.admin, 'show stat'), /\nck,c2,[^\n]*,UP[^,]*,/);
  assert.equal(await cli(s.admin, 'disable health ck/c1'), '\n');
  assert.equal(await cli(s.admin, 'set server ck/c1 check-addr 127.0.0.1 port 9'), '\n');
  assert.equal(await cli(s.admin, 'set server ck/c2 agent-addr 127.0.0.3 port 4444; set server ck/c2 agent-send hello'), '\n\n');
  const st = stateLines(await cli(s.admin, 'show servers state ck'));
  assert.match(st[0]!, / 2 0 0 0 - \d+ - 0 9 127\.0\.0\.1 - 0$/, st[0]);
  assert.match(st[1]!, / 18 0 0 - \d+ - 0 0 - 127\.0\.0\.3 4444$/, st[1]);
  // Checks of a server added at run time exist but are off until enabled.
  assert.equal(await cli(s.admin, `add server be/k1 127.0.0.1:${s.a.port} check inter 100ms`), 'New server registered.\n\n');
  assert.match(await cli(s.admin, 'show servers state be'), / k1 127\.0\.0\.1 0 1 1 1 \d+ 1 0 0 2 0 /);
  // Enabled, it must pass `rise` (2) checks before it is up.
  assert.equal(await cli(s.admin, 'enable health be/k1; set server be/k1 state ready'), '\n\n');
  assert.match(await cli(s.admin, 'show servers state be'), / k1 127\.0\.0\.1 0 0 1 1 \d+ \d+ \d+ [01] 6 0 /);
  await new Promise((r) => setTimeout(r, 400));
  assert.match(await cli(s.admin, 'show servers state be'), / k1 127\.0\.0\.1 2 0 1 1 \d+ 6 3 4 6 0 /);
  let seen = '';
  for (let i = 0; i < 4; i++) seen += await get(s.p.fe);
  assert.equal(seen, 'AAAA');
  assert.equal(s.a.hits(), 4);
});

test('show errors: the last invalid request and response, with HAProxy 2.6\'s layout and dump', async (t) => {
  const s = await start();
  const badReq = 'GET / HTTP/1.1\r\nHost: x\r\nbad header: 1\r\nX-Long: ' + 'a'.repeat(120) + '\x01\r\n\r\n';
  assert.match(await raw(s.p.fe, badReq), /^HTTP\/1\.1 400 /);
  assert.match(await raw(s.p.lr, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 502 /);
  const ours = await cli(s.admin, 'show errors');
  assert.match(ours, /^Total events captured on \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] : 2\n \n/);
  assert.match(ours, /\n\[[^\]]+\] frontend fe \(#\d+\): invalid request\n  backend <NONE> \(#-1\), server <NONE> \(#-1\), event #0, src 127\.0\.0\.1:\d+\n  buffer starts at 0 \(including 0 out\), \d+ free,\n  len 173, wraps at 16384, error at position 28\n  H1 parser error: space-before-colon :\n  \n  00000  GET \/ HTTP\/1\.1\\r\\n\n  00016  Host: x\\r\\n\n  00025  bad header: 1\\r\\n\n/);
  assert.match(ours, /\n\[[^\]]+\] backend lr \(#\d+\): invalid response\n  frontend lr \(#\d+\), server r1 \(#1\), event #1, src 127\.0\.0\.1:\d+\n/);
  assert.match(await cli(s.admin, 'show errors fe response'), /^Total events captured on \[[^\]]+\] : 2\n\n$/);
  assert.match(await cli(s.admin, 'show errors lr request'), /^Total events captured on \[[^\]]+\] : 2\n\n$/);
  assert.equal(await cli(s.admin, 'show errors nope'), 'No such proxy.\n\n');
  const hp = await startHaproxy(s);
  if (!hp) { t.skip('haproxy not installed'); return; }
  await raw(hp.p.fe, badReq);
  await raw(hp.p.lr, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
  const theirs = await cli(hp.sock, 'show errors');
  const dump = (text: string): string[] => text.split('\n').filter((l) => /^  \d{5}[ +] /.test(l));
  assert.deepEqual(dump(ours), dump(theirs));
  const heads = (text: string): string[] => text.split('\n').filter((l) => /^\[|^  (backend|frontend) |^  len |^ $|^  $|^Total/.test(l))
    .map((l) => l.replace(/\[[^\]]+\]/g, '[D]').replace(/src 127\.0\.0\.1:\d+/, 'src S').replace(/wraps at \d+/, 'wraps at W').replace(/\(#\d+\)/g, '(#N)'));
  assert.deepEqual(heads(ours), heads(theirs));
});

test('set rate-limit connections|sessions global: accepts are paused, none refused; show info reflects it', async () => {
  const s = await start(['    maxconnrate 1000', '    maxsessrate 2000']);
  assert.match(await cli(s.admin, 'show info'), /\nConnRateLimit: 1000\n[^]*\nSessRateLimit: 2000\n/);
  assert.equal(await cli(s.admin, 'set rate-limit connections global 5'), '\n');
  assert.equal(await cli(s.admin, 'set rate-limit sessions global 0'), '\n');
  assert.match(await cli(s.admin, 'show info'), /\nConnRate: \d+\nConnRateLimit: 5\nMaxConnRate: \d+\nSessRate: \d+\nSessRateLimit: 0\nMaxSessRate: \d+\n/);
  const echo = await namedEchoServer('R');
  await cli(s.admin, `add server tl/r1 127.0.0.1:${echo.port} enabled`);
  // Let the second the CLI's own commands fell in pass (they are no sessions, but be safe).
  await new Promise((r) => setTimeout(r, 1100));
  const t0 = Date.now();
  const times = await Promise.all(Array.from({ length: 12 }, () => new Promise<number>((resolve, reject) => {
    const c = net.connect(s.p.tl, '127.0.0.1');
    closers.push(() => c.destroy());
    c.on('error', reject);
    c.once('data', (d) => { assert.equal(d.toString(), 'R\n'); resolve(Date.now() - t0); c.destroy(); });
  })));
  times.sort((x, y) => x - y);
  // 5 at once, then about 5 a second: the 12th waits well over a second, nobody is refused.
  assert.ok(times[4]! < 500, `first five at once: ${times}`);
  assert.ok(times[11]! >= 1000, `the last ones paced: ${times}`);
  assert.ok(times[11]! < 5000, `but served: ${times}`);
  assert.match(await cli(s.admin, 'show info'), /\nMaxConnRate: [5-9]\n/);
  // Lifting the limit lets everything in at once again.
  assert.equal(await cli(s.admin, 'set rate-limit connections global 0'), '\n');
  assert.ok((await burst(s.p.tl, 12))[11]! < 1000);
  // The session rate paces the same way (once the burst above is out of both one-second buckets).
  await new Promise((r) => setTimeout(r, 2100));
  assert.equal(await cli(s.admin, 'set rate-limit sessions global 3'), '\n');
  const paced = await burst(s.p.tl, 7);
  assert.ok(paced[2]! < 500 && paced[6]! >= 700, String(paced));
  assert.match(await cli(s.admin, 'show info'), /\nSessRateLimit: 3\n/);
});

/** Opens n connections at once; the ms each waited for its greeting, sorted. */
function burst(port: number, n: number): Promise<number[]> {
  const t0 = Date.now();
  return Promise.all(Array.from({ length: n }, () => new Promise<number>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    closers.push(() => c.destroy());
    c.on('error', reject);
    c.once('data', () => { resolve(Date.now() - t0); c.destroy(); });
  }))).then((t) => t.sort((x, y) => x - y));
}

test('answers match HAProxy 2.6 byte for byte for the same configuration', async (t) => {
  const s = await start();
  const started = await startHaproxy(s);
  if (!started) { t.skip('haproxy not installed (apt-get install haproxy)'); return; }
  const hp = started.sock;
  const commands = [
    'add server be', 'add server nobe/x 127.0.0.1:1', 'add server st/x 127.0.0.1:1', 'add server be/x 127.0.0.1:1 cookie abc',
    'add server be/x 127.0.0.1:1 max-reuse 2', 'add server be/s1 127.0.0.1:1', 'add server be/x2 127.0.0.1:1',
    'add server be/x2 127.0.0.1:1', 'add server tl/d9 127.0.0.1:1 track be/s1', 'add server be/x3 127.0.0.1:1 track ck/c1',
    'add server tl/d8 127.0.0.1:1 track be/x2', 'add server be/x4 127.0.0.1:2 enabled weight 3 maxconn 10 backup',
    'del server be/x2', 'del server be/x2', 'del server be/s1', 'del server nobe/s1', 'del server be', 'del server be/x4',
    'set server be/x4 state maint', 'del server be/x4', 'set server ck/c1 state maint', 'del server ck/c1', 'set server ck/c1 state ready',
    'enable health be/s1', 'enable agent be/s1', 'disable health be/s1', 'disable agent be/s1', 'enable health nobe/x', 'enable agent be',
    'set server be/s1 addr', 'set server be/s1 addr 1.2.3', 'set server be/s1 addr localhost', 'set server be/s1 addr 127.0.0.1',
    `set server be/s1 addr 127.0.0.1 port ${s.p.a}`, `set server st/s1 addr 127.0.0.1 port ${s.p.b}`, 'set server st/s1 addr 127.0.0.1 port zz',
    'set server st/s1 addr 127.0.0.1 port +3',
    'set server be/s1 check-port 99', 'set server ck/c1 check-port x', 'set server ck/c1 check-port 70000', 'set server ck/c1 check-port',
    'set server ck/c1 check-port 99', 'set server ck/c1 check-addr', 'set server ck/c1 check-addr foo', 'set server be/s1 check-addr 127.0.0.1',
    'set server be/s1 agent up', 'set server be/s1 agent', 'set server ck/c2 agent foo', 'set server ck/c2 agent-addr foo',
    'set server ck/c2 agent-addr 127.0.0.1 port x', 'set server ck/c2 agent-send hello', 'set server be/s1 agent-send x',
    'set server ck/c2 agent-port 70000', 'set server ck/c2 agent-port', 'set server be/s1 agent-addr 127.0.0.1', 'set server be/s1 agent-port 3',
    'set server be/s1 health foo', 'set server be/s1 health', 'set server be/x3 health up', 'set server be/s1 fqdn x', 'set server be/s1 ssl on', 'set server be/s1 foo',
    'shutdown session', 'shutdown session 0x1234', 'shutdown session zz', 'shutdown sessions server', 'shutdown sessions server be',
    'shutdown sessions server be/zz', 'shutdown sessions server be/s1',
    'show errors nope', 'set rate-limit', 'set rate-limit connections global', 'set rate-limit foo global 3', 'set rate-limit connections local 3',
    'set rate-limit connections global 0', 'set rate-limit sessions global 0',
  ];
  for (const c of commands) assert.equal(await cli(s.admin, c), await cli(hp, c), c);
  // show info's rate fields: same positions, names, tags and types.
  const rates = (text: string): string[] => text.split('\n').filter((l) => /^(2[6-9]|3[01])\./.test(l)).map((l) => l.replace(/:[^:]*$/, ':V'));
  assert.deepEqual(rates(await cli(s.admin, 'show info typed')), rates(await cli(hp, 'show info typed')));
  assert.deepEqual(stateLines(await cli(s.admin, 'show servers state be')).map((l) => l.replace(/^\d+ /, '')),
    stateLines(await cli(hp, 'show servers state be')).map((l) => l.replace(/^\d+ /, '')));
});
