/**
 * Black-box access logs of bin/switchyard: real traffic, a UDP syslog receiver (and the
 * process's stdout) in this test, HAProxy's configuration language. Layouts are compared
 * with the real HAProxy in log-haproxy.test.ts; this file covers the options.
 *
 * While the logging keywords are not routed by the configuration parser, every test
 * here skips with that reason (checked once with `switchyard -c`).
 * SY_LOG_TEST_HAPROXY=1 runs the traffic tests against /usr/sbin/haproxy instead, to
 * check the expectations themselves.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { cleanup, freePort, runSwitchyard, runToEnd, waitForPort, writeConfig, type Running } from '../helpers/switchyard.ts';
import { syslogServer, type SyslogServer } from '../helpers/syslog.ts';

const closers: Array<() => void> = [];
after(async () => { for (const c of closers) c(); await cleanup(); });

async function syslog(): Promise<SyslogServer> {
  const r = await syslogServer();
  closers.push(r.close);
  return r;
}

async function webServer(): Promise<number> {
  const srv = http.createServer((q, r) => { r.statusCode = q.url === '/boom' ? 500 : 200; r.end('hello\n'); });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  srv.unref();
  closers.push(() => srv.close());
  return (srv.address() as net.AddressInfo).port;
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
  });
}

function probe(port: number): Promise<void> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => c.end());
    c.on('error', () => resolve());
    c.on('close', () => resolve());
  });
}

const AGAINST_HAPROXY = process.env.SY_LOG_TEST_HAPROXY === '1';
let routed: string | false = false;
before(async () => {
  if (AGAINST_HAPROXY) { routed = 'haproxy'; return; }
  const cfg = writeConfig('global\n  log 127.0.0.1:9 local0\nfrontend f\n  bind 127.0.0.1:1\n  log global\n  option httplog\n');
  const r = await runToEnd(['-c', '-f', cfg]);
  routed = /not implemented yet/.test(r.out) ? false : 'yes';
});
const gate = (t: { skip(msg: string): void }): boolean => {
  if (!routed) { t.skip('logging keywords are not routed by the configuration parser yet'); return false; }
  return true;
};

async function start(cfg: string, port: number): Promise<Running> {
  let sy: Running;
  if (AGAINST_HAPROXY) {
    const proc = spawn('/usr/sbin/haproxy', ['-db', '-f', writeConfig(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    closers.push(() => proc.kill('SIGKILL'));
    sy = { proc, stderr: () => out, exited: once(proc, 'exit').then(([code, signal]) => ({ code, signal })) };
  } else {
    sy = runSwitchyard(['-db', '-f', writeConfig(cfg)]);
  }
  await waitForPort(port);
  await new Promise((r) => setTimeout(r, 150));
  return sy;
}

const DEFAULTS = 'defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 2s\n';

test('custom log-format over UDP: one line per request, keep-alive or not', async (t) => {
  if (!gate(t)) return;
  const rx = await syslog();
  const [web, fe] = [await webServer(), await freePort()];
  const sy = await start(`global\n  log 127.0.0.1:${rx.port} format raw local0\n${DEFAULTS}frontend fe\n  bind 127.0.0.1:${fe}\n  log global\n  log-format "%ci|%f|%b|%s|%ST|%HM|%HU|%{+Q}r|%ts"\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${web}\n`, fe);
  await rx.take(0, 0);
  await get(fe, '/one?x=1');
  await get(fe, '/two');
  assert.deepEqual(await rx.take(2), [
    '127.0.0.1|fe|be|s1|200|GET|/one?x=1|"GET /one?x=1 HTTP/1.1"|--\n',
    '127.0.0.1|fe|be|s1|200|GET|/two|"GET /two HTTP/1.1"|--\n',
  ]);
  sy.proc.kill('SIGKILL');
});

test('option dontlognull: an empty connection is not logged; without it, it is (CR)', async (t) => {
  if (!gate(t)) return;
  const rx = await syslog();
  const [web, a, b] = [await webServer(), await freePort(), await freePort()];
  const sy = await start(`global\n  log 127.0.0.1:${rx.port} format raw local0\n${DEFAULTS}  log global\n  option httplog\nfrontend quiet\n  bind 127.0.0.1:${a}\n  option dontlognull\n  default_backend be\nfrontend loud\n  bind 127.0.0.1:${b}\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${web}\n`, a);
  await waitForPort(b);
  await new Promise((r) => setTimeout(r, 150));
  await rx.take(0, 0);
  await probe(a);
  await probe(b);
  const lines = await rx.take(2, 1500);
  assert.equal(lines.length, 1, lines.join(''));
  assert.match(lines[0]!, / loud loud\/<NOSRV> -1\/-1\/-1\/-1\/\d+ 400 \d+ - - CR-- .*"<BADREQ>"\n$/);
  sy.proc.kill('SIGKILL');
});

test('option log-separate-errors: a 5xx goes out at level err (<131>), a 200 at info (<134>)', async (t) => {
  if (!gate(t)) return;
  const rx = await syslog();
  const [web, fe] = [await webServer(), await freePort()];
  const sy = await start(`global\n  log 127.0.0.1:${rx.port} local0\n${DEFAULTS}frontend fe\n  bind 127.0.0.1:${fe}\n  log global\n  option httplog\n  option log-separate-errors\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${web}\n`, fe);
  await rx.take(0, 0);
  await get(fe, '/ok');
  await get(fe, '/boom');
  const [ok, boom] = await rx.take(2);
  assert.match(ok!, /^<134>.* 200 .*"GET \/ok HTTP\/1\.1"\n$/);
  assert.match(boom!, /^<131>.* 500 .*"GET \/boom HTTP\/1\.1"\n$/);
  sy.proc.kill('SIGKILL');
});

test('rfc5424 with log-format-sd and log-send-hostname; a second target with its own facility', async (t) => {
  if (!gate(t)) return;
  const rx = await syslog();
  const [web, fe] = [await webServer(), await freePort()];
  const sy = await start(`global\n  log 127.0.0.1:${rx.port} format rfc5424 local1\n  log-send-hostname edge1\n${DEFAULTS}frontend fe\n  bind 127.0.0.1:${fe}\n  log global\n  log 127.0.0.1:${rx.port} format priority local7\n  log-tag web\n  log-format %ST\n  log-format-sd [meta@1\\ status=\\"%ST\\"]\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${web}\n`, fe);
  await rx.take(0, 0);
  await get(fe, '/');
  const lines = (await rx.take(2)).sort();
  assert.match(lines[0]!, /^<142>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d edge1 web \d+ - \[meta@1 status="200"\] 200\n$/);
  assert.equal(lines[1], '<190>200\n');
  sy.proc.kill('SIGKILL');
});

test('log stdout format raw: lines on the process output', async (t) => {
  if (!gate(t)) return;
  const [web, fe] = [await webServer(), await freePort()];
  const sy = await start(`global\n  log stdout format raw daemon\n${DEFAULTS}frontend fe\n  bind 127.0.0.1:${fe}\n  log global\n  log-format "line\\ %ST\\ %HU"\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${web}\n`, fe);
  await get(fe, '/so');
  const end = Date.now() + 3000;
  while (!sy.stderr().includes('line 200 /so\n') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.match(sy.stderr(), /^line 200 \/so$/m);
  sy.proc.kill('SIGKILL');
});

test('log stdout: a soft stop that ends with the last response has written its line (and every earlier one)', async (t) => {
  if (!gate(t)) return;
  // The backend answers /slow late: the soft stop (SIGUSR1) waits for that session, and the
  // process exits in the same turn as the transaction ends — its line must still be written.
  const srv = http.createServer((q, r) => { setTimeout(() => r.end('late\n'), q.url === '/slow' ? 400 : 0); });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  closers.push(() => srv.close());
  const web = (srv.address() as net.AddressInfo).port;
  const fe = await freePort();
  const sy = await start(`global\n  log stdout format raw daemon\n${DEFAULTS}frontend fe\n  bind 127.0.0.1:${fe}\n  log global\n  log-format "line\\ %ST\\ %HU"\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${web}\n`, fe);
  const N = 50;
  for (let i = 0; i < N; i++) assert.equal(await get(fe, `/n${i}`), 200);
  const slow = get(fe, '/slow');
  await new Promise((r) => setTimeout(r, 150));
  sy.proc.kill('SIGUSR1');
  assert.equal(await slow, 200);
  const { code } = await sy.exited;
  assert.equal(code, 0);
  const lines = sy.stderr().split('\n').filter((l) => /^line 200 \/(n\d+|slow)$/.test(l));
  assert.equal(new Set(lines).size, N + 1, `${lines.length} of ${N + 1} lines written:\n${sy.stderr().slice(-300)}`);
  assert.match(sy.stderr(), /^line 200 \/slow$/m);
});

test('-c reports bad logging lines with file:line and HAProxy wording', async (t) => {
  if (!gate(t) || AGAINST_HAPROXY) return;
  const cfg = writeConfig(`global\n  log 127.0.0.1 local9\n  log ring@x local0\n${DEFAULTS}frontend fe\n  bind 127.0.0.1:1\n  log-format %zz\n  option httplog x\n  default_backend be\nbackend be\n  server s1 127.0.0.1:2\n`);
  const r = await runToEnd(['-c', '-f', cfg]);
  assert.equal(r.code, 1);
  assert.match(r.out, /parsing \[[^\]]*test\.cfg:2\] : log : unknown log facility 'local9'/);
  assert.match(r.out, /test\.cfg:3\].*ring@.*not implemented yet/);
  assert.match(r.out, /test\.cfg:11\].*failed to parse log-format : no such format variable 'zz'/);
  assert.match(r.out, /test\.cfg:12\].*keyword 'httplog' only supports option 'clf'/);
});
