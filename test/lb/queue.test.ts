/**
 * Server slots and the queue, end to end: per-server maxconn serialises requests, waiters
 * are served first come first served, `timeout queue` answers 503, a client that leaves
 * the queue is never served, backup servers take over, dynamic maxconn (minconn/fullconn).
 * Real bin/switchyard, real node:http backends that measure their own concurrency.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

interface SlowBackend {
  port: number;
  /** Request paths in the order the server received them. */
  order: string[];
  /** Highest number of requests it had in progress at once. */
  maxActive: () => number;
  close: () => void;
}

/** An HTTP server that answers "name path" after `delayMs`, tracking its concurrency. */
async function slowBackend(name: string, delayMs: number): Promise<SlowBackend> {
  const order: string[] = [];
  let active = 0;
  let max = 0;
  const srv = http.createServer((req, res) => {
    active++;
    if (active > max) max = active;
    order.push(req.url ?? '');
    req.resume();
    setTimeout(() => {
      active--;
      const body = `${name} ${req.url}`;
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, delayMs);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const close = (): void => { srv.closeAllConnections(); srv.close(); };
  closers.push(close);
  return { port: (srv.address() as net.AddressInfo).port, order, maxActive: () => max, close };
}

interface Reply { status: number; body: string; ms: number }

/** One request on its own connection (agent: false), with its status, body and duration. */
function get(port: number, path: string): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function start(cfg: string): Promise<number> {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(cfg.replaceAll('@PORT@', String(port)))]);
  await waitForPort(port);
  return port;
}

const HTTP_DEFAULTS = `defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
`;

test('maxconn 1 serialises requests to the server; waiters are served in arrival order', async () => {
  const be = await slowBackend('s1', 120);
  const port = await start(`${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  server s1 127.0.0.1:${be.port} maxconn 1
`);
  const replies: Promise<Reply>[] = [];
  for (let i = 0; i < 5; i++) {
    replies.push(get(port, `/r${i}`));
    await sleep(15); // a known arrival order
  }
  const got = await Promise.all(replies);
  assert.deepEqual(got.map((r) => r.status), [200, 200, 200, 200, 200]);
  assert.equal(be.maxActive(), 1, 'the server never had two requests at once');
  assert.deepEqual(be.order, ['/r0', '/r1', '/r2', '/r3', '/r4']);
  // The fifth waited for the four before it.
  assert.ok(got[4]!.ms >= 4 * 120 - 30, `last reply after ${got[4]!.ms} ms`);
  be.close();
});

test('without maxconn the same requests run concurrently', async () => {
  const be = await slowBackend('s1', 150);
  const port = await start(`${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  server s1 127.0.0.1:${be.port}
`);
  await Promise.all([0, 1, 2, 3].map((i) => get(port, `/c${i}`)));
  assert.equal(be.maxActive(), 4);
  be.close();
});

test('requests spill to the server with a free slot; the backend queue feeds whichever frees first', async () => {
  const a = await slowBackend('a', 150);
  const b = await slowBackend('b', 150);
  const port = await start(`${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  server a 127.0.0.1:${a.port} maxconn 2
  server b 127.0.0.1:${b.port} maxconn 1
`);
  const got = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => get(port, `/x${i}`)));
  assert.ok(got.every((r) => r.status === 200));
  assert.equal(a.maxActive(), 2);
  assert.equal(b.maxActive(), 1);
  assert.equal(a.order.length + b.order.length, 6, 'every request served exactly once');
  a.close();
  b.close();
});

test('timeout queue: a request that waits too long gets 503; the one being served is unaffected', async () => {
  const be = await slowBackend('s1', 600);
  const port = await start(`${HTTP_DEFAULTS}  timeout queue 150ms
listen lb
  bind 127.0.0.1:@PORT@
  server s1 127.0.0.1:${be.port} maxconn 1
`);
  const first = get(port, '/long');
  await sleep(30);
  const second = await get(port, '/queued');
  assert.equal(second.status, 503);
  assert.ok(second.ms >= 140 && second.ms < 550, `503 after ${second.ms} ms`);
  assert.equal((await first).status, 200);
  assert.deepEqual(be.order, ['/long'], 'the expired request never reached the server');
  be.close();
});

