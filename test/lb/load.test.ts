/**
 * Load test of the server queue (issue 4): 200 concurrent keep-alive clients against
 * bin/switchyard in front of 3 node:http servers with `maxconn 2` each.
 *
 * What must hold, all measured outside the proxy:
 * - no client error: every request gets a 200 whose body names its own request id;
 * - no server ever has more than 2 requests in progress (each server counts its own
 *   concurrency: +1 when a request arrives, -1 just before it answers);
 * - every request is served exactly once (the servers record the ids they saw);
 * - all of it within a bounded time (the test's own timeout, 20 s).
 *
 * The servers answer after a short timer, so that requests overlap: at any moment ~194
 * of the 200 requests wait in the backend queue for one of the 6 slots.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

const CLIENTS = 200;
const REQUESTS_PER_CLIENT = 20;
const SERVERS = 3;
const MAXCONN = 2;

const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

interface CountingServer {
  name: string;
  port: number;
  /** Request id -> how many times this server saw it. */
  seen: Map<string, number>;
  maxActive: () => number;
  served: () => number;
}

async function countingServer(name: string): Promise<CountingServer> {
  const seen = new Map<string, number>();
  let active = 0;
  let max = 0;
  let served = 0;
  const srv = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    active++;
    if (active > max) max = active;
    const id = req.headers['x-req-id'];
    const key = typeof id === 'string' ? id : `(none ${req.url})`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    req.resume();
    // 0-2 ms: enough for requests to overlap, small enough to stay fast.
    setTimeout(() => {
      active--;
      served++;
      const body = `${name} ${key}`;
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, served % 3);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => { srv.closeAllConnections(); srv.close(); });
  return { name, port: (srv.address() as net.AddressInfo).port, seen, maxActive: () => max, served: () => served };
}

interface Outcome { ok: number; errors: string[] }

/** One client: its own keep-alive connection, REQUESTS_PER_CLIENT requests one after the other. */
async function client(port: number, c: number, out: Outcome): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
      const id = `c${c}-r${i}`;
      try {
        const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port, path: `/${id}`, agent, headers: { 'x-req-id': id }, timeout: 15_000 }, (res) => {
            let b = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => { b += d; });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
            res.on('error', reject);
          });
          req.on('timeout', () => req.destroy(new Error('client timeout (15 s)')));
          req.on('error', reject);
        });
        if (status === 200 && body.endsWith(` ${id}`)) out.ok++;
        else out.errors.push(`${id}: status ${status}, body ${JSON.stringify(body.slice(0, 80))}`);
      } catch (e) {
        out.errors.push(`${id}: ${(e as Error).message}`);
      }
    }
  } finally {
    agent.destroy();
  }
}

test(`${CLIENTS} concurrent keep-alive clients, ${SERVERS} servers with maxconn ${MAXCONN}: no error, never more than ${MAXCONN} at once per server, every request served exactly once`, { timeout: 20_000 }, async (t) => {
  const servers = await Promise.all(Array.from({ length: SERVERS }, (_, i) => countingServer(`s${i + 1}`)));
  const port = await freePort();
  const proc = runSwitchyard(['-d', '-f', writeConfig(`global
  maxconn 1000
defaults
  mode http
  timeout connect 2s
  timeout client 15s
  timeout server 15s
  timeout queue 15s
listen lb
  bind 127.0.0.1:${port}
  balance roundrobin
${servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} maxconn ${MAXCONN}`).join('\n')}
`)]);
  await waitForPort(port);

  const out: Outcome = { ok: 0, errors: [] };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(port, c, out)));
  const ms = performance.now() - t0;

  const total = CLIENTS * REQUESTS_PER_CLIENT;
  assert.deepEqual(out.errors.slice(0, 10), [], `${out.errors.length} client errors of ${total} (first 10 shown)\n${proc.stderr().slice(-2000)}`);
  assert.equal(out.ok, total);
  for (const s of servers) {
    assert.ok(s.maxActive() <= MAXCONN, `${s.name} had ${s.maxActive()} requests in progress at once (maxconn ${MAXCONN})`);
    assert.ok(s.served() > 0, `${s.name} served nothing`);
  }
  // Every id exactly once, over all servers together.
  const all = new Map<string, number>();
  for (const s of servers) for (const [id, n] of s.seen) all.set(id, (all.get(id) ?? 0) + n);
  const twice = [...all].filter(([, n]) => n !== 1);
  assert.deepEqual(twice.slice(0, 10), [], `${twice.length} ids served more than once`);
  assert.equal(all.size, total, 'every request id reached a server');
  for (let c = 0; c < CLIENTS; c++) for (let i = 0; i < REQUESTS_PER_CLIENT; i++) assert.ok(all.has(`c${c}-r${i}`), `c${c}-r${i} never served`);
  const maxes = servers.map((s) => `${s.name} ${s.served()} served, max ${s.maxActive()} at once`).join('; ');
  t.diagnostic(`${total} requests in ${Math.round(ms)} ms; ${maxes}`);
});

/**
 * Found by the failure drill (bench/e2e/failure-drill.ts): when a server dies with a
 * request in flight that is not the first one of its client connection, HAProxy 2.6
 * closes the client connection without answering (http_ana.c "abort_keep_alive": a
 * keep-alive client may safely retry, as after any closed idle connection), and so does
 * Switchyard; a 502 would not be retried. Checked on haproxy 2.6 with a VTest file
 * (keep-alive or http-server-close on the server side alike); the first request of a
 * connection gets a 502 from both.
 */
test('a server closing without answering the 2nd request of a keep-alive client connection: the client connection is closed without a response, as HAProxy does', {
  timeout: 10_000,
}, async () => {
  let requests = 0;
  const srv = net.createServer((s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        requests++;
        if (requests === 1) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        else s.destroy(); // dies with the request in flight
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => srv.close());
  const port = await freePort();
  const proc = runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen lb
  bind 127.0.0.1:${port}
  server s1 127.0.0.1:${(srv.address() as net.AddressInfo).port}
`)]);
  await waitForPort(port);
  const got = await new Promise<{ first: string; after: string }>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let data = '';
    let first = '';
    // not closed within 2 s: report what came instead
    const timer = setTimeout(() => { c.destroy(); resolve({ first, after: data || '(nothing, but no close either)' }); }, 2000);
    c.on('data', (d) => {
      data += d.toString('latin1');
      if (!first && data.endsWith('ok')) {
        first = data;
        data = '';
        c.write('GET /2 HTTP/1.1\r\nhost: x\r\n\r\n');
      }
    });
    c.on('error', () => {});
    c.on('close', () => { clearTimeout(timer); resolve({ first, after: data }); });
    c.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n');
  });
  assert.match(got.first, /^HTTP\/1\.1 200/);
  assert.equal(got.after, '', `after the server died, the client got ${JSON.stringify(got.after.split('\r\n')[0])} instead of a closed connection\n${proc.stderr().slice(-500)}`);
});
