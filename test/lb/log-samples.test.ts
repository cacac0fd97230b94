/**
 * Black-box tests of what the access log evaluates beyond HAProxy's `%` variables:
 * `%[sample,converter…]` expressions, `unique-id-format` / `unique-id-header` / `%ID`,
 * HAProxy 3.0's JSON encoding (`%{+json}o`, named items `%(name)`), and the server-state
 * and `option log-health-checks` lines sent to a backend's log.
 *
 * Each scenario runs bin/switchyard on a real configuration, real sockets on 127.0.0.1
 * and a UDP syslog receiver in this process. Where HAProxy 2.6 knows the feature
 * (/usr/sbin/haproxy), the same configuration runs through it too and the lines must be
 * the same (exact, or with every run of digits replaced when timings and ports vary).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { cleanup, freePort, runSwitchyard, runToEnd, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { syslogServer, type SyslogServer } from '../helpers/syslog.ts';

const HAPROXY = '/usr/sbin/haproxy';
const hasHaproxy = existsSync(HAPROXY) && spawnSync(HAPROXY, ['-v']).status === 0;
const NO_HAPROXY = 'no /usr/sbin/haproxy (Debian package haproxy)';

const closers: Array<() => void> = [];
after(async () => { for (const c of closers) c(); await cleanup(); });

type Impl = 'switchyard' | 'haproxy';

async function syslog(): Promise<SyslogServer> {
  const r = await syslogServer({ encoding: 'utf8', waitMs: 4000 });
  closers.push(r.close);
  return r;
}

/** A web server that answers 404 for /nf, 200 otherwise, and remembers each request's x-unique-id. */
async function webServer(): Promise<{ port: number; ids: string[] }> {
  const ids: string[] = [];
  const srv = http.createServer((q, r) => {
    const id = q.headers['x-unique-id'];
    if (typeof id === 'string') ids.push(id);
    r.statusCode = q.url === '/nf' ? 404 : 200;
    r.end('hello\n');
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  srv.unref();
  closers.push(() => srv.close());
  return { port: (srv.address() as net.AddressInfo).port, ids };
}

/** GET with a Host header; `agent` keeps the connection for the next call when given. */
function get(port: number, path: string, host = 'Ex.COM', agent: http.Agent | false = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { host } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
  });
}

/** Sends raw bytes (one request, connection: close) and waits for the close. */
function raw(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(bytes));
    c.on('data', () => {});
    c.on('error', () => resolve());
    c.on('close', () => resolve());
    setTimeout(() => c.destroy(), 3000).unref();
  });
}

/** Starts an implementation on a config; resolves once `port` accepts (plus a settle delay). */
async function start(impl: Impl, cfg: string, port: number): Promise<ChildProcess> {
  let proc: ChildProcess;
  if (impl === 'haproxy') {
    proc = spawn(HAPROXY, ['-db', '-f', writeConfig(cfg)], { stdio: 'ignore' });
    closers.push(() => proc.kill('SIGKILL'));
  } else {
    proc = runSwitchyard(['-db', '-f', writeConfig(cfg)]).proc;
  }
  await waitForPort(port, 10000);
  await new Promise((r) => setTimeout(r, 200));
  return proc;
}

const DEFAULTS = 'defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 2s\n  log global\n';

// ------------------------------------------------------------------ %[…] samples

