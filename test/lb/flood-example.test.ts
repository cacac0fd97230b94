/**
 * docs/stopping-an-http-flood.md, run: the first ```haproxy block of the page is taken as is
 * (only its `bind` and `server` addresses are pointed at this test's ports) and served by the
 * real bin/switchyard. Four clients, each from its own 127.0.0.x address so that each has its
 * own stick-table entry, check what the page promises:
 *   - polite (127.0.0.3): 20 requests on one keep-alive connection, all 200;
 *   - abusive (127.0.0.2): 302 requests back to back: the first 100 answered 200, the next
 *     200 refused with 429 at once (deny), the last two held for `timeout tarpit` and then 429;
 *   - slowloris (127.0.0.4): a head trickled one field a second: 408 after `timeout http-request`;
 *   - greedy (127.0.0.5): 25 connections held open: 20 served, 5 closed without an answer.
 * If the page's config changes, these expectations are read from it where they can be
 * (thresholds and timeouts), so the test fails when the page and the behaviour disagree.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { httpBackend, type HttpBackend, ok } from '../helpers/http-backend.ts';
import { ROOT, cleanup, freePort, runSwitchyard, runToEnd, waitForPort, writeConfig } from '../helpers/switchyard.ts';

const DOC = join(ROOT, 'docs', 'stopping-an-http-flood.md');
const HAPROXY = '/usr/sbin/haproxy';

after(cleanup);

/** The first ```haproxy block of the page. */
function docConfig(): string {
  const md = readFileSync(DOC, 'utf8');
  const m = /^```haproxy\n([\s\S]*?)^```$/m.exec(md);
  assert.ok(m, 'docs/stopping-an-http-flood.md has a ```haproxy block');
  return m[1]!;
}

/** The page's config with its bind and server addresses pointed at the test's ports. */
function runnable(cfg: string, port: number, backendPort: number): string {
  const binds = cfg.match(/^\s*bind\s+\S+/gm) ?? [];
  const servers = cfg.match(/^\s*server\s+\S+\s+\S+/gm) ?? [];
  assert.equal(binds.length, 1, 'one bind line');
  assert.equal(servers.length, 1, 'one server line');
  return cfg
    .replace(/^(\s*bind\s+)\S+/m, `$1127.0.0.1:${port}`)
    .replace(/^(\s*server\s+\S+\s+)\S+/m, `$1127.0.0.1:${backendPort}`);
}

/** A number the page's config states, by a regex with one capture group. */
function fromDoc(cfg: string, re: RegExp, what: string): number {
  const m = re.exec(cfg);
  assert.ok(m, `the page's config states ${what}`);
  return Number(m[1]);
}

