/**
 * `mode http` end to end: real bin/switchyard, real node:http and raw TCP backends,
 * raw TCP clients so every byte on the wire is ours.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

after(cleanup);

interface Backend { port: number; seen: string[]; close: () => void }

/** A node:http backend that answers "name path" and records each request line. */
async function httpBackend(name: string): Promise<Backend> {
  const seen: string[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (d: string) => { body += d; });
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      if (req.url === '/nocontent') { res.writeHead(204); res.end(); return; }
      const text = `${name} ${req.method} ${req.url} ${body}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text), 'x-server': name });
      res.end(req.method === 'HEAD' ? undefined : text);
    });
  });
  srv.keepAliveTimeout = 5000;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, seen, close: () => { srv.closeAllConnections(); srv.close(); } };
}

/** A raw backend that records every byte it receives and answers with `reply`. */
async function rawBackend(reply: string): Promise<{ port: number; received: () => string; close: () => void }> {
  let received = '';
  const srv = net.createServer((s) => {
    s.setEncoding('latin1');
    s.on('data', (d: string) => { received += d; if (received.includes('\r\n\r\n')) s.end(reply); });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  srv.unref();
  return { port: (srv.address() as net.AddressInfo).port, received: () => received, close: () => srv.close() };
}

/** Sends raw bytes, returns everything received until the proxy closes (or `untilCount` responses). */
function raw(port: number, data: string | string[], opts: { waitMs?: number; untilCount?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const parts = Array.isArray(data) ? data : [data];
    const done = (): void => { clearTimeout(t); s.destroy(); resolve(got); };
    const t = setTimeout(done, opts.waitMs ?? 3000);
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      if (opts.untilCount && (got.match(/HTTP\/1\.1 \d{3} /g)?.length ?? 0) >= opts.untilCount && /\r\n\r\n[^]*$/.test(got)) {
        // give the last body a moment to arrive
        setTimeout(done, 50);
      }
    });
    s.on('close', done);
    s.on('error', reject);
    s.on('connect', async () => {
      for (const p of parts) { s.write(p, 'latin1'); await new Promise((r) => setTimeout(r, 20)); }
    });
  });
}

let b1: Backend;
let b2: Backend;
let port: number;

function cfg(extra = '', servers?: string): string {
  return `defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 2s
  timeout http-request 1s
  timeout http-keep-alive 1s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
${extra}
backend be
${servers ?? `  server s1 127.0.0.1:${b1.port}\n  server s2 127.0.0.1:${b2.port}`}
`;
}

before(async () => {
  b1 = await httpBackend('s1');
  b2 = await httpBackend('s2');
  port = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg())]);
  await waitForPort(port);
});

after(() => { b1.close(); b2.close(); });

test('keep-alive: three requests on one connection, each load-balanced (s1 s2 s1)', async () => {
  const req = (p: string): string => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const out = await raw(port, [req('/a'), req('/b'), req('/c')], { untilCount: 3 });
  const servers = [...out.matchAll(/x-server: (s\d)/g)].map((m) => m[1]);
  assert.deepEqual(servers, ['s1', 's2', 's1']);
  assert.match(out, /s1 GET \/a [^]*s2 GET \/b [^]*s1 GET \/c /);
});

test('pipelined requests are answered in order', async () => {
  const req = (p: string): string => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const out = await raw(port, req('/p1') + req('/p2') + req('/p3'), { untilCount: 3 });
  const paths = [...out.matchAll(/GET (\/p\d)/g)].map((m) => m[1]);
  assert.deepEqual(paths, ['/p1', '/p2', '/p3']);
});

test('Content-Length and chunked request bodies reach the server intact', async () => {
  const cl = await raw(port, 'POST /cl HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world');
  assert.match(cl, /^HTTP\/1\.1 200 /);
  assert.match(cl, /POST \/cl hello world$/);
  assert.match(cl, /connection: close/i);
  const ch = await raw(port, 'POST /ch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n');
  assert.match(ch, /POST \/ch hello world$/);
});

test('HEAD and 204 responses have no body, and the connection stays usable', async () => {
  const out = await raw(port, ['HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /after HTTP/1.1\r\nHost: x\r\n\r\n'], { untilCount: 3 });
  assert.match(out, /^HTTP\/1\.1 200 [^]*content-length: \d+\r\n[^]*\r\n\r\nHTTP\/1\.1 204 [^]*\r\n\r\nHTTP\/1\.1 200 [^]*GET \/after $/);
});

test('HTTP/1.0 without keep-alive gets its answer and the connection closes', async () => {
  const out = await raw(port, 'GET /old HTTP/1.0\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 200 [^]*connection: close[^]*GET \/old $/i);
});

for (const [name, bytes, status] of [
  ['CL and TE together', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
  ['TE not ending in chunked', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n', 400],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n', 400],
  ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
  ['missing Host', 'GET / HTTP/1.1\r\n\r\n', 400],
  ['bare LF', 'GET / HTTP/1.1\nHost: x\n\n', 400],
  ['HTTP/2.0 on an HTTP/1 connection', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
  ['request line too long', `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
] as const) {
  test(`refused before reaching any server: ${name} → ${status}`, async () => {
    const spy = await rawBackend('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nno');
    const p = await freePort();
    runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server spy 127.0.0.1:${spy.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
    await waitForPort(p);
    const out = await raw(p, bytes);
    assert.match(out, new RegExp(`^HTTP/1\\.1 ${status} `));
    assert.match(out, /\r\nConnection: close\r\n/, "HAProxy's shape for refused requests");
    assert.equal(spy.received(), '', 'the server received zero bytes');
    spy.close();
  });
}

test('after 502/503/504 on a complete request the client connection stays open (HAProxy 2.6); a 1.0 keep-alive client is told so', async () => {
  const p = await freePort();
  const dead = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  retries 0\n  server dead 127.0.0.1:${dead}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  const out = await raw(p, ['GET /1 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n'], { untilCount: 2 });
  const replies = out.split('HTTP/1.1 503 Service Unavailable\r\n').slice(1);
  assert.equal(replies.length, 2, 'both requests answered on one connection');
  assert.match(replies[0]!, /^content-length: \d+\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n<html>/);
  const old = await raw(p, 'GET /3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { untilCount: 1 });
  assert.match(old, /^HTTP\/1\.1 503 [^]*\r\nconnection: keep-alive\r\n\r\n/);
  const closing = await raw(p, 'GET /4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(closing, /^HTTP\/1\.1 503 [^]*\r\nconnection: close\r\n\r\n/);
});

test('tune.bufsize and tune.maxrewrite bound the request head; tune.http.maxhdr the field count', async () => {
  const spy = await rawBackend('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  const p = await freePort();
  const text = cfg('', `  server spy 127.0.0.1:${spy.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`);
  runSwitchyard(['-db', '-f', writeConfig(`global\n  tune.bufsize 4096\n  tune.maxrewrite 1024\n  tune.http.maxhdr 5\n${text}`)]);
  await waitForPort(p);
  const fits = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(2900)}\r\n\r\n`;
  assert.match(await raw(p, fits, { untilCount: 1 }), /^HTTP\/1\.1 200 /);
  const tooBig = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(3200)}\r\n\r\n`;
  assert.match(await raw(p, tooBig), /^HTTP\/1\.1 431 /);
  const manyFields = `GET / HTTP/1.1\r\nHost: x\r\n${[1, 2, 3, 4, 5].map((i) => `X-${i}: v\r\n`).join('')}\r\n`;
  assert.match(await raw(p, manyFields), /^HTTP\/1\.1 4\d\d /);
  spy.close();
});

test('a request smuggled behind a chunked body is not forwarded as part of it', async () => {
  const spy = await rawBackend('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server spy 127.0.0.1:${spy.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  // The chunked body ends at "0\r\n\r\n"; what follows is a second request, handled as such.
  await raw(p, 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n', { untilCount: 2, waitMs: 1500 });
  const got = spy.received();
  assert.match(got, /^POST \/ HTTP\/1\.1\r\n[^]*\r\n\r\n0\r\n\r\n/);
  assert.ok(!/0\r\n\r\nGET \/admin/.test(got.split('\r\n\r\n0\r\n\r\n')[0]!), 'body and next request not merged');
  spy.close();
});

test('no server listening → 503; slow client → 408; server not answering → 504', async () => {
  const dead = await freePort();
  const p1 = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  retries 0\n  server dead 127.0.0.1:${dead}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p1}`))]);
  await waitForPort(p1);
  assert.match(await raw(p1, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 503 /);
  const t0 = Date.now();
  const slow = await raw(p1, 'GET / HTTP/1.1\r\nHost', { waitMs: 4000 });
  assert.match(slow, /^HTTP\/1\.1 408 /);
  assert.ok(Date.now() - t0 >= 900, 'timeout http-request (1 s) applied');
  const mute = net.createServer(() => { /* accepts, never answers */ });
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  mute.unref();
  const p2 = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server mute 127.0.0.1:${(mute.address() as net.AddressInfo).port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p2}`))]);
  await waitForPort(p2);
  assert.match(await raw(p2, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 4000 }), /^HTTP\/1\.1 504 /);
  mute.close();
});