async function samplesScenario(impl: Impl): Promise<{ lines: string[]; fe: number; ft: number }> {
  const rx = await syslog();
  const web = await webServer();
  const [fe, ft, fd, dead] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const cfg = `global\n  log 127.0.0.1:${rx.port} format raw local0\n${DEFAULTS}` +
    `frontend fe\n  bind 127.0.0.1:${fe}\n` +
    // HAProxy's way to log request values: keep them in variables while the request is there.
    `  http-request set-var(txn.host) req.hdr(host)\n  http-request set-var(txn.path) path\n` +
    `  log-format "%[src] %[var(txn.host),lower] %[var(txn.path)] %[status] %{+Q}[method] %[be_name]/%[srv_name] %[fe_name,upper] %[dst_port] %{+Q}[var(txn.none)] %[int(7),add(1)] %[var(txn.path),length]"\n` +
    `  default_backend be\n` +
    `frontend ft\n  mode tcp\n  bind 127.0.0.1:${ft}\n  unique-id-format tcp-%[fe_name]-%fp\n` +
    `  log-format "tcp %[src] %[dst_port] %[fe_name] %[be_name] %[srv_name] %[status] %{+Q}[src] %ID %[unique-id]"\n  default_backend bt\n` +
    // A status the proxy generated (503, the server refuses) is not the server's: HAProxy logs '-'.
    `frontend fd\n  bind 127.0.0.1:${fd}\n  log-format "dead %[status] %[be_name]/%[srv_name] %[method]"\n  default_backend bdead\n` +
    `backend be\n  server s1 127.0.0.1:${web.port}\n` +
    `backend bdead\n  retries 0\n  server s9 127.0.0.1:${dead}\n` +
    `backend bt\n  mode tcp\n  server s1 127.0.0.1:${web.port}\n`;
  const proc = await start(impl, cfg, fe);
  await waitForPort(ft);
  await new Promise((r) => setTimeout(r, 200));
  await rx.take(0, 0);
  await get(fe, '/a/b?x=1');
  await get(fe, '/nf', 'Other');
  await raw(ft, Buffer.from('GET /t HTTP/1.0\r\n\r\n'));
  // The tcp session's line comes when the proxy sees the close, which can be after the
  // next request's: wait for it, so the order is the same for every run and program.
  const lines = await rx.take(3);
  await get(fd, '/x');
  lines.push(...await rx.take(1));
  proc.kill('SIGKILL');
  return { lines, fe, ft };
}

function expectedSampleLines(fe: number, ft: number): string[] {
  return [
    `127.0.0.1 ex.com /a/b 200 "GET" be/s1 FE ${fe} "" 8 4\n`,
    `127.0.0.1 other /nf 404 "GET" be/s1 FE ${fe} "" 8 3\n`,
    `tcp 127.0.0.1 ${ft} ft bt s1 - "127.0.0.1" tcp-ft-${ft} tcp-ft-${ft}\n`,
    'dead - bdead/s9 GET\n',
  ];
}

test('%[…] samples print their values, converters and +Q applied (http and tcp)', async () => {
  const { lines, fe, ft } = await samplesScenario('switchyard');
  assert.deepEqual(lines, expectedSampleLines(fe, ft));
});

test('HAProxy 2.6 prints the same %[…] lines', { skip: hasHaproxy ? false : NO_HAPROXY }, async () => {
  const { lines, fe, ft } = await samplesScenario('haproxy');
  assert.deepEqual(lines, expectedSampleLines(fe, ft));
});

test('-c refuses header and URL fetches in log-format with HAProxy 2.6 message, file:line', async () => {
  const cfg = writeConfig(`${DEFAULTS}frontend fe\n  bind 127.0.0.1:1\n  log 127.0.0.1:9 local0\n  log-format "x=%[req.hdr(host)] y"\n  default_backend be\nfrontend f2\n  bind 127.0.0.1:2\n  log 127.0.0.1:9 local0\n  log-format "%[path]"\n  unique-id-format "%[res.hdr(x)]"\n  default_backend be\nbackend be\n  server s1 127.0.0.1:3\n`);
  const want = [
    /test\.cfg:10\] ?: failed to parse log-format : sample fetch <req\.hdr\(host\)\] y> may not be reliably used here because it needs 'HTTP request headers' which is not available here\./,
    /test\.cfg:15\] ?: failed to parse log-format : sample fetch <path\]> may not be reliably used here because it needs 'HTTP request headers' which is not available here\./,
    /test\.cfg:16\] ?: failed to parse unique-id : sample fetch <res\.hdr\(x\)\]> may not be reliably used here because it needs 'HTTP response headers' which is not available here\./,
  ];
  const r = await runToEnd(['-c', '-f', cfg]);
  assert.equal(r.code, 1);
  for (const w of want) assert.match(r.out, w);
  if (hasHaproxy) {
    const h = spawnSync(HAPROXY, ['-c', '-f', cfg], { encoding: 'utf8' });
    assert.notEqual(h.status, 0);
    for (const w of want) assert.match(h.stderr + h.stdout, w);
  }
});

// ------------------------------------------------------------------ unique-id

