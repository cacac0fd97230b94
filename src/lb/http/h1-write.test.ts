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
