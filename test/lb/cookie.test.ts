/**
 * Cookie persistence end to end: `cookie NAME insert|rewrite|prefix …` with server
 * `cookie VALUE` — what the client is given, what the server sees, and that a cookie
 * keeps a client on its server (even when that server's slots are full: it waits in
 * that server's queue).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { httpBackend, type HttpBackend, ok } from '../helpers/http-backend.ts';
import { cleanup, freePort, runSwitchyard, runToEnd, waitForPort, writeConfig } from '../helpers/switchyard.ts';

const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

/** A backend that records request heads and answers `name` plus `extraHead` lines, after `delayMs`. */
async function server(name: string, extraHead = '', delayMs = 0): Promise<HttpBackend> {
  const b = await httpBackend(() => ok(name, extraHead), { delayMs });
  closers.push(() => void b.close());
  return b;
}

async function lb(lines: string): Promise<number> {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen lb
  bind 127.0.0.1:${port}
${lines}
`)]);
  await waitForPort(port);
  return port;
}

/** One request on its own connection; returns the response head and body. */
function get(port: number, headers = '', method = 'GET', path = '/'): Promise<{ head: string; body: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length >= end + 4 + len) { s.destroy(); resolve({ head: got.slice(0, end), body: got.slice(end + 4, end + 4 + len) }); }
    });
    s.on('error', () => {});
    s.write(`${method} ${path} HTTP/1.1\r\nhost: x\r\n${headers}${method === 'POST' ? 'content-length: 0\r\n' : ''}\r\n`);
  });
}

test('insert indirect nocache: new clients get the cookie, returning ones stay on their server and the server never sees it', async () => {
  const a = await server('a', 'ETag: "v1"\r\n');
  const b = await server('b');
  const port = await lb(`  cookie SRV insert indirect nocache httponly\n  server a 127.0.0.1:${a.port} cookie ca\n  server b 127.0.0.1:${b.port} cookie cb`);
  const first = await get(port);
  assert.equal(first.body, 'a');
  assert.match(first.head, /\r\nset-cookie: SRV=ca; path=\/; HttpOnly\r\n/);
  assert.match(first.head, /\r\ncache-control: private/, 'a cacheable response (ETag) is made private');
  for (let i = 0; i < 3; i++) {
    const again = await get(port, 'Cookie: theme=dark; SRV=cb; lang=fr\r\n');
    assert.equal(again.body, 'b', 'the cookie wins over round-robin');
    assert.doesNotMatch(again.head, /set-cookie/i, 'a valid cookie is not set again');
  }
  assert.match(b.heads[0]!, /\r\nCookie: theme=dark; lang=fr$/m, 'indirect: SRV removed, other cookies kept');
  const stale = await get(port, 'Cookie: SRV=gone\r\n');
  assert.match(stale.head, /set-cookie: SRV=c[ab]; path=\//, 'an unknown value gets a fresh cookie');
});

test('a cookie for a server in maintenance is not honoured: the client is balanced and re-cookied', async () => {
  const a = await server('a');
  const b = await server('b');
  const port = await lb(`  cookie SRV insert\n  server a 127.0.0.1:${a.port} cookie ca disabled\n  server b 127.0.0.1:${b.port} cookie cb`);
  const r = await get(port, 'Cookie: SRV=ca\r\n');
  assert.equal(r.body, 'b');
  assert.match(r.head, /set-cookie: SRV=cb; path=\//);
});

test('rewrite: the server\'s own cookie value becomes the server\'s cookie value', async () => {
  const a = await server('a', 'Set-Cookie: SRV=whatever; Path=/app\r\n');
  const port = await lb(`  cookie SRV rewrite\n  server a 127.0.0.1:${a.port} cookie ca`);
  const r = await get(port);
  assert.match(r.head, /\r\nSet-Cookie: SRV=ca; Path=\/app\r?$/m);
});

test('prefix: the application cookie is prefixed on the way out and unprefixed on the way in', async () => {
  const a = await server('a', 'Set-Cookie: JSESSIONID=abc123; Path=/\r\n');
  const b = await server('b', 'Set-Cookie: JSESSIONID=xyz; Path=/\r\n');
  const port = await lb(`  cookie JSESSIONID prefix\n  server a 127.0.0.1:${a.port} cookie s1\n  server b 127.0.0.1:${b.port} cookie s2`);
  const r = await get(port);
  assert.match(r.head, /\r\nSet-Cookie: JSESSIONID=s1~abc123; Path=\//);
  const back = await get(port, 'Cookie: JSESSIONID=s1~abc123\r\n');
  assert.equal(back.body, 'a');
  assert.match(a.heads.at(-1)!, /\r\nCookie: JSESSIONID=abc123$/m);
});

test('postonly: only responses to POST get the cookie', async () => {
  const a = await server('a');
  const port = await lb(`  cookie SRV insert postonly\n  server a 127.0.0.1:${a.port} cookie ca`);
  assert.doesNotMatch((await get(port)).head, /set-cookie/i);
  assert.match((await get(port, '', 'POST')).head, /set-cookie: SRV=ca/);
});

test('a cookie keeps the client on its full server: the request waits in that server\'s queue', async () => {
  const a = await server('a', '', 300);
  const b = await server('b');
  const port = await lb(`  cookie SRV insert indirect\n  server a 127.0.0.1:${a.port} cookie ca maxconn 1\n  server b 127.0.0.1:${b.port} cookie cb`);
  const first = get(port, 'Cookie: SRV=ca\r\n');
  await new Promise((r) => setTimeout(r, 50));
  const second = await get(port, 'Cookie: SRV=ca\r\n');
  assert.equal((await first).body, 'a');
  assert.equal(second.body, 'a', 'not redispatched to b');
  assert.equal(b.heads.length, 0);
});

test('cookie configuration errors', async () => {
  const r = await runToEnd(['-c', '-f', writeConfig(`defaults\n  mode http\nbackend b\n  cookie SRV insert rewrite\n  cookie SRV rewrite maxidle 30m\n  cookie SRV prefix nocache\n  cookie\n  server s1 127.0.0.1:80 cookie "a b"\n`)]);
  assert.equal(r.code, 1);
  for (const line of [4, 5, 6, 7, 8]) assert.match(r.out, new RegExp(`test\\.cfg:${line}\\]`));
});

test('force-persist and ignore-persist (with ACLs)', async () => {
  const a = await server('a');
  const b = await server('b');
  const port = await lb(`  cookie SRV insert indirect
  force-persist if { path_beg /admin }
  ignore-persist if { path_end .css }
  server a 127.0.0.1:${a.port} cookie ca
  server b 127.0.0.1:${b.port} cookie cb`);
  for (let i = 0; i < 2; i++) assert.equal((await get(port, 'Cookie: SRV=cb\r\n')).body, 'b');
  const css = [];
  for (let i = 0; i < 2; i++) css.push((await get(port, 'Cookie: SRV=cb\r\n', 'GET', '/x.css')).body);
  assert.deepEqual(css.sort(), ['a', 'b'], 'ignore-persist: balanced despite the cookie');
});