/** Queues GET /gone on a raw connection, then ends it with a FIN ('end') or a reset. */
async function queueAndLeave(port: number, how: 'end' | 'reset'): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.write('GET /gone HTTP/1.1\r\nhost: x\r\n\r\n');
  await sleep(50);
  if (how === 'reset') s.resetAndDestroy();
  else s.end();
}

test('a client that resets while queued is never served', async () => {
  const be = await slowBackend('s1', 300);
  const port = await start(`${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  server s1 127.0.0.1:${be.port} maxconn 1
`);
  const first = get(port, '/first');
  await sleep(30);
  await queueAndLeave(port, 'reset');
  const third = get(port, '/third');
  assert.equal((await first).status, 200);
  assert.equal((await third).status, 200);
  assert.deepEqual(be.order, ['/first', '/third']);
});

test('a queued request whose client half-closes is still served, unless option abortonclose (as HAProxy)', async () => {
  const be = await slowBackend('s1', 250);
  const cfg = (abort: string): string => `${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  ${abort}
  server s1 127.0.0.1:${be.port} maxconn 1
`;
  const port = await start(cfg(''));
  const first = get(port, '/first');
  await sleep(30);
  await queueAndLeave(port, 'end');
  await first;
  for (let i = 0; i < 40 && be.order.length < 2; i++) await sleep(25);
  assert.deepEqual(be.order, ['/first', '/gone'], 'HTTP-compliant default: the request is served');
  be.order.length = 0;
  const port2 = await start(cfg('option abortonclose'));
  const f2 = get(port2, '/first');
  await sleep(30);
  await queueAndLeave(port2, 'end');
  const third = get(port2, '/third');
  await f2;
  assert.equal((await third).status, 200);
  assert.deepEqual(be.order, ['/first', '/third'], 'abortonclose: the abandoned request is dropped from the queue');
});

test('keep-alive: the slot is held per request, not per connection', async () => {
  const be = await slowBackend('s1', 100);
  const port = await start(`${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  server s1 127.0.0.1:${be.port} maxconn 1
`);
  // Connection A sends one request and then idles on keep-alive; B must not wait for A to close.
  const a = net.connect(port, '127.0.0.1');
  a.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\n');
  await new Promise<void>((r) => a.once('data', () => r()));
  const b = await get(port, '/b');
  assert.equal(b.status, 200);
  assert.ok(b.ms < 400, `B served in ${b.ms} ms while A idles`);
  a.destroy();
  be.close();
});

test('mode tcp: maxconn holds the second connection until the first ends', async () => {
  const echo = net.createServer((s) => { s.on('data', (d) => s.write(d)); s.on('error', () => {}); });
  let active = 0;
  let max = 0;
  echo.on('connection', (s) => { active++; max = Math.max(max, active); s.on('close', () => active--); });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const port = await start(`defaults
  mode tcp
  timeout connect 2s
  timeout client 5s
  timeout server 5s
listen lb
  bind 127.0.0.1:@PORT@
  server s1 127.0.0.1:${(echo.address() as net.AddressInfo).port} maxconn 1
`);
  const talk = (s: net.Socket, msg: string): Promise<string> => new Promise((r) => { s.once('data', (d) => r(d.toString())); s.write(msg); });
  const c1 = net.connect(port, '127.0.0.1');
  assert.equal(await talk(c1, 'one'), 'one');
  const c2 = net.connect(port, '127.0.0.1');
  let c2got = '';
  c2.on('data', (d) => { c2got += d.toString(); });
  c2.write('two');
  await sleep(200);
  assert.equal(c2got, '', 'the second connection waits in the queue');
  c1.destroy();
  for (let i = 0; i < 40 && c2got === ''; i++) await sleep(25);
  assert.equal(c2got, 'two');
  assert.equal(max, 1);
  c2.destroy();
  echo.close();
});

