/**
 * `http-request` rules end to end: rewrites seen by the server, answers given by the
 * proxy (deny, return, redirect, auth), tarpit and reject, and the configuration checks.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { httpBackend, type HttpBackend, ok } from '../helpers/http-backend.ts';
import { cleanup, freePort, runSwitchyard, runToEnd, waitForPort, writeConfig } from '../helpers/switchyard.ts';

after(cleanup);

let heads: string[] = [];
let backendPort = 0;
let srv: HttpBackend;

before(async () => {
  srv = await httpBackend(() => ok('ok'));
  heads = srv.heads;
  backendPort = srv.port;
});
after(() => srv.close());

async function lb(rules: string, extra = ''): Promise<number> {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
${extra}
frontend fe
  bind 127.0.0.1:${port}
${rules}
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort}
`)]);
  await waitForPort(port);
  return port;
}

/** Sends `req`, returns everything until the proxy closes or one response is complete. */
function send(port: number, req: string, waitMs = 3000): Promise<{ text: string; ms: number; closed: boolean }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let done = false;
    const finish = (closed: boolean): void => { if (done) return; done = true; clearTimeout(t); s.destroy(); resolve({ text: got, ms: performance.now() - t0, closed }); };
    const t = setTimeout(() => finish(false), waitMs);
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length >= end + 4 + len) setTimeout(() => finish(false), 30);
    });
    s.on('close', () => finish(true));
    s.on('error', () => {});
    s.write(req);
  });
}

const GET = (path = '/p?q=1', hdrs = ''): string => `GET ${path} HTTP/1.1\r\nHost: example.com\r\n${hdrs}\r\n`;

test('header and start-line rewrites reach the server; the client gets the server\'s answer', async () => {
  heads.length = 0;
  const port = await lb(`  http-request set-header X-Set one
  http-request add-header X-Add two
  http-request del-header X-Drop
  http-request replace-value Accept ^image/(.*)$ img/\\1
  http-request set-path /new
  http-request set-method POST`);
  const r = await send(port, GET('/old?keep=1', 'X-Drop: gone\r\nX-Set: old\r\nAccept: text/html, image/png\r\n'));
  assert.match(r.text, /^HTTP\/1\.1 200 /);
  const h = heads[0]!;
  assert.match(h, /^POST \/new\?keep=1 HTTP\/1\.1\r\n/);
  assert.doesNotMatch(h, /X-Drop|X-Set: old/);
  assert.match(h, /\r\nAccept: text\/html,img\/png/); // a replaced element loses its blanks (HAProxy 2.6)
  assert.match(h, /\r\nX-Set: one/);
  assert.match(h, /\r\nX-Add: two/);
});

test('set-query and set-uri', async () => {
  heads.length = 0;
  const port = await lb(`  http-request set-query a=b`);
  await send(port, GET('/x?old=1'));
  assert.match(heads[0]!, /^GET \/x\?a=b HTTP/);
  heads.length = 0;
  const p2 = await lb(`  http-request set-uri /fixed`);
  await send(p2, GET('/x?old=1'));
  assert.match(heads[0]!, /^GET \/fixed HTTP/);
});

test('deny (403, or deny_status), return with a body and headers: the server sees nothing', async () => {
  heads.length = 0;
  const p1 = await lb('  http-request deny');
  assert.match((await send(p1, GET())).text, /^HTTP\/1\.1 403 Forbidden\r\n/);
  const p2 = await lb('  http-request deny deny_status 429');
  assert.match((await send(p2, GET())).text, /^HTTP\/1\.1 429 /);
  const p3 = await lb('  http-request return status 200 content-type text/plain string "hello" hdr X-Ret yes');
  const r3 = await send(p3, GET());
  assert.match(r3.text, /^HTTP\/1\.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text\/plain\r\nX-Ret: yes\r\n\r\nhello$/);
  assert.equal(heads.length, 0);
});

