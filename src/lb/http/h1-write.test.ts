// The re-serialiser: what the next hop receives, byte for byte, on the paths that copy
// received bytes (kept start lines, blocks of unchanged fields) and those that rebuild.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead, parseResponseHead } from './h1-parse.ts';
import { writeRequestHead, writeResponseHead } from './h1-write.ts';
import type { RequestHead, ResponseHead } from './types.ts';

function req(text: string): RequestHead {
  const r = parseRequestHead(Buffer.from(text, 'latin1'));
  assert.equal(r.state, 'done', text);
  return (r as { head: RequestHead }).head;
}

function res(text: string, method = 'GET'): ResponseHead {
  const r = parseResponseHead(Buffer.from(text, 'latin1'), method);
  assert.equal(r.state, 'done', text);
  return (r as { head: ResponseHead }).head;
}

test('an unchanged request goes out byte for byte, minus hop-by-hop fields', () => {
  const h = req('GET /a?b=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n');
  assert.equal(writeRequestHead(h).toString('latin1'), 'GET /a?b=1 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n');
});

test('leading empty lines, trailing whitespace of values and 1.x versions are normalised', () => {
  assert.equal(writeRequestHead(req('\r\nGET / HTTP/1.1\r\nHost: x  \r\nA:  b\t\r\n\r\n')).toString('latin1'), 'GET / HTTP/1.1\r\nHost: x\r\nA:  b\r\n\r\n');
  assert.equal(writeRequestHead(req('GET / HTTP/1.2\r\nHost: x\r\n\r\n')).toString('latin1'), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(writeRequestHead(req('GET / HTTP/1.0\r\n\r\n')).toString('latin1'), 'GET / HTTP/1.0\r\n\r\n');
  assert.equal(writeRequestHead(req('GET / HTTP/1.1\r\nHost: x\r\nX:\r\nY: \r\n\r\n')).toString('latin1'), 'GET / HTTP/1.1\r\nHost: x\r\nX:\r\nY: \r\n\r\n');
});

test('edits, extra lines and a new request line', () => {
  const h = req('POST /p HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nTE: trailers\r\nB: 2\r\nContent-Length: 0\r\n\r\n');
  const edits = new Map<number, string | null>([[1, 'cookie: b=2'], [4, null]]);
  assert.equal(writeRequestHead(h, ['x-forwarded-for: 1.2.3.4'], edits).toString('latin1'),
    'POST /p HTTP/1.1\r\nHost: x\r\ncookie: b=2\r\nB: 2\r\nx-forwarded-for: 1.2.3.4\r\n\r\n');
  assert.equal(writeRequestHead(h, [], null, 'PUT', '/q').toString('latin1'),
    'PUT /q HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nB: 2\r\nContent-Length: 0\r\n\r\n');
  const long = 'v'.repeat(300);
  assert.equal(writeRequestHead(req(`GET / HTTP/1.1\r\nHost: x\r\nL: ${long}\r\n\r\n`)).toString('latin1'), `GET / HTTP/1.1\r\nHost: x\r\nL: ${long}\r\n\r\n`);
});

test('responses go out as HTTP/1.1; the body bytes that came with the head follow it', () => {
  const h = res('HTTP/1.1 200 OK\r\nServer: s\r\nConnection: keep-alive\r\nContent-Length: 6\r\n\r\nhello\n');
  const tail = Buffer.from('hello\nEXTRA');
  assert.equal(writeResponseHead(h, [], null, null, null, tail, 6).toString('latin1'), 'HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 6\r\n\r\nhello\n');
  assert.equal(writeResponseHead(res('HTTP/1.0 404 Not Found\r\n\r\n')).toString('latin1'), 'HTTP/1.1 404 Not Found\r\n\r\n');
  assert.equal(writeResponseHead(res('HTTP/1.1 204\r\n\r\n')).toString('latin1'), 'HTTP/1.1 204 \r\n\r\n');
  assert.equal(writeResponseHead(h, ['connection: close'], null, 503, 'Busy').toString('latin1'), 'HTTP/1.1 503 Busy\r\nServer: s\r\nContent-Length: 6\r\nconnection: close\r\n\r\n');
});

test('a head that goes out unchanged is a view of the received bytes (no copy); any change makes a new buffer', () => {
  // Small buffers share Node's pool: "the same memory" means inside b's own bytes.
  const sameMemory = (a: Buffer, b: Buffer): boolean =>
    a.buffer === b.buffer && a.byteOffset >= b.byteOffset && a.byteOffset + a.length <= b.byteOffset + b.length;
  const text = 'GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n';
  const h = req(text);
  const out = writeRequestHead(h);
  assert.equal(out.toString('latin1'), text);
  assert.ok(sameMemory(out, h.buf), 'unchanged request: a view');
  // Leading empty lines are not part of the head: still a view, without them.
  const lead = req('\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const lo = writeRequestHead(lead);
  assert.equal(lo.toString('latin1'), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok(sameMemory(lo, lead.buf));
  // Each of these changes the bytes, so each must be a fresh, correct buffer.
  const cases: [string, (r: RequestHead) => Buffer, string][] = [
    ['GET / HTTP/1.1\r\nHost: x \r\nA: b\r\n\r\n', (r) => writeRequestHead(r), 'GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n'],
    ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', (r) => writeRequestHead(r), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', (r) => writeRequestHead(r, ['x-a: 1']), 'GET / HTTP/1.1\r\nHost: x\r\nx-a: 1\r\n\r\n'],
    ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', (r) => writeRequestHead(r, [], new Map([[0, 'host: y']])), 'GET / HTTP/1.1\r\nhost: y\r\n\r\n'],
    ['GET / HTTP/1.2\r\nHost: x\r\n\r\n', (r) => writeRequestHead(r), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
  ];
  for (const [input, write, want] of cases) {
    const r = req(input);
    const o = write(r);
    assert.equal(o.toString('latin1'), want, JSON.stringify(input));
    assert.ok(!sameMemory(o, r.buf), `changed head must be a new buffer: ${JSON.stringify(input)}`);
  }
  // A response and the body bytes that follow it in the same buffer: one view of both.
  const rtext = 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\nHTTP/1.1';
  const rh = res(rtext);
  const rest = rh.buf.subarray(rh.end);
  const ro = writeResponseHead(rh, [], null, null, null, rest, 6);
  assert.equal(ro.toString('latin1'), 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n');
  assert.ok(sameMemory(ro, rh.buf));
  // The same body bytes from another buffer: copied after the head.
  const ro2 = writeResponseHead(rh, [], null, null, null, Buffer.from('hello\n'), 6);
  assert.equal(ro2.toString('latin1'), 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n');
});