test('a response with both Content-Length and Transfer-Encoding is refused with 502', async () => {
  const bad = await rawBackend('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n');
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server bad 127.0.0.1:${bad.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  assert.match(await raw(p, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 502 /);
  bad.close();
});

test('an invalid chunk arriving together with the response head: the client gets 502, not a cut connection', async () => {
  const bad = await rawBackend('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n');
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server bad 127.0.0.1:${bad.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  const out = await raw(p, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 502 /);
  assert.doesNotMatch(out, /200 OK/);
  bad.close();
});

test('HTTP/1.0 keep-alive: the server is asked to keep the connection, the 1.0 client is told it is kept', async () => {
  // A server that keeps its connections and answers every request head it reads.
  let received = '';
  const srv = net.createServer((s) => {
    s.setEncoding('latin1');
    s.on('data', (d: string) => { received += d; for (const _ of d.matchAll(/\r\n\r\n/g)) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'); });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const b = { port: (srv.address() as net.AddressInfo).port, received: () => received, close: () => srv.close() };
  srv.unref();
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server b 127.0.0.1:${b.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  const out = await raw(p, ['GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'GET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], { untilCount: 2 });
  const replies = out.split('HTTP/1.1 200 OK').slice(1);
  assert.equal(replies.length, 2, 'both requests answered on one connection');
  for (const r of replies) assert.match(r, /connection: keep-alive/i);
  assert.match(b.received(), /^GET \/1 HTTP\/1\.0\r\n[^]*connection: keep-alive\r\n/i);
  b.close();
});

test('a close-delimited response is relayed until the server closes, then the client connection ends', async () => {
  const b = await rawBackend('HTTP/1.1 200 OK\r\n\r\nuntil close');
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server b 127.0.0.1:${b.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  const out = await raw(p, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 200 OK\r\nconnection: close\r\n\r\nuntil close$/);
  b.close();
});

test('option http-server-close: a new server connection per request, client kept alive; httpclose: client closed', async () => {
  let connections = 0;
  const srv = http.createServer((req, res) => { res.writeHead(200, { 'content-length': '2' }); res.end('ok'); });
  srv.on('connection', () => { connections++; });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  srv.unref(); // a failed assertion must not keep the test process alive
  const sp = (srv.address() as net.AddressInfo).port;
  const p1 = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('  option http-server-close', `  server s 127.0.0.1:${sp}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p1}`))]);
  await waitForPort(p1);
  const req = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
  const out = await raw(p1, [req, req, req], { untilCount: 3 });
  assert.equal(out.match(/HTTP\/1\.1 200 /g)?.length, 3, `three answers on one client connection: ${JSON.stringify(out)}`);
  assert.doesNotMatch(out, /connection: close/i);
  assert.equal(connections, 3, 'one server connection per request');
  const p2 = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('  option httpclose', `  server s 127.0.0.1:${sp}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p2}`))]);
  await waitForPort(p2);
  const t0 = Date.now();
  const one = await raw(p2, [req, req], { waitMs: 3000 });
  assert.equal(one.match(/HTTP\/1\.1 200 /g)?.length, 1, 'httpclose: one answer, then the connection ends');
  assert.match(one, /connection: close/i);
  assert.ok(Date.now() - t0 < 2000, 'closed by the proxy, not by a timeout');
  srv.close();
});

test('Upgrade: websocket — after 101 the connection is a tunnel both ways', async () => {
  const ws = net.createServer((s) => {
    let buf = '';
    let upgraded = false;
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      if (upgraded) { s.write(`echo:${d}`); return; }
      buf += d;
      if (!buf.includes('\r\n\r\n')) return;
      assert.match(buf, /^GET \/chat HTTP\/1\.1\r\n/);
      assert.match(buf, /\r\nupgrade: websocket\r\n/i);
      assert.match(buf, /\r\nconnection: upgrade\r\n/i);
      upgraded = true;
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => ws.listen(0, '127.0.0.1', r));
  ws.unref();
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  timeout tunnel 5s\n  server ws 127.0.0.1:${(ws.address() as net.AddressInfo).port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  const out = await raw(p, ['GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 'frame-1', 'frame-2'], { waitMs: 1000 });
  assert.match(out, /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*\r\n\r\n/);
  // The server echoes what each read brought; TCP may deliver both frames in one read.
  const tunnelled = out.slice(out.indexOf('\r\n\r\n') + 4);
  assert.match(tunnelled, /^echo:frame-1(echo:)?frame-2$/);
});

test('Expect: 100-continue — the interim response is relayed, then the final one', async () => {
  const b = net.createServer((s) => {
    let buf = '';
    let continued = false;
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      if (!continued && buf.includes('\r\n\r\n')) { continued = true; s.write('HTTP/1.1 100 Continue\r\n\r\n'); }
      if (buf.endsWith('\r\n\r\nhello')) s.write('HTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\ndone');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => b.listen(0, '127.0.0.1', r));
  b.unref();
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg('', `  server b 127.0.0.1:${(b.address() as net.AddressInfo).port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  const out = await raw(p, ['PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n', 'hello'], { untilCount: 2 });
  assert.match(out, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 Created\r\ncontent-length: 4\r\n\r\ndone/);
});

test('option forwardfor: adds the client address; header, if-none and except are honoured', async () => {
  const cases: [string, string, (got: string) => void][] = [
    ['  option forwardfor', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (g) => assert.match(g, /\r\nx-forwarded-for: 127\.0\.0\.1\r\n/)],
    ['  option forwardfor header X-Real-IP', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (g) => { assert.match(g, /\r\nx-real-ip: 127\.0\.0\.1\r\n/); assert.doesNotMatch(g, /x-forwarded-for/i); }],
    ['  option forwardfor if-none', 'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.1.1.1\r\n\r\n', (g) => { assert.match(g, /X-Forwarded-For: 10\.1\.1\.1\r\n/); assert.doesNotMatch(g, /127\.0\.0\.1/); }],
    ['  option forwardfor', 'GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.1.1.1\r\n\r\n', (g) => assert.match(g, /X-Forwarded-For: 10\.1\.1\.1\r\n[^]*x-forwarded-for: 127\.0\.0\.1\r\n/)],
    ['  option forwardfor except 127.0.0.0/8', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (g) => assert.doesNotMatch(g, /x-forwarded-for/i)],
  ];
  for (const [opt, req, check] of cases) {
    const spy = await rawBackend('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    const p = await freePort();
    runSwitchyard(['-db', '-f', writeConfig(cfg(opt, `  server spy 127.0.0.1:${spy.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
    await waitForPort(p);
    assert.match(await raw(p, req, { untilCount: 1 }), /^HTTP\/1\.1 200 /);
    check(spy.received());
    spy.close();
  }
});

test('option originalto and option forwarded (RFC 7239) describe the connection to the server', async () => {
  const cases: [string, string, (got: string) => void][] = [
    ['  option originalto', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (g) => assert.match(g, /\r\nx-original-to: 127\.0\.0\.1\r\n/)],
    ['  option originalto header X-Dst except 10.0.0.0/8', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (g) => assert.match(g, /\r\nx-dst: 127\.0\.0\.1\r\n/)],
    ['  option originalto except 127.0.0.1', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (g) => assert.doesNotMatch(g, /x-original-to/i)],
    ['  option forwarded', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (g) => assert.match(g, /\r\nforwarded: for=127\.0\.0\.1\r\n/)],
    ['  option forwarded proto host by by_port for for_port', 'GET / HTTP/1.1\r\nHost: example.com:8080\r\nForwarded: for=10.9.9.9\r\n\r\n', (g) => {
      assert.match(g, /Forwarded: for=10\.9\.9\.9\r\nforwarded: proto=http;host="example\.com:8080";by="127\.0\.0\.1:\d+";for="127\.0\.0\.1:\d+"\r\n/);
    }],
  ];
  for (const [opt, req, check] of cases) {
    const spy = await rawBackend('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    const p = await freePort();
    runSwitchyard(['-db', '-f', writeConfig(cfg('', `${opt}\n  server spy 127.0.0.1:${spy.port}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
    await waitForPort(p);
    assert.match(await raw(p, req, { untilCount: 1 }), /^HTTP\/1\.1 200 /);
    check(spy.received());
    spy.close();
  }
});

test('errorfile: the operator\'s raw response replaces the built-in one', async () => {
  const { tempDir } = await import('../helpers/switchyard.ts');
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = tempDir();
  const file = join(dir, '503.http');
  writeFileSync(file, 'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 14\r\nconnection: close\r\n\r\nback in 5 min\n');
  const dead = await freePort();
  const p = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(cfg(`  errorfile 503 ${file}`, `  retries 0\n  server dead 127.0.0.1:${dead}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`))]);
  await waitForPort(p);
  assert.equal(await raw(p, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 14\r\nconnection: close\r\n\r\nback in 5 min\n');
});

test('http-errors sections and errorfiles NAME [CODE…]', async () => {
  const { tempDir } = await import('../helpers/switchyard.ts');
  const dir = tempDir();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${dir}/503.http`, 'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nsite-503\n');
  writeFileSync(`${dir}/504.http`, 'HTTP/1.1 504 Gateway Time-out\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nsite-504\n');
  const p = await freePort();
  const dead = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(`http-errors site
  errorfile 503 ${dir}/503.http
  errorfile 504 ${dir}/504.http
${cfg('  errorfiles site 503', `  retries 0\n  server dead 127.0.0.1:${dead}`).replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`)}`)]);
  await waitForPort(p);
  assert.match(await raw(p, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /\r\n\r\nsite-503\n$/);
  const { runToEnd } = await import('../helpers/switchyard.ts');
  const bad = await runToEnd(['-c', '-f', writeConfig(`defaults\n  mode http\nfrontend fe\n  bind 127.0.0.1:1\n  errorfiles nosuch\n  default_backend be\nbackend be\n  server s 127.0.0.1:2\n`)]);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /test\.cfg:5\].*unable to find http-errors section 'nosuch'/);
});
