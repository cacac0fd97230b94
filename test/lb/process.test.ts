/**
 * The balancer as a process: command line, exit codes, start-up failures, signals,
 * seamless hand-over with -sf, daemon mode with a pidfile. Real processes, real sockets.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanup, exchange, freePort, namedEchoServer, runSwitchyard, runToEnd, tempDir, waitForPort, writeConfig,
} from '../helpers/switchyard.ts';

after(cleanup);

function tcpConfig(port: number, serverPort: number, extra = ''): string {
  return `global
  ${extra}
defaults
  mode tcp
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server s1 127.0.0.1:${serverPort}
`;
}

test('-c: valid config exits 0 and says so', async () => {
  const f = writeConfig(tcpConfig(await freePort(), 1));
  const r = await runToEnd(['-c', '-f', f]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Configuration file is valid/);
});

test('-c: every error is reported with file:line, exit 1', async () => {
  const f = writeConfig('frontend fe\n  bind 127.0.0.1:99999\n  bogus-keyword\n  default_backend be\nbackend be\n  server s1 127.0.0.1:80 weight 999\n');
  const r = await runToEnd(['-c', '-f', f]);
  assert.equal(r.code, 1);
  assert.match(r.out, /\[ALERT\].*test\.cfg:2\] : 'bind' : invalid port '99999'/);
  assert.match(r.out, /\[ALERT\].*test\.cfg:3\] : unknown keyword 'bogus-keyword' in 'frontend' section/);
  assert.match(r.out, /\[ALERT\].*test\.cfg:6\] : .*weight/);
  assert.doesNotMatch(r.out, /at .*\.ts:\d+/, 'no stack trace for a user mistake');
});

test('-c: a config without any listener exits 2 like HAProxy', async () => {
  const f = writeConfig('backend be\n  server s1 127.0.0.1:80\n');
  const r = await runToEnd(['-c', '-f', f]);
  assert.equal(r.code, 2);
  assert.match(r.out, /no listener/);
});

test('a recognised but unimplemented keyword is an error, never ignored', async () => {
  const f = writeConfig(`${tcpConfig(await freePort(), 1)}  tcp-response content accept\n`);
  const r = await runToEnd(['-c', '-f', f]);
  assert.equal(r.code, 1);
  assert.match(r.out, /'tcp-response' is a valid HAProxy keyword .* not implemented yet/);
});

test('unreadable or missing files are named', async () => {
  const dir = tempDir();
  const r1 = await runToEnd(['-c', '-f', join(dir, 'nope.cfg')]);
  assert.equal(r1.code, 1);
  assert.match(r1.out, /nope\.cfg : No such file or directory/);
  if (process.getuid?.() !== 0) {
    const f = join(dir, 'locked.cfg');
    writeFileSync(f, 'global\n');
    chmodSync(f, 0);
    const r2 = await runToEnd(['-c', '-f', f]);
    assert.equal(r2.code, 1);
    assert.match(r2.out, /locked\.cfg/);
  }
});

test('-f DIR loads the *.cfg files of the directory in lexical order', async () => {
  const dir = tempDir();
  const port = await freePort();
  writeFileSync(join(dir, '10-defaults.cfg'), 'defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n');
  writeFileSync(join(dir, '20-fe.cfg'), `frontend fe\n  bind 127.0.0.1:${port}\n  default_backend be\n`);
  writeFileSync(join(dir, '30-be.cfg'), 'backend be\n  server s1 127.0.0.1:1\n');
  writeFileSync(join(dir, 'README'), 'not a config\n');
  const r = await runToEnd(['-c', '-f', dir]);
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /WARNING/, 'defaults from 10-defaults.cfg applied before the proxies');
});

test('bad command-line arguments print usage and exit 1', async () => {
  const r1 = await runToEnd(['-Z']);
  assert.equal(r1.code, 1);
  assert.match(r1.out, /unknown option '-Z'/);
  assert.match(r1.out, /Usage :/);
  const r2 = await runToEnd([]);
  assert.equal(r2.code, 1);
  assert.match(r2.out, /No configuration file specified/);
  const r3 = await runToEnd(['-f']);
  assert.equal(r3.code, 1);
  assert.match(r3.out, /'-f' expects an argument/);
});

test('-v, -vv and -cc answer like HAProxy', async () => {
  const v = await runToEnd(['-vv']);
  assert.equal(v.code, 0);
  assert.match(v.out, /^Switchyard version \d+\.\d+\.\d+/);
  assert.match(v.out, /HA-Proxy version 2\.6/);
  assert.equal((await runToEnd(['-cc', 'version_atleast(2.4) && feature(SWITCHYARD)'])).code, 0);
  assert.equal((await runToEnd(['-cc', 'version_atleast(3.0)'])).code, 1);
  assert.equal((await runToEnd(['-cc', 'feature(OPENSSL)'])).code, 1, 'we do not claim TLS yet');
});

test('a port already in use is a clear error, and nothing stays bound', async () => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const busyPort = (busy.address() as net.AddressInfo).port;
  const freeOne = await freePort();
  const f = writeConfig(`defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nfrontend a\n  bind 127.0.0.1:${freeOne}\n  default_backend be\nfrontend b\n  bind 127.0.0.1:${busyPort}\n  default_backend be\nbackend be\n  server s1 127.0.0.1:1\n`);
  const r = await runToEnd(['-db', '-f', f]);
  busy.close();
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`Starting frontend b: cannot bind socket \\(Address already in use\\) \\[127\\.0\\.0\\.1:${busyPort}\\]`));
  // The first frontend's socket was released when start-up failed.
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => { probe.once('error', reject); probe.listen(freeOne, '127.0.0.1', resolve); });
  probe.close();
});

test('SIGUSR1 stops listening but lets running sessions finish; then exit 0', async () => {
  const echo = await namedEchoServer('s1');
  const port = await freePort();
  const sy = runSwitchyard(['-db', '-f', writeConfig(tcpConfig(port, echo.port))]);
  await waitForPort(port);
  const sock = net.connect(port, '127.0.0.1');
  sock.unref();
  const lines: string[] = [];
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => lines.push(d));
  await new Promise((r) => sock.once('connect', r));
  while (!lines.join('').includes('s1\n')) await new Promise((r) => setTimeout(r, 10));
  sy.proc.kill('SIGUSR1');
  // New connections are refused once the listener is closed.
  const deadline = Date.now() + 3000;
  let refused = false;
  while (!refused && Date.now() < deadline) {
    refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('error', () => resolve(true));
      s.once('connect', () => { s.destroy(); resolve(false); });
    });
  }
  assert.ok(refused, 'listener closed after SIGUSR1');
  // The running session still works.
  sock.write('still here\n');
  while (!lines.join('').includes('still here')) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sy.proc.exitCode, null, 'process waits for the session');
  sock.end();
  const { code } = await sy.exited;
  assert.equal(code, 0);
  echo.server.close();
});

test('SIGTERM stops at once with exit 0 and closes sessions', async () => {
  const echo = await namedEchoServer('s1');
  const port = await freePort();
  const sy = runSwitchyard(['-db', '-f', writeConfig(tcpConfig(port, echo.port))]);
  await waitForPort(port);
  const closed = exchange(port, 'x', { endAfterSend: false });
  await new Promise((r) => setTimeout(r, 200));
  sy.proc.kill('SIGTERM');
  const { code } = await sy.exited;
  assert.equal(code, 0);
  assert.match(await closed, /^s1\n/);
  echo.server.close();
});

test('-sf: a new process takes over the port, the old one finishes its sessions and leaves', async () => {
  const echo = await namedEchoServer('s1');
  const port = await freePort();
  const dir = tempDir();
  const pidfile = join(dir, 'sy.pid');
  const cfg = writeConfig(tcpConfig(port, echo.port), dir);
  const old = runSwitchyard(['-db', '-p', pidfile, '-f', cfg]);
  await waitForPort(port);
  // The pidfile is written right after binding: wait for it too.
  for (let i = 0; i < 200 && !existsSync(pidfile); i++) await new Promise((r) => setTimeout(r, 10));
  const oldPid = Number(readFileSync(pidfile, 'utf8').trim());
  assert.equal(oldPid, old.proc.pid);
  const sock = net.connect(port, '127.0.0.1');
  sock.unref();
  let got = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => { got += d; });
  while (!got.includes('s1\n')) await new Promise((r) => setTimeout(r, 10));
  const fresh = runSwitchyard(['-db', '-p', pidfile, '-f', cfg, '-sf', String(oldPid)]);
  // The new process wrote its pid once it was listening.
  const deadline = Date.now() + 5000;
  while (Number(readFileSync(pidfile, 'utf8').trim()) !== fresh.proc.pid && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(Number(readFileSync(pidfile, 'utf8').trim()), fresh.proc.pid);
  // New connections are served (by the new process) while the old session lives on.
  assert.match(await exchange(port, 'hello\n'), /^s1\nhello\n$/);
  sock.write('old session\n');
  while (!got.includes('old session')) await new Promise((r) => setTimeout(r, 10));
  assert.equal(old.proc.exitCode, null);
  sock.end();
  assert.equal((await old.exited).code, 0);
  assert.match(await exchange(port, 'after\n'), /^s1\nafter\n$/);
  fresh.proc.kill('SIGINT');
  assert.equal((await fresh.exited).code, 0);
  echo.server.close();
});

test('-D daemonizes: the parent exits 0 once the child listens, pidfile names the child', async () => {
  const echo = await namedEchoServer('s1');
  const port = await freePort();
  const dir = tempDir();
  const pidfile = join(dir, 'daemon.pid');
  const r = await runToEnd(['-D', '-p', pidfile, '-f', writeConfig(tcpConfig(port, echo.port), dir)]);
  assert.equal(r.code, 0, r.out);
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  try {
    assert.ok(pid > 0);
    assert.match(await exchange(port, 'ping\n'), /^s1\nping\n$/);
  } finally {
    process.kill(pid, 'SIGTERM');
  }
  echo.server.close();
});

test('-D reports a bind failure through the parent exit code', async () => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const busyPort = (busy.address() as net.AddressInfo).port;
  const r = await runToEnd(['-D', '-f', writeConfig(tcpConfig(busyPort, 1))]);
  busy.close();
  assert.equal(r.code, 1);
  assert.match(r.out, /Address already in use/);
});