async function uniqueIdScenario(impl: Impl): Promise<{ lines: string[]; ids: string[]; fe: number }> {
  const rx = await syslog();
  const web = await webServer();
  const [fe, plain] = [await freePort(), await freePort()];
  const cfg = `global\n  log 127.0.0.1:${rx.port} format raw local0\n${DEFAULTS}` +
    `frontend fe\n  bind 127.0.0.1:${fe}\n  unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid\n  unique-id-header X-Unique-ID\n` +
    `  log-format "%ID|%[unique-id]|%{+Q}ID"\n  default_backend be\n` +
    `frontend plain\n  bind 127.0.0.1:${plain}\n  log-format "%ID|%[unique-id]"\n  default_backend be\n` +
    `backend be\n  server s1 127.0.0.1:${web.port}\n`;
  const proc = await start(impl, cfg, fe);
  await waitForPort(plain);
  await new Promise((r) => setTimeout(r, 200));
  await rx.take(0, 0);
  // Two requests on one connection: one id each.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await get(fe, '/one', 'h', agent);
  await get(fe, '/two', 'h', agent);
  agent.destroy();
  await get(plain, '/three');
  const lines = await rx.take(3);
  proc.kill('SIGKILL');
  return { lines, ids: web.ids, fe };
}

function checkUniqueIds(lines: string[], ids: string[], fe: number): void {
  assert.equal(lines.length, 3, lines.join(''));
  assert.equal(ids.length, 2, `ids at the server: ${ids.join(', ')}`);
  const feHex = fe.toString(16).toUpperCase().padStart(4, '0');
  const shape = new RegExp(`^7F000001:([0-9A-F]{4,})_7F000001:${feHex}_[0-9A-F]{8}_([0-9A-F]{4,}):[0-9A-F]{4,}$`);
  const rts: number[] = [];
  for (let i = 0; i < 2; i++) {
    // The header the server received is the id the log reports (three ways).
    assert.equal(lines[i], `${ids[i]}|${ids[i]}|"${ids[i]}"\n`);
    const m = shape.exec(ids[i]!);
    assert.ok(m, `id ${ids[i]} does not follow the format`);
    rts.push(parseInt(m[2]!, 16));
  }
  assert.equal(shape.exec(ids[0]!)![1], shape.exec(ids[1]!)![1], 'same connection, same client port');
  assert.ok(rts[1]! > rts[0]!, `%rt grows per request: ${rts.join(' ')}`);
  // Without unique-id-format there is no id.
  assert.equal(lines[2], '-|-\n');
}

test('unique-id-format/-header: the id reaches the server and %ID, %[unique-id] log it', async () => {
  const { lines, ids, fe } = await uniqueIdScenario('switchyard');
  checkUniqueIds(lines, ids, fe);
});

test('HAProxy 2.6 gives unique ids of the same shape, header and log agreeing', { skip: hasHaproxy ? false : NO_HAPROXY }, async () => {
  const { lines, ids, fe } = await uniqueIdScenario('haproxy');
  checkUniqueIds(lines, ids, fe);
});

// ------------------------------------------------------------------ JSON

test('%{+json}o: one JSON object of the named items, RFC 8259 escaping, typed values', async () => {
  const rx = await syslog();
  const web = await webServer();
  const fe = await freePort();
  const cfg = `global\n  log 127.0.0.1:${rx.port} format raw local0\n${DEFAULTS}` +
    `frontend fe\n  bind 127.0.0.1:${fe}\n` +
    `  http-request set-var(txn.ua) req.hdr(user-agent)\n  http-request set-var(txn.bin) req.hdr(x-bin)\n` +
    `  log-format "%{+json}o %(client)ci %(port)cp %(status)ST %(method)HM %(uri)HU %(request)r %(ts)ts %(ua)[var(txn.ua)] %(bin)[var(txn.bin)] %(n:sint)[str(42)] %(flag)[bool(1)] %(code:str)ST %(missing)[var(txn.no)] %(server)s %ci unnamed text"\n` +
    `  default_backend be\n` +
    `backend be\n  server s1 127.0.0.1:${web.port}\n`;
  const proc = await start('switchyard', cfg, fe);
  await rx.take(0, 0);
  // A quote, a backslash and a tab in a header, UTF-8 text, and a byte that is no UTF-8.
  const req = Buffer.concat([
    Buffer.from('GET /p/%22q?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: a"b\\c\td '),
    Buffer.from('é', 'utf8'),
    Buffer.from('\r\nX-Bin: x'), Buffer.from([0xff]), Buffer.from('y\r\nConnection: close\r\n\r\n'),
  ]);
  await raw(fe, req);
  const [line] = await rx.take(1);
  proc.kill('SIGKILL');
  assert.ok(line, 'no log line');
  assert.ok(line.endsWith('}\n'), line);
  const obj = JSON.parse(line) as Record<string, unknown>;
  assert.equal(typeof obj.port, 'number');
  delete obj.port;
  assert.deepEqual(obj, {
    client: '127.0.0.1', status: 200, method: 'GET', uri: '/p/%22q?x=1', request: 'GET /p/%22q?x=1 HTTP/1.1', ts: '--',
    ua: 'a"b\\c\td é', bin: 'x\u00ffy', n: 42, flag: true, code: '200', missing: null, server: 's1',
  });
});