test('redirect location / prefix / scheme with code, drop-query and append-slash', async () => {
  const p1 = await lb('  http-request redirect location /login code 301');
  assert.match((await send(p1, GET())).text, /^HTTP\/1\.1 301 [^]*\r\nlocation: \/login\r\n/);
  const p2 = await lb('  http-request redirect prefix https://new.example drop-query append-slash');
  assert.match((await send(p2, GET('/dir?x=1'))).text, /^HTTP\/1\.1 302 [^]*\r\nlocation: https:\/\/new\.example\/dir\/\r\n/);
  const p3 = await lb('  http-request redirect scheme https code 308');
  assert.match((await send(p3, GET('/a?b=c'))).text, /^HTTP\/1\.1 308 [^]*\r\nlocation: https:\/\/example\.com\/a\?b=c\r\n/);
});

test('auth challenges with the realm; tarpit holds then answers 500 and keeps the connection (HAProxy 2.6); reject closes at once', async () => {
  const p1 = await lb('  http-request auth realm Private');
  assert.match((await send(p1, GET())).text, /^HTTP\/1\.1 401 [^]*\r\nwww-authenticate: Basic realm="Private"\r\n/);
  const p2 = await lb('  http-request tarpit', '  timeout tarpit 400ms');
  const t = await send(p2, GET());
  // HAProxy 2.6's keep-alive shape: no `connection: close` (the body's wording is ours).
  assert.match(t.text, /^HTTP\/1\.1 500 Internal Server Error\r\ncontent-length: \d+\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n/);
  assert.ok(t.ms >= 380, `tarpit held ${Math.round(t.ms)} ms`);
  assert.equal(t.closed, false);
  const p3 = await lb('  http-request reject');
  const r = await send(p3, GET());
  assert.equal(r.text, '');
  assert.ok(r.closed);
});

test('configuration: framing fields refused, anonymous defaults refused, unknown actions, final rule warning', async () => {
  const r = await runToEnd(['-c', '-f', writeConfig(`defaults
  mode http
  http-request deny
frontend fe
  bind 127.0.0.1:1
  http-request deny if TRUE
  http-request set-header Content-Length 5
  http-request frobnicate
  http-request normalize-uri path-merge-slashes
  http-request deny deny_status 999
  default_backend be
backend be
  server s1 127.0.0.1:2
`)]);
  assert.equal(r.code, 1);
  for (const line of [3, 7, 8, 9, 10]) assert.match(r.out, new RegExp(`test\\.cfg:${line}\\]`), `line ${line}`);
  const w = await runToEnd(['-c', '-f', writeConfig(`defaults\n  mode http\nfrontend fe\n  bind 127.0.0.1:1\n  http-request deny\n  http-request allow\n  default_backend be\nbackend be\n  server s1 127.0.0.1:2\n`)]);
  assert.match(w.out, /\[WARNING\].*test\.cfg:6\].*previous 'http-request' action is final/);
});

test('monitor-uri: the proxy answers 200 itself for exactly that URI; others go to the server', async () => {
  heads.length = 0;
  const port = await lb('  monitor-uri /alive');
  const r = await send(port, GET('/alive'));
  assert.match(r.text, /^HTTP\/1\.1 200 OK\r\ncontent-length: \d+\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n<html><body><h1>200 OK<\/h1>/);
  assert.equal(heads.length, 0);
  await send(port, GET('/alive/not'));
  assert.equal(heads.length, 1);
});

test('http-response: set-header, del-header, set-status rewrite the server\'s answer; deny replaces it with 502', async () => {
  const port = await lb(`  http-response set-header X-Resp yes
  http-response del-header Content-Type
  http-response set-status 299 reason "Custom"`);
  const r = await send(port, GET());
  assert.match(r.text, /^HTTP\/1\.1 299 Custom\r\n/);
  assert.match(r.text, /\r\nX-Resp: yes\r\n/);
  assert.match(r.text, /\r\n\r\nok$/);
  const p2 = await lb('  http-response deny');
  assert.match((await send(p2, GET())).text, /^HTTP\/1\.1 502 /);
  const p3 = await lb('  http-response return status 203 content-type text/plain string "replaced"');
  assert.match((await send(p3, GET())).text, /^HTTP\/1\.1 203 [^]*\r\n\r\nreplaced$/);
});
