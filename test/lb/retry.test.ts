/**
 * `retry-on` (HAProxy's layer-7 retries): a request already sent is sent again after an
 * empty response, a junk response, a response timeout or a listed status — within the
 * `retries` budget, on another server when `option redispatch` says so, body included —
 * and never when nothing asked for it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

type Behaviour = 'close' | 'junk' | 'silent' | number;

/**
 * A raw HTTP server. `plan(n)` says what to do with the n-th request (0-based): close
 * without answering, send junk, never answer, or answer with that status. Records the
 * bytes of every request.
 */
async function planned(name: string, plan: (n: number) => Behaviour): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const socks = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => {});
    let buf = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      const req = buf.slice(0, end + 4 + len);
      buf = buf.slice(end + 4 + len);
      const b = plan(requests.length);
      requests.push(req);
      if (b === 'close') s.destroy();
      else if (b === 'junk') s.end('this is not HTTP\r\n\r\n');
      else if (b === 'silent') { /* never answers */ } else {
        const body = `${name} ${b}`;
        s.write(`HTTP/1.1 ${b} X\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => { for (const s of socks) s.destroy(); srv.close(); });
  return { port: (srv.address() as net.AddressInfo).port, requests };
}

async function lb(backendLines: string): Promise<number> {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 300ms
  timeout client 5s
  timeout server 300ms
listen lb
  bind 127.0.0.1:${port}
${backendLines}
`)]);
  await waitForPort(port);
  return port;
}

/** One request on a new connection; the status line and body, or '' if the proxy closed. */
function ask(port: number, req = 'GET /r HTTP/1.1\r\nhost: x\r\n\r\n'): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const m = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n/.exec(got);
      if (!m) return;
      const len = Number(/content-length: (\d+)/i.exec(m[0])?.[1] ?? 0);
      const body = got.slice(m[0].length);
      if (body.length >= len) { s.destroy(); resolve(`${m[1]} ${body}`); }
    });
    s.on('close', () => resolve(got));
    s.on('error', () => {});
    s.write(req);
  });
}

test('default (retry-on conn-failure): a server that closes without answering gives 502, the request is not replayed', async () => {
  const s1 = await planned('s1', (n) => (n === 0 ? 'close' : 200));
  const port = await lb(`  server s1 127.0.0.1:${s1.port}`);
  assert.match(await ask(port), /^502 /);
  assert.equal(s1.requests.length, 1);
});

test('retry-on empty-response: the request is sent again on a new connection and answered', async () => {
  const s1 = await planned('s1', (n) => (n === 0 ? 'close' : 200));
  const port = await lb(`  retry-on empty-response\n  server s1 127.0.0.1:${s1.port}`);
  assert.equal(await ask(port), '200 s1 200');
  assert.equal(s1.requests.length, 2);
  assert.equal(s1.requests[0], s1.requests[1], 'the same bytes both times');
});

test('retry-on junk-response and response-timeout, with redispatch to the other server', async () => {
  const junk = await planned('junk', () => 'junk');
  const slow = await planned('slow', () => 'silent');
  const good = await planned('good', () => 200);
  const p1 = await lb(`  option redispatch\n  retry-on junk-response\n  server junk 127.0.0.1:${junk.port}\n  server good 127.0.0.1:${good.port}`);
  assert.equal(await ask(p1), '200 good 200');
  const p2 = await lb(`  option redispatch\n  retry-on response-timeout\n  server slow 127.0.0.1:${slow.port}\n  server good 127.0.0.1:${good.port}`);
  assert.equal(await ask(p2), '200 good 200');
  assert.equal(slow.requests.length, 1);
});

test('retry-on 503: a listed status is retried on another server; the POST body is replayed exactly', async () => {
  const busy = await planned('busy', () => 503);
  const good = await planned('good', () => 201);
  const port = await lb(`  option redispatch\n  retry-on 503\n  server busy 127.0.0.1:${busy.port}\n  server good 127.0.0.1:${good.port}`);
  const post = 'POST /p HTTP/1.1\r\nhost: x\r\ncontent-length: 11\r\n\r\nhello world';
  assert.equal(await ask(port, post), '201 good 201');
  assert.equal(busy.requests[0], post);
  assert.equal(good.requests[0], post);
});

test('the retries budget bounds retry-on: when it is spent, the last answer goes to the client', async () => {
  const a = await planned('a', () => 503);
  const b = await planned('b', () => 503);
  const port = await lb(`  retries 2\n  option redispatch\n  retry-on 503\n  server a 127.0.0.1:${a.port}\n  server b 127.0.0.1:${b.port}`);
  assert.match(await ask(port), /^503 [ab] 503$/);
  assert.equal(a.requests.length + b.requests.length, 3, 'one try and two retries');
});

test('a request larger than one buffer is not replayed', async () => {
  const s1 = await planned('s1', (n) => (n === 0 ? 'close' : 200));
  const port = await lb(`  retry-on empty-response\n  server s1 127.0.0.1:${s1.port}`);
  const body = 'x'.repeat(20_000);
  assert.match(await ask(port, `POST /big HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n${body}`), /^502 /);
  assert.equal(s1.requests.length, 1);
});

test('retry-on none: not even connection failures are retried', async () => {
  const dead = await freePort();
  const good = await planned('good', () => 200);
  const port = await lb(`  option redispatch\n  retry-on none\n  server dead 127.0.0.1:${dead}\n  server good 127.0.0.1:${good.port}`);
  assert.match(await ask(port), /^503 /);
});

test('retry-on keywords are checked', async () => {
  const { runToEnd } = await import('../helpers/switchyard.ts');
  const r = await runToEnd(['-c', '-f', writeConfig(`defaults\n  mode http\nbackend b\n  retry-on 418\n  retry-on none conn-failure\n  retry-on sometimes\n`)]);
  assert.equal(r.code, 1);
  for (const line of [4, 5, 6]) assert.match(r.out, new RegExp(`test\\.cfg:${line}\\]`));
});

test('option redispatch with every server refusing: the retries budget ends it with 503 (no endless redispatch)', async () => {
  const d1 = await freePort();
  const d2 = await freePort();
  const port = await lb(`  retries 3\n  option redispatch\n  server d1 127.0.0.1:${d1}\n  server d2 127.0.0.1:${d2}`);
  const t0 = performance.now();
  assert.match(await ask(port), /^503 /);
  assert.ok(performance.now() - t0 < 3000);
});
