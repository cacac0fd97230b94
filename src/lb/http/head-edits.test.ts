/** HeadEdits: a current view over a parsed head plus rewrites, applied by the writer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead } from './h1-parse.ts';
import { writeRequestHead } from './h1-write.ts';
import { HeadEdits } from './head-edits.ts';
import type { RequestHead } from './types.ts';

function head(text: string): RequestHead {
  const r = parseRequestHead(Buffer.from(text, 'latin1'));
  assert.equal(r.state, 'done');
  return (r as { head: RequestHead }).head;
}

const write = (h: RequestHead, e: HeadEdits): string =>
  writeRequestHead(h, e.addedLines(), e.fields, e.method, e.target).toString('latin1');

test('no edit: the head is written unchanged', () => {
  const h = head('GET /a HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n');
  const e = new HeadEdits(h);
  assert.ok(e.empty);
  assert.equal(write(h, e), 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n');
});

test('set, add, del and replace act on original and added fields, in order, and get() sees them', () => {
  const h = head('GET /a?q=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nAccept: text/html, image/png\r\nX-A: 2\r\n\r\n');
  const e = new HeadEdits(h);
  e.set('x-a', '3');
  assert.deepEqual(e.get('X-A'), ['3']);
  e.add('X-B', 'b1');
  e.add('X-B', 'b2');
  e.del('x-b', (v) => v === 'b1');
  e.replaceValue('accept', /^image\/(.*)$/, 'img/$1');
  e.replaceHeader('host', /^x$/, 'example.com');
  e.method = 'POST';
  e.target = '/b';
  // a replaced value loses the blanks around it (HAProxy 2.6 writes 'text/html,img/png')
  assert.deepEqual(e.get('accept'), ['text/html,img/png']);
  assert.equal(write(h, e), 'POST /b HTTP/1.1\r\nHost: example.com\r\nAccept: text/html,img/png\r\nx-a: 3\r\nX-B: b2\r\n\r\n');
});

test('replace-header and replace-value replace the whole value a regex matches anywhere (HAProxy 2.6)', () => {
  const h = head('GET / HTTP/1.1\r\nHost: x\r\nX-S: prefix-old-suffix\r\nX-V: abbc, b ,c\r\nX-Q: "a,b", b\r\nX-E: a,,b\r\n\r\n');
  const e = new HeadEdits(h);
  e.replaceHeader('x-s', /(o)(l)d/, '<$2$1$0>');
  e.replaceValue('x-v', /b+/, 'B');
  e.replaceValue('x-q', /^b$/, 'B');
  e.replaceValue('x-e', /^$/, 'E');
  assert.deepEqual(e.get('x-s'), ['<loold>']);
  assert.deepEqual(e.get('x-v'), ['B,B,c']);
  assert.deepEqual(e.get('x-q'), ['"a,b",B']);
  assert.deepEqual(e.get('x-e'), ['a,E,b']);
  e.replaceHeader('x-s', /nomatch/, 'x');
  assert.deepEqual(e.get('x-s'), ['<loold>']);
});