function seconds(v: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(v);
  assert.ok(m, `timeout ${v}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
}

let backendPort = 0;
let backend: HttpBackend;

before(async () => {
  backend = await httpBackend(() => ok('ok\n'));
  backendPort = backend.port;
});
after(() => backend.close());

interface Answer { status: number; ms: number }

/**
 * A keep-alive client from `src`: sends GETs one after the other, reconnecting when the
 * proxy closed; status 0 when the connection closed without an answer.
 */
class Client {
  private sock: net.Socket | null = null;
  connections = 0;
  private readonly port: number;
  private readonly src: string;
  constructor(port: number, src: string) {
    this.port = port;
    this.src = src;
  }
  get(): Promise<Answer> {
    const t0 = performance.now();
    if (this.sock === null) {
      this.sock = net.connect({ port: this.port, host: '127.0.0.1', localAddress: this.src });
      this.sock.on('error', () => {});
      this.connections++;
    }
    const s = this.sock;
    return new Promise((resolve) => {
      let buf = '';
      const finish = (status: number, close: boolean): void => {
        s.off('data', onData);
        s.off('close', onClose);
        if (close) { s.destroy(); this.sock = null; }
        resolve({ status, ms: performance.now() - t0 });
      };
      const onData = (d: Buffer): void => {
        buf += d.toString('latin1');
        const e = buf.indexOf('\r\n\r\n');
        if (e < 0) return;
        const head = buf.slice(0, e);
        const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < e + 4 + len) return;
        finish(Number(head.slice(9, 12)), /\r\nconnection:\s*close/i.test(head));
      };
      const onClose = (): void => finish(buf.startsWith('HTTP/') ? Number(buf.slice(9, 12)) : 0, true);
      s.on('data', onData);
      s.on('close', onClose);
      s.write('GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n');
    });
  }
  close(): void {
    this.sock?.destroy();
    this.sock = null;
  }
}

/** Sends a head one field per second from `src`; resolves with what came back and when the proxy closed. */
function slowloris(port: number, src: string, limitMs: number): Promise<{ got: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = net.connect({ port, host: '127.0.0.1', localAddress: src });
    let got = '';
    let n = 0;
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('error', () => {});
    s.write('GET / HTTP/1.1\r\nHost: www.example.com\r\n');
    const drip = setInterval(() => { if (!s.destroyed) s.write(`X-Drip-${n++}: a\r\n`); }, 1000);
    const guard = setTimeout(() => s.destroy(), limitMs);
    s.on('close', () => {
      clearInterval(drip);
      clearTimeout(guard);
      resolve({ got, ms: performance.now() - t0 });
    });
  });
}

/** Opens `n` connections from `src`, one GET on each, all kept open together; the statuses. */
async function greedy(port: number, src: string, n: number): Promise<number[]> {
  const clients = Array.from({ length: n }, () => new Client(port, src));
  const pending: Promise<Answer>[] = [];
  for (const c of clients) {
    pending.push(c.get());
    await new Promise((r) => setTimeout(r, 5));
  }
  const answers = (await Promise.all(pending)).map((x) => x.status);
  for (const c of clients) c.close();
  return answers;
}

test('the flood example of docs/ runs as written: abusive refused, polite served, slowloris 408, greedy capped', { timeout: 60000 }, async () => {
  const cfg = docConfig();
  const denyAt = fromDoc(cfg, /http-request deny deny_status 429 if \{ sc0_http_req_rate gt (\d+) \}/, 'the deny threshold');
  const tarpitAt = fromDoc(cfg, /http-request tarpit deny_status 429 if \{ sc0_http_req_rate gt (\d+) \}/, 'the tarpit threshold');
  const maxConns = fromDoc(cfg, /tcp-request connection reject if \{ sc0_conn_cur gt (\d+) \}/, 'the connection cap');
  const tarpitS = seconds(/timeout tarpit (\S+)/.exec(cfg)?.[1] ?? '');
  const headS = seconds(/timeout http-request (\S+)/.exec(cfg)?.[1] ?? '');

  const port = await freePort();
  const file = writeConfig(runnable(cfg, port, backendPort));
  const check = await runToEnd(['-c', '-f', file]);
  assert.equal(check.code, 0, check.out);
  const lb = runSwitchyard(['-d', '-f', file]);
  await waitForPort(port);

  const polite = (async () => {
    const c = new Client(port, '127.0.0.3');
    const out: number[] = [];
    for (let i = 0; i < 20; i++) {
      out.push((await c.get()).status);
      await new Promise((r) => setTimeout(r, 20));
    }
    c.close();
    return out;
  })();

  const abusive = (async () => {
    const c = new Client(port, '127.0.0.2');
    const out: Answer[] = [];
    for (let i = 0; i < tarpitAt + 2; i++) out.push(await c.get());
    c.close();
    return out;
  })();

  const slow = slowloris(port, '127.0.0.4', (headS + 5) * 1000);
  const capped = greedy(port, '127.0.0.5', maxConns + 5);

  const [p, a, s, g] = await Promise.all([polite, abusive, slow, capped]);

  assert.deepEqual(p, Array(20).fill(200), 'the polite client is always served');

  const statuses = a.map((x) => x.status);
  assert.deepEqual(statuses.slice(0, denyAt), Array(denyAt).fill(200), `the first ${denyAt} requests pass`);
  assert.deepEqual(statuses.slice(denyAt), Array(statuses.length - denyAt).fill(429), 'then every request gets 429');
  const denied = a.slice(denyAt, tarpitAt);
  assert.ok(denied.every((x) => x.ms < tarpitS * 1000 / 2), `denied requests are answered at once (slowest ${Math.max(...denied.map((x) => x.ms)).toFixed(0)} ms)`);
  const held = a.slice(tarpitAt);
  for (const x of held) assert.ok(x.ms >= tarpitS * 1000 * 0.9 && x.ms < tarpitS * 1000 + 3000, `a tarpitted request is held for timeout tarpit (${x.ms.toFixed(0)} ms)`);

  assert.match(s.got, /^HTTP\/1\.1 408 /, `slowloris gets 408, got ${JSON.stringify(s.got.slice(0, 40))}`);
  assert.ok(s.ms >= headS * 1000 * 0.9 && s.ms < headS * 1000 + 3000, `after timeout http-request (${s.ms.toFixed(0)} ms)`);

  assert.equal(g.filter((x) => x === 200).length, maxConns, `greedy: ${maxConns} connections served (${JSON.stringify(g)})`);
  assert.equal(g.filter((x) => x === 0).length, 5, 'the others closed without an answer');

  lb.proc.kill('SIGTERM');
  await lb.exited;
});

test('HAProxy 2.6 accepts the page\'s configuration too', { skip: !(existsSync(HAPROXY) && spawnSync(HAPROXY, ['-v']).status === 0) && 'haproxy is not installed' }, async () => {
  const file = writeConfig(runnable(docConfig(), await freePort(), backendPort));
  const r = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('tarpitted and timed-out (408) connections give their maxconn slot back', { timeout: 30000 }, async () => {
  const port = await freePort();
  const file = writeConfig(`defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 300ms
    timeout tarpit 50ms
frontend fe
    bind 127.0.0.1:${port}
    maxconn 2
    http-request tarpit deny_status 429 if { path_beg /trap }
    default_backend be
backend be
    server s1 127.0.0.1:${backendPort}
`);
  const lb = runSwitchyard(['-d', '-f', file]);
  await waitForPort(port);
  // Four tarpits and three 408s, one after the other, on a frontend that holds two connections.
  for (let i = 0; i < 4; i++) {
    const s = net.connect({ port, host: '127.0.0.1' });
    const got = await new Promise<string>((resolve) => {
      let b = '';
      s.on('data', (d) => { b += d.toString('latin1'); });
      s.on('error', () => {});
      s.on('close', () => resolve(b));
      s.write('GET /trap HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.match(got, /^HTTP\/1\.1 429 /);
  }
  for (let i = 0; i < 3; i++) {
    const r = await slowloris(port, '127.0.0.6', 3000);
    assert.match(r.got, /^HTTP\/1\.1 408 /);
  }
  // Both slots are free again: an ordinary request is served at once.
  const c = new Client(port, '127.0.0.6');
  const t = setTimeout(() => c.close(), 2000);
  const r = await c.get();
  clearTimeout(t);
  c.close();
  assert.equal(r.status, 200);
  lb.proc.kill('SIGTERM');
  await lb.exited;
});
