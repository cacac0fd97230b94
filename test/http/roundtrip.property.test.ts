/**
 * Property tests (fast-check): any valid HTTP/1.1 message is framed the same whatever
 * way its bytes are split, and goes through the proxy byte for byte.
 *   1. the parser and the chunked scanner, fed a message split at every possible
 *      boundary, find the same head end and the same body end as when fed at once;
 *   2. end to end through bin/switchyard: random requests and responses, split at random
 *      points (and, for one message, at every point), arrive unchanged at the server and
 *      at the client.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { parseRequestHead, parseResponseHead } from '../../src/lb/http/h1-parse.ts';
import { ChunkedScanner } from '../../src/lb/http/chunked.ts';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { request, response, type Framing } from './message-arbitraries.ts';

/** Where the message that starts `buf` ends, given its framing, or -1 if incomplete. */
function messageEnd(buf: Buffer, kind: 'request' | 'response'): number {
  const r = kind === 'request' ? parseRequestHead(buf) : parseResponseHead(buf, 'GET');
  if (r.state !== 'done') return -1;
  const f = r.head.framing;
  if (f.kind === 'none') return r.head.end;
  if (f.kind === 'length') return buf.length - r.head.end >= f.length ? r.head.end + f.length : -1;
  if (f.kind !== 'chunked') throw new Error(`unexpected framing ${f.kind}`);
  const p = new ChunkedScanner().feed(buf.subarray(r.head.end));
  return p.done ? r.head.end + p.consumed : -1;
}

function bodyLength(f: Framing, total: number, headEnd: number): number {
  return f.kind === 'none' ? 0 : total - headEnd;
}

test('parser: a request head is incomplete until its last byte, then ends exactly there, at every split', () => {
  fc.assert(fc.property(request, (m) => {
    for (let k = 0; k < m.headEnd; k++) {
      const r = parseRequestHead(m.bytes.subarray(0, k));
      assert.equal(r.state, 'incomplete', `prefix of ${k} bytes`);
    }
    const r = parseRequestHead(m.bytes);
    assert.equal(r.state, 'done');
    if (r.state === 'done') assert.equal(r.head.end, m.headEnd);
  }), { numRuns: 150 });
});

test('chunked scanner: the body end is found identically for every split into two feeds', () => {
  fc.assert(fc.property(request.filter((m) => m.framing.kind === 'chunked'), (m) => {
    const body = m.bytes.subarray(m.headEnd);
    for (let k = 0; k <= body.length; k++) {
      const s = new ChunkedScanner();
      const a = s.feed(body.subarray(0, k));
      assert.ok(!a.error, `first feed at ${k}`);
      let consumed = a.consumed;
      if (!a.done) {
        const b = s.feed(body.subarray(k));
        assert.ok(!b.error, `second feed at ${k}`);
        assert.ok(b.done, `done after both feeds (split ${k})`);
        consumed += b.consumed;
      }
      assert.equal(consumed, bodyLength(m.framing, m.bytes.length, m.headEnd));
    }
  }), { numRuns: 150 });
});

test('chunked scanner: fed one byte at a time, it ends on the last byte', () => {
  fc.assert(fc.property(request.filter((m) => m.framing.kind === 'chunked'), (m) => {
    const body = m.bytes.subarray(m.headEnd);
    const s = new ChunkedScanner();
    for (let i = 0; i < body.length; i++) {
      const p = s.feed(body.subarray(i, i + 1));
      assert.ok(!p.error);
      assert.equal(p.done, i === body.length - 1, `byte ${i} of ${body.length}`);
    }
  }), { numRuns: 100 });
});

// ---- end to end ---------------------------------------------------------------------

let port = 0;
/** The response the backend sends for the next request, and what it received. */
let nextResponse: Buffer = Buffer.alloc(0);
let responseSplit = 0;
let serverGot: Buffer = Buffer.alloc(0);
let backend: net.Server;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  backend = net.createServer((s) => {
    s.setNoDelay(true);
    let buf = Buffer.alloc(0);
    s.on('data', async (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = messageEnd(buf, 'request');
      if (end < 0) return;
      serverGot = buf.subarray(0, end);
      buf = buf.subarray(end);
      const resp = nextResponse;
      const k = responseSplit;
      s.write(resp.subarray(0, k));
      await sleep(2);
      s.write(resp.subarray(k));
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen lb
  bind 127.0.0.1:${port}
  server s1 127.0.0.1:${(backend.address() as net.AddressInfo).port}
`)]);
  await waitForPort(port);
});

after(() => { backend.close(); cleanup(); });

/** One keep-alive client connection; exchange() sends a request in two parts and reads one response. */
class Conn {
  private readonly sock: net.Socket;
  private buf = Buffer.alloc(0);
  private waiter: ((b: Buffer) => void) | null = null;
  constructor() {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setNoDelay(true);
    this.sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      const end = messageEnd(this.buf, 'response');
      if (end < 0 || !this.waiter) return;
      const got = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      const w = this.waiter;
      this.waiter = null;
      w(got);
    });
  }

  async exchange(req: Buffer, split: number, resp: Buffer, respSplit: number): Promise<{ server: Buffer; client: Buffer }> {
    nextResponse = resp;
    responseSplit = respSplit;
    serverGot = Buffer.alloc(0);
    const client = new Promise<Buffer>((resolve, reject) => {
      this.waiter = resolve;
      setTimeout(() => reject(new Error('no response within 3 s')), 3000).unref();
    });
    this.sock.write(req.subarray(0, split));
    await sleep(2);
    this.sock.write(req.subarray(split));
    const c = await client;
    return { server: serverGot, client: c };
  }

  close(): void { this.sock.destroy(); }
}

test('through the proxy: random requests and responses, split at random points, arrive byte for byte', async () => {
  const conn = new Conn();
  await fc.assert(fc.asyncProperty(request, response, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), async (rq, rs, a, b) => {
    const split = Math.floor(a * rq.bytes.length);
    const rsplit = Math.floor(b * rs.bytes.length);
    const { server, client } = await conn.exchange(rq.bytes, split, rs.bytes, rsplit);
    assert.equal(server.toString('latin1'), rq.bytes.toString('latin1'));
    assert.equal(client.toString('latin1'), rs.bytes.toString('latin1'));
  }), { numRuns: 60 });
  conn.close();
});

test('through the proxy: one chunked request and response, split at every possible boundary', async () => {
  const req = Buffer.from('POST /up?x=1 HTTP/1.1\r\nHost: example.test\r\nX-Id: 7\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=v\r\nhello\r\n3\r\n!!!\r\n0\r\nX-Trailer: t\r\n\r\n', 'latin1');
  const resp = Buffer.from('HTTP/1.1 200 OK\r\nX-S: 1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n', 'latin1');
  const conn = new Conn();
  for (let k = 1; k < req.length; k++) {
    const { server, client } = await conn.exchange(req, k, resp, k % resp.length);
    assert.equal(server.toString('latin1'), req.toString('latin1'), `request split at ${k}`);
    assert.equal(client.toString('latin1'), resp.toString('latin1'), `response split at ${k % resp.length}`);
  }
  conn.close();
});
