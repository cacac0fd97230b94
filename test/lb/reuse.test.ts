/**
 * Server connection reuse across client sessions (`http-reuse`, `pool-max-conn`,
 * `pool-purge-delay`, `max-reuse`), observed from the servers' side: how many TCP
 * connections each server accepted, and when idle ones were closed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { httpBackend, type HttpBackend, ok } from '../helpers/http-backend.ts';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

/** A backend named `name` (its server name in the config) that counts its connections. */
interface CountingServer extends HttpBackend {
  readonly name: string;
}

const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

/** A keep-alive backend that answers "<name> c<conn#>" to every request. */
async function countingServer(name: string): Promise<CountingServer> {
  const b = await httpBackend((_head, conn) => ok(`${name} c${conn}`));
  closers.push(() => void b.close());
  return { ...b, name };
}

/** A keep-alive client: sends requests one at a time, returns the bodies. */
class Client {
  private readonly sock: net.Socket;
  private buf = '';
  private waiting: ((body: string) => void) | null = null;
  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => { this.buf += d; this.parse(); });
    sock.on('error', () => {});
  }

  static async open(port: number): Promise<Client> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => s.once('connect', () => r()));
    return new Client(s);
  }

  private parse(): void {
    const m = /^HTTP\/1\.1 \d{3} [^]*?\r\n\r\n/.exec(this.buf);
    if (!m) return;
    const len = Number(/content-length: (\d+)/i.exec(m[0])?.[1] ?? 0);
    if (this.buf.length < m[0].length + len) return;
    const body = this.buf.slice(m[0].length, m[0].length + len);
    this.buf = this.buf.slice(m[0].length + len);
    const w = this.waiting;
    this.waiting = null;
    w?.(body);
  }

  get(path: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.sock.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    });
  }

  async close(): Promise<void> {
    this.sock.end();
    await new Promise((r) => setTimeout(r, 60));
  }
}

async function lb(extra: string, servers: CountingServer[], serverOpts = ''): Promise<number> {
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen lb
  bind 127.0.0.1:${port}
${extra}
${servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} ${serverOpts}`).join('\n')}
`)]);
  await waitForPort(port);
  return port;
}

/**
 * The scenario all modes run: client A sends one request to s1 and one to s2, then
 * leaves (its two server connections go idle); client B then sends one request to s1
 * (its first) and one to s2. Returns the connections s1 and s2 accepted.
 */
async function scenario(mode: string): Promise<[number, number]> {
  const s1 = await countingServer('s1');
  const s2 = await countingServer('s2');
  const port = await lb(mode ? `  http-reuse ${mode}` : '', [s1, s2]);
  const a = await Client.open(port);
  assert.match(await a.get('/a1'), /^s1 /);
  assert.match(await a.get('/a2'), /^s2 /);
  await a.close();
  const b = await Client.open(port);
  assert.match(await b.get('/b1'), /^s1 /);
  assert.match(await b.get('/b2'), /^s2 /);
  await b.close();
  return [s1.accepted(), s2.accepted()];
}

test('a session reuses its own server connection for its next requests', async () => {
  const s1 = await countingServer('s1');
  const port = await lb('', [s1]);
  const a = await Client.open(port);
  const bodies = [await a.get('/1'), await a.get('/2'), await a.get('/3')];
  assert.deepEqual(bodies, ['s1 c1', 's1 c1', 's1 c1']);
  await a.close();
});

test('http-reuse safe (default): a first request opens its own connection, later ones take idle ones', async () => {
  assert.deepEqual(await scenario(''), [2, 1]);
  assert.deepEqual(await scenario('safe'), [2, 1]);
});

test('http-reuse always: even a first request takes an idle connection', async () => {
  assert.deepEqual(await scenario('always'), [1, 1]);
});

test('http-reuse aggressive: a first request only takes a connection already reused', async () => {
  // A's connections served one request each: not proven, so B's first request opens one.
  assert.deepEqual(await scenario('aggressive'), [2, 1]);
  // A connection that served two requests is proven: a first request may take it.
  const s1 = await countingServer('s1');
  const port = await lb('  http-reuse aggressive', [s1]);
  const a = await Client.open(port);
  await a.get('/1');
  await a.get('/2');
  await a.close();
  const b = await Client.open(port);
  assert.equal(await b.get('/1'), 's1 c1');
  await b.close();
});

test('http-reuse never: connections are private to their session', async () => {
  assert.deepEqual(await scenario('never'), [2, 2]);
});

test('max-reuse 1: a connection serves at most two requests', async () => {
  const s1 = await countingServer('s1');
  const port = await lb('', [s1], 'max-reuse 1');
  const a = await Client.open(port);
  const bodies = [];
  for (let i = 0; i < 5; i++) bodies.push(await a.get(`/${i}`));
  assert.deepEqual(bodies, ['s1 c1', 's1 c1', 's1 c2', 's1 c2', 's1 c3']);
  await a.close();
});

test('pool-purge-delay: idle server connections are closed after the delay', async () => {
  const s1 = await countingServer('s1');
  const port = await lb('', [s1], 'pool-purge-delay 200ms');
  const a = await Client.open(port);
  await a.get('/1');
  await a.close();
  assert.equal(s1.open(), 1, 'kept idle at first');
  for (let i = 0; i < 40 && s1.open() > 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(s1.open(), 0, 'closed by the purge');
});

test('pool-max-conn 0: nothing is pooled, but a live session keeps its own connection', async () => {
  const s1 = await countingServer('s1');
  const port = await lb('  http-reuse always', [s1], 'pool-max-conn 0');
  const a = await Client.open(port);
  assert.equal(await a.get('/1'), 's1 c1');
  assert.equal(await a.get('/2'), 's1 c1');
  await a.close();
  const b = await Client.open(port);
  assert.equal(await b.get('/1'), 's1 c2', 'A\'s connection was not pooled');
  await b.close();
  for (let i = 0; i < 40 && s1.open() > 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(s1.open(), 0, 'a session\'s private connection closes with it');
});

test('bad http-reuse and pool options are configuration errors', async () => {
  const { runToEnd } = await import('../helpers/switchyard.ts');
  const f = writeConfig(`defaults
  mode http
backend b
  http-reuse sometimes
  server s1 127.0.0.1:80 pool-max-conn x
  server s2 127.0.0.1:80 max-reuse -2
  server s3 127.0.0.1:80 pool-purge-delay soon
`);
  const r = await runToEnd(['-c', '-f', f]);
  assert.equal(r.code, 1);
  for (const line of [4, 5, 6, 7]) assert.match(r.out, new RegExp(`test\\.cfg:${line}\\]`));
});
