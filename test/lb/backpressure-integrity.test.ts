// Every byte arrives intact when both directions push back: many concurrent transfers
// through the proxy while the receiving side reads slowly, so writes cannot complete at
// once and bytes wait in the proxy. Reads of all connections share one buffer
// (fast-io.ts); a queued write that kept a reference to it was overwritten by the next
// read of another connection (17–20 corrupted uploads of 30 before direct-write.ts
// copied what waits). Each transfer is checked by SHA-1 at the far end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

after(cleanup);

const CLIENTS = 30;
const SIZE = 4 * 1024 * 1024;
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

/** Pauses a readable now and then, for a few ms: the sender's writes back up. */
function readSlowly(s: NodeJS.ReadableStream & { pause(): void; resume(): void }): void {
  s.on('data', () => {
    if (Math.random() < 0.3) { s.pause(); setTimeout(() => s.resume(), Math.random() * 15); }
  });
}

/** Writes `data` in pieces of random size, honouring backpressure, then ends. */
function pump(w: net.Socket | http.ClientRequest, data: Buffer): void {
  let off = 0;
  const go = (): void => {
    while (off < data.length) {
      const n = Math.min(data.length - off, 1 + Math.floor(Math.random() * 40_000));
      const more = w.write(data.subarray(off, off + n));
      off += n;
      if (!more) { w.once('drain', go); return; }
    }
    w.end();
  };
  go();
}

function proxyConfig(mode: 'tcp' | 'http', port: number, backend: number): string {
  return `defaults
    mode ${mode}
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s1 127.0.0.1:${backend}
`;
}

test('mode tcp: concurrent uploads to a slow reader arrive byte for byte', async () => {
  const server = net.createServer((s) => {
    const h = createHash('sha1');
    let n = 0;
    s.on('data', (d: Buffer) => { h.update(d); n += d.length; });
    readSlowly(s);
    s.on('end', () => s.end(`${h.digest('hex')} ${n}`));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(proxyConfig('tcp', port, (server.address() as net.AddressInfo).port))]);
  await waitForPort(port);
  try {
    const results = await Promise.all(Array.from({ length: CLIENTS }, () => new Promise<boolean>((done) => {
      const data = randomBytes(SIZE);
      const want = `${sha1(data)} ${SIZE}`;
      const c = net.connect(port, '127.0.0.1');
      let answer = '';
      c.on('data', (d: Buffer) => { answer += d.toString(); });
      c.on('end', () => done(answer === want));
      c.on('error', () => done(false));
      c.on('connect', () => pump(c, data));
    })));
    assert.equal(results.filter((ok) => !ok).length, 0, `${results.filter((ok) => !ok).length} of ${CLIENTS} uploads arrived altered`);
  } finally {
    server.close();
  }
});

test('mode http: concurrent request bodies to a slow server and responses to slow clients arrive byte for byte', async () => {
  const bodies = Array.from({ length: CLIENTS }, () => randomBytes(SIZE));
  const server = http.createServer((req, res) => {
    const h = createHash('sha1');
    let n = 0;
    req.on('data', (d: Buffer) => { h.update(d); n += d.length; });
    readSlowly(req);
    req.on('end', () => {
      // The answer: the body's digest, and a large body of its own for the client to check.
      const out = bodies[Number(req.url!.slice(1))]!;
      res.writeHead(200, { 'x-got': `${h.digest('hex')} ${n}`, 'x-sent': sha1(out), 'content-length': out.length });
      pump(res as unknown as net.Socket, out);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(proxyConfig('http', port, (server.address() as net.AddressInfo).port))]);
  await waitForPort(port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  try {
    const failures = (await Promise.all(bodies.map((body, i) => new Promise<string | null>((done) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: `/${i}`, agent, headers: { 'content-length': body.length } }, (res) => {
        const h = createHash('sha1');
        let n = 0;
        res.on('data', (d: Buffer) => { h.update(d); n += d.length; });
        readSlowly(res);
        res.on('end', () => {
          if (res.headers['x-got'] !== `${sha1(body)} ${SIZE}`) done(`request ${i}: the server got other bytes`);
          else if (h.digest('hex') !== res.headers['x-sent'] || n !== SIZE) done(`request ${i}: the client got other bytes`);
          else done(null);
        });
      });
      req.on('error', (e) => done(`request ${i}: ${e.message}`));
      pump(req, body);
    })))).filter((f) => f !== null);
    assert.deepEqual(failures, []);
  } finally {
    agent.destroy();
    server.close();
  }
});
