/**
 * ACLs in action: `use_backend … if|unless`, conditional http-request rules and
 * log-format values, end to end with real servers.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { httpBackend, type HttpBackend, ok } from '../helpers/http-backend.ts';
import { cleanup, freePort, runSwitchyard, runToEnd, waitForPort, writeConfig } from '../helpers/switchyard.ts';

after(cleanup);

let stat: HttpBackend;
let app: HttpBackend;
let api: HttpBackend;
before(async () => {
  stat = await httpBackend(() => ok('static'));
  app = await httpBackend(() => ok('app'));
  api = await httpBackend(() => ok('api'));
});
after(() => Promise.all([stat.close(), app.close(), api.close()]));

function get(port: number, path: string, hdrs = ''): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length >= end + 4 + len) { s.destroy(); resolve(got); }
    });
    s.on('close', () => resolve(got));
    s.on('error', () => {});
    s.write(`GET ${path} HTTP/1.1\r\nHost: www.example.com\r\n${hdrs}\r\n`);
  });
}

async function lb(frontend: string): Promise<number> {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
${frontend}
backend static
  server s 127.0.0.1:${stat.port}
backend app
  server s 127.0.0.1:${app.port}
backend api
  server s 127.0.0.1:${api.port}
`)]);
  await waitForPort(port);
  return port;
}

const body = (r: string): string => r.slice(r.indexOf('\r\n\r\n') + 4);

test('content switching: static files to one farm, the API to another, the rest to the app (per request on one connection too)', async () => {
  const port = await lb(`  acl is_static path_end .css .js .png
  acl is_static path_beg /static/
  acl is_api path_beg -i /api/
  use_backend static if is_static
  use_backend api if is_api !{ hdr(x-legacy) -m found }
  default_backend app`);
  assert.equal(body(await get(port, '/static/x.txt')), 'static');
  assert.equal(body(await get(port, '/img/a.png')), 'static');
  assert.equal(body(await get(port, '/API/v1')), 'api');
  assert.equal(body(await get(port, '/api/v1', 'X-Legacy: 1\r\n')), 'app');
  assert.equal(body(await get(port, '/')), 'app');
});

test('conditional http-request rules and log-format values', async () => {
  api.heads.length = 0;
  const port = await lb(`  acl local src 127.0.0.0/8
  http-request deny deny_status 403 if { path_beg /admin } !local
  http-request deny if { path_beg /secret }
  http-request set-header X-Client %[src]
  http-request set-header X-Path-Len %[path,length]
  http-request return status 200 content-type text/plain lf-string "hello %[hdr(host),lower]" if { path /hello }
  use_backend api if { path_beg /api }
  default_backend app`);
  assert.match(await get(port, '/secret/x'), /^HTTP\/1\.1 403 /);
  assert.equal(body(await get(port, '/admin/ok')), 'app', 'local clients pass the admin rule');
  assert.equal(body(await get(port, '/hello')), 'hello www.example.com');
  assert.equal(body(await get(port, '/api/x')), 'api');
  assert.match(api.heads[0]!, /\r\nX-Client: 127\.0\.0\.1\r\n/);
  assert.match(api.heads[0]!, /\r\nX-Path-Len: 6/);
});

test('ACL configuration errors name the line', async () => {
  const r = await runToEnd(['-c', '-f', writeConfig(`defaults
  mode http
frontend fe
  bind 127.0.0.1:1
  acl bad nosuchfetch foo
  use_backend be if undefined_acl
  http-request deny if { path_beg
  default_backend be
backend be
  server s 127.0.0.1:2
`)]);
  assert.equal(r.code, 1);
  for (const line of [5, 6, 7]) assert.match(r.out, new RegExp(`test\\.cfg:${line}\\]`), `line ${line}`);
});

test('mode tcp: use_backend on layer-4 samples (src, dst_port)', async () => {
  const port = await freePort();
  const other = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  bind 127.0.0.1:${other}
  use_backend api if { dst_port ${other} }
  default_backend app
backend app
  server s 127.0.0.1:${app.port}
backend api
  server s 127.0.0.1:${api.port}
`)]);
  await waitForPort(port);
  await waitForPort(other);
  assert.equal(body(await get(port, '/')), 'app');
  assert.equal(body(await get(other, '/')), 'api');
});

test('tcp-request connection reject closes matching clients before reading; accept stops the list', async () => {
  const p1 = await lb(`  tcp-request connection reject if { src 127.0.0.0/8 }
  default_backend app`);
  assert.equal(await get(p1, '/'), '', 'closed without an answer');
  const p2 = await lb(`  tcp-request connection accept if { src 127.0.0.1 }
  tcp-request connection reject
  default_backend app`);
  assert.equal(body(await get(p2, '/')), 'app');
  const bad = await runToEnd(['-c', '-f', writeConfig(`defaults\n  mode http\nfrontend fe\n  bind 127.0.0.1:1\n  tcp-request content set-priority-class int(1)\n  tcp-request connection drop\n  default_backend be\nbackend be\n  tcp-request connection reject\n  server s 127.0.0.1:2\n`)]);
  assert.equal(bad.code, 1);
  for (const line of [5, 6, 9]) assert.match(bad.out, new RegExp(`test\\.cfg:${line}\\]`), `line ${line}`);
});

test('monitor fail: the monitor-uri answers 503 while the condition holds', async () => {
  const port = await lb(`  monitor-uri /health
  monitor fail if { nbsrv(app) lt 1 }
  default_backend app`);
  assert.match(await get(port, '/health'), /^HTTP\/1\.1 200 /);
  const p2 = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend fe\n  bind 127.0.0.1:${p2}\n  monitor-uri /health\n  monitor fail if { nbsrv(be) lt 1 }\n  default_backend be\nbackend be\n  server s 127.0.0.1:1 disabled\n`)]);
  await waitForPort(p2);
  assert.match(await get(p2, '/health'), /^HTTP\/1\.1 503 /);
});

test('userlist + http_auth: Basic credentials checked (insecure-password and SHA-crypt), http-request auth challenges', async () => {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`userlist admins
  group ops users bob
  user alice insecure-password wonder
  user bob password $6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  acl authed http_auth(admins)
  acl is_ops http_auth_group(admins) ops
  http-request auth realm Admins if !authed
  http-request return status 200 content-type text/plain string "ops" if is_ops
  default_backend app
backend app
  server s 127.0.0.1:${app.port}
`)]);
  await waitForPort(port);
  const basic = (u: string, p: string): string => `Authorization: Basic ${Buffer.from(`${u}:${p}`).toString('base64')}\r\n`;
  assert.match(await get(port, '/'), /^HTTP\/1\.1 401 [^]*www-authenticate: Basic realm="Admins"/);
  assert.match(await get(port, '/', basic('alice', 'nope')), /^HTTP\/1\.1 401 /);
  assert.equal(body(await get(port, '/', basic('alice', 'wonder'))), 'app');
  assert.equal(body(await get(port, '/', basic('bob', 'secret'))), 'ops');
  const bad = await runToEnd(['-c', '-f', writeConfig(`userlist u\n  user x password $2b$10$abc\n  user y\n  frob z\n`)]);
  assert.equal(bad.code, 1);
  for (const line of [2, 3, 4]) assert.match(bad.out, new RegExp(`test\\.cfg:${line}\\]`), `line ${line}`);
});

test('set-var / unset-var: transaction variables read by later rules, gone at the next request', async () => {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  http-request set-var(txn.who) req.hdr(x-user) if { req.hdr(x-user) -m found }
  http-request set-var(sess.first) path if !{ var(sess.first) -m found }
  http-request return status 200 content-type text/plain lf-string "who=%[var(txn.who)] first=%[var(sess.first)]"
`)]);
  await waitForPort(port);
  const replies: string[] = await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const parts = got.split('HTTP/1.1 200').slice(1).map((p) => p.slice(p.indexOf('\r\n\r\n') + 4));
      if (parts.length === 2 && got.endsWith('first=/one')) { s.destroy(); resolve(parts); }
    });
    s.write('GET /one HTTP/1.1\r\nhost: x\r\nx-user: ann\r\n\r\nGET /two HTTP/1.1\r\nhost: x\r\n\r\n');
  });
  assert.deepEqual(replies, ['who=ann first=/one', 'who= first=/one']);
});

test('use-server sends matching requests to a named server', async () => {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen lb
  bind 127.0.0.1:${port}
  use-server api if { path_beg /api }
  server app 127.0.0.1:${app.port}
  server api 127.0.0.1:${api.port}
`)]);
  await waitForPort(port);
  for (let i = 0; i < 3; i++) assert.equal(body(await get(port, '/api/x')), 'api');
  const others = [body(await get(port, '/')), body(await get(port, '/'))].sort();
  assert.deepEqual(others, ['api', 'app']);
});