test('backup servers serve only when no active server is usable; allbackups spreads over them', async () => {
  const act = await slowBackend('act', 0);
  const b1 = await slowBackend('b1', 0);
  const b2 = await slowBackend('b2', 0);
  const port = await start(`${HTTP_DEFAULTS}listen one
  bind 127.0.0.1:@PORT@
  server act 127.0.0.1:${act.port} disabled
  server b1 127.0.0.1:${b1.port} backup
  server b2 127.0.0.1:${b2.port} backup
`);
  for (let i = 0; i < 4; i++) assert.match((await get(port, `/o${i}`)).body, /^b1 /);
  const port2 = await start(`${HTTP_DEFAULTS}listen all
  bind 127.0.0.1:@PORT@
  option allbackups
  server act 127.0.0.1:${act.port} disabled
  server b1 127.0.0.1:${b1.port} backup
  server b2 127.0.0.1:${b2.port} backup
`);
  const names = [];
  for (let i = 0; i < 4; i++) names.push((await get(port2, `/a${i}`)).body.split(' ')[0]);
  assert.deepEqual(names, ['b1', 'b2', 'b1', 'b2']);
  const port3 = await start(`${HTTP_DEFAULTS}listen active
  bind 127.0.0.1:@PORT@
  server act 127.0.0.1:${act.port}
  server b1 127.0.0.1:${b1.port} backup
`);
  for (let i = 0; i < 3; i++) assert.match((await get(port3, `/p${i}`)).body, /^act /);
  for (const b of [act, b1, b2]) b.close();
});

test('minconn + fullconn: the slot limit grows with the backend load (dynamic maxconn)', async () => {
  const be = await slowBackend('s1', 200);
  // fullconn 10, minconn 1, maxconn 10: with n requests on the backend the limit is
  // max(1, ceil(10 × n / 10)) = n — so concurrency grows with the load, up to maxconn.
  const port = await start(`${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  fullconn 10
  server s1 127.0.0.1:${be.port} minconn 1 maxconn 10
`);
  await Promise.all([0, 1, 2, 3, 4, 5].map((i) => get(port, `/d${i}`)));
  assert.ok(be.maxActive() > 1 && be.maxActive() <= 6, `concurrency ${be.maxActive()}`);
  be.close();
});

test('server maxconn options are checked: bad values are errors naming the line', async () => {
  const { runToEnd } = await import('../helpers/switchyard.ts');
  const f = writeConfig(`${HTTP_DEFAULTS}backend b
  server s1 127.0.0.1:80 maxconn x
  server s2 127.0.0.1:80 maxqueue -1
  server s3 127.0.0.1:80 slowstart 3q
`);
  const r = await runToEnd(['-c', '-f', f]);
  assert.equal(r.code, 1);
  assert.match(r.out, /test\.cfg:7\].*maxconn/);
  assert.match(r.out, /test\.cfg:8\].*maxqueue/);
  assert.match(r.out, /test\.cfg:9\].*slowstart/);
});

test('a hash algorithm keeps a request on its full server: it waits in that server\'s queue, up to maxqueue (then 503)', async () => {
  const a = await slowBackend('a', 300);
  const b = await slowBackend('b', 0);
  const port = await start(`${HTTP_DEFAULTS}listen lb
  bind 127.0.0.1:@PORT@
  balance uri
  server a 127.0.0.1:${a.port} maxconn 1 maxqueue 1
  server b 127.0.0.1:${b.port} maxconn 1 maxqueue 1
`);
  // Find a path that hashes to server a.
  let path = '';
  for (let i = 0; i < 50 && path === ''; i++) if ((await get(port, `/k${i}`)).body.startsWith('a ')) path = `/k${i}`;
  assert.notEqual(path, '', 'some path maps to a');
  a.order.length = 0;
  const first = get(port, path);
  await sleep(40);
  const second = get(port, path);
  await sleep(40);
  const third = await get(port, path);
  assert.equal(third.status, 503, 'a\'s queue is full (maxqueue 1)');
  assert.equal((await first).status, 200);
  const s2 = await second;
  assert.equal(s2.status, 200);
  assert.match(s2.body, /^a /, 'the queued request stayed on its server');
  assert.ok(s2.ms >= 250, `it waited for the first (${s2.ms} ms)`);
});