test('+json on one item prints that value as JSON inside an ordinary line', async () => {
  const rx = await syslog();
  const web = await webServer();
  const fe = await freePort();
  const cfg = `global\n  log 127.0.0.1:${rx.port} format raw local0\n${DEFAULTS}` +
    `frontend fe\n  bind 127.0.0.1:${fe}\n  http-request set-var(txn.ua) req.hdr(user-agent)\n` +
    `  log-format "ua=%{+json}[var(txn.ua)] st=%{+json}ST none=%{+json}[var(txn.no)] b=%{+json}b"\n  default_backend be\n` +
    `backend be\n  server s1 127.0.0.1:${web.port}\n`;
  const proc = await start('switchyard', cfg, fe);
  await rx.take(0, 0);
  await raw(fe, Buffer.from('GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: say "hi"\\\r\nConnection: close\r\n\r\n'));
  const [line] = await rx.take(1);
  proc.kill('SIGKILL');
  assert.equal(line, 'ua="say \\"hi\\"\\\\" st=200 none=null b="be"\n');
});

// ------------------------------------------------------------------ health checks

async function healthScenario(impl: Impl): Promise<string[]> {
  const rx = await syslog();
  const web = await webServer();
  const [fe, dead] = [await freePort(), await freePort()];
  const cfg = `global\n  log 127.0.0.1:${rx.port} local0\n  log-tag hc\n${DEFAULTS}` +
    `backend be\n  option log-health-checks\n  server s1 127.0.0.1:${web.port} check inter 200 rise 2 fall 2\n  server s2 127.0.0.1:${dead} check inter 200 rise 2 fall 2\n` +
    `backend be2\n  server s3 127.0.0.1:${dead} check inter 200 rise 1 fall 1\n` +
    `backend quiet\n  no log\n  server s4 127.0.0.1:${dead} check inter 200 rise 1 fall 1\n` +
    `frontend fe\n  bind 127.0.0.1:${fe}\n  no log\n  default_backend be\n`;
  const proc = await start(impl, cfg, fe);
  const lines = await rx.take(5, 3000);
  // Later probes of an unchanged state log nothing more.
  await new Promise((r) => setTimeout(r, 600));
  lines.push(...await rx.take(0, 0));
  proc.kill('SIGKILL');
  // Durations and dates vary; the message and the level do not.
  return lines.map((l) => l.replace(/^(<\d+>)\w{3} [ \d]\d \d\d:\d\d:\d\d hc\[\d+\]: /, '$1').replace(/duration: \d+ms/, 'duration: Nms')).sort();
}

const HEALTH_LINES = [
  // emerg: the backend has no server left (no quotes in the log, unlike stderr)
  '<128>backend be2 has no server available!\n',
  // alert: servers going DOWN (with log-health-checks the reason is in the check line)
  '<129>Server be/s2 is DOWN. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n',
  '<129>Server be2/s3 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.\n',
  // notice: every change of a check's status under log-health-checks
  '<133>Health check for server be/s1 succeeded, reason: Layer4 check passed, check duration: Nms, status: 2/2 UP.\n',
  '<133>Health check for server be/s2 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 0/2 DOWN.\n',
];

test('server state changes and log-health-checks lines go to the backend log, at HAProxy levels', async () => {
  assert.deepEqual(await healthScenario('switchyard'), HEALTH_LINES);
});

test('HAProxy 2.6 logs the same health lines', { skip: hasHaproxy ? false : NO_HAPROXY }, async () => {
  assert.deepEqual(await healthScenario('haproxy'), HEALTH_LINES);
});
