/**
 * TCP-mode behaviour that needs timing or process-level observation: tunnel timeout,
 * global maxconn holding (not refusing) connections, retry turn-around, both accept paths.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { cleanup, exchange, freePort, namedEchoServer, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

after(cleanup);

async function start(cfg: string, port: number, env: NodeJS.ProcessEnv = {}): Promise<ReturnType<typeof runSwitchyard>> {
  const sy = runSwitchyard(['-db', '-f', writeConfig(cfg)], env);
  await waitForPort(port);
  return sy;
}

function open(port: number): Promise<{ sock: net.Socket; data: () => string; closedAt: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.unref();
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => { data += d; });
    const closedAt = new Promise<number>((r) => sock.on('close', () => r(Date.now())));
    sock.once('connect', () => resolve({ sock, data: () => data, closedAt }));
    sock.once('error', reject);
  });
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const accept of ['fast', 'ordinary'] as const) {
  const env = accept === 'ordinary' ? { SWITCHYARD_SLOW_ACCEPT: '1' } : {};

  test(`[${accept} accept] 1 MiB each way arrives intact, with half-close`, async () => {
    const echo = await namedEchoServer('s1');
    const port = await freePort();
    const sy = await start(`defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nlisten l\n  bind 127.0.0.1:${port}\n  server s1 127.0.0.1:${echo.port}\n`, port, env);
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
    const got = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => { s.end(); resolve(Buffer.concat(parts)); });
      s.on('error', reject);
      s.on('connect', () => { s.end(payload); });
    });
    assert.equal(got.subarray(0, 3).toString(), 's1\n');
    assert.ok(got.subarray(3).equals(payload), 'echoed payload identical');
    sy.proc.kill('SIGINT');
    assert.equal((await sy.exited).code, 0);
    echo.server.close();
  });

  test(`[${accept} accept] global maxconn 1: a second client waits, then is served`, async () => {
    const echo = await namedEchoServer('s1');
    const port = await freePort();
    const sy = await start(`global\n  maxconn 1\ndefaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nlisten l\n  bind 127.0.0.1:${port}\n  server s1 127.0.0.1:${echo.port}\n`, port, env);
    const first = await open(port);
    await until(() => first.data() === 's1\n');
    const second = await open(port);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(second.data(), '', 'second client is held, not served yet');
    assert.equal(second.sock.destroyed, false, 'and not refused');
    first.sock.end();
    await until(() => second.data() === 's1\n');
    second.sock.end();
    sy.proc.kill('SIGINT');
    await sy.exited;
    echo.server.close();
  });
}

test('timeout tunnel replaces timeout client once connected', async () => {
  const echo = await namedEchoServer('s1');
  const port = await freePort();
  const sy = await start(`defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 200ms\n  timeout server 200ms\n  timeout tunnel 1s\nlisten l\n  bind 127.0.0.1:${port}\n  server s1 127.0.0.1:${echo.port}\n`, port);
  const c = await open(port);
  const t0 = Date.now();
  await until(() => c.data() === 's1\n');
  const closed = await c.closedAt;
  const idle = closed - t0;
  assert.ok(idle >= 900, `closed after ${idle} ms: the 200 ms client timeout must not apply`);
  assert.ok(idle < 3000, `closed after ${idle} ms: the 1 s tunnel timeout must apply`);
  sy.proc.kill('SIGINT');
  await sy.exited;
  echo.server.close();
});

test('timeout client closes an idle session', async () => {
  const echo = await namedEchoServer('s1');
  const port = await freePort();
  const sy = await start(`defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 300ms\n  timeout server 5s\nlisten l\n  bind 127.0.0.1:${port}\n  server s1 127.0.0.1:${echo.port}\n`, port);
  const c = await open(port);
  const t0 = Date.now();
  const idle = (await c.closedAt) - t0;
  assert.ok(idle >= 250 && idle < 2000, `closed after ${idle} ms, expected ~300 ms`);
  sy.proc.kill('SIGINT');
  await sy.exited;
  echo.server.close();
});

test('retries on the same server wait min(timeout connect, 1s) between attempts', async () => {
  const dead = await freePort();
  const port = await freePort();
  const sy = await start(`defaults\n  mode tcp\n  timeout connect 300ms\n  timeout client 5s\n  timeout server 5s\n  retries 2\nlisten l\n  bind 127.0.0.1:${port}\n  server s1 127.0.0.1:${dead}\n`, port);
  const t0 = Date.now();
  const got = await exchange(port, undefined, { endAfterSend: false });
  const took = Date.now() - t0;
  assert.equal(got, '');
  assert.ok(took >= 550 && took < 2000, `gave up after ${took} ms; expected 2 retries × 300 ms`);
  sy.proc.kill('SIGINT');
  await sy.exited;
});

test('option redispatch: the retry goes to another server at once', async () => {
  const dead = await freePort();
  const echo = await namedEchoServer('s2');
  const port = await freePort();
  const sy = await start(`defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n  retries 1\n  option redispatch\nlisten l\n  bind 127.0.0.1:${port}\n  server s1 127.0.0.1:${dead}\n  server s2 127.0.0.1:${echo.port}\n`, port);
  for (let i = 0; i < 4; i++) {
    const t0 = Date.now();
    assert.equal(await exchange(port, 'x\n'), 's2\nx\n');
    assert.ok(Date.now() - t0 < 800, 'no turn-around delay when redispatching');
  }
  sy.proc.kill('SIGINT');
  await sy.exited;
  echo.server.close();
});
