/**
 * Payload fetches (req.len, req.payload, req.payload_lv) over inspected content, the
 * "not known yet" answer of conditions while the content may still grow, and the body
 * fetches (req.body_len, req.body_size, req.body_param).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCondition, compileExpr, testContext, type ContentView, type SampleContext } from './index.ts';
import './fetches/index.ts';

const env = { baseDir: '.' };

function withContent(data: string | Buffer, final: boolean): SampleContext & { content: ContentView } {
  const content: ContentView = { data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1'), final, mayChange: 0 };
  return { ...testContext(), content };
}

const cond = (text: string) => compileCondition(text.split(' '), new Map(), { env });
const str = (expr: string, ctx: SampleContext): string | null => {
  const s = compileExpr(expr, env).eval(ctx);
  return s === null ? null : s.type === 'bin' ? s.v.toString('latin1') : String(s.v);
};

test('req.len, req.payload, req.payload_lv read the inspected bytes', () => {
  const ctx = withContent('\x00\x03abcdef', true);
  assert.equal(str('req.len', ctx), '8');
  assert.equal(str('req.payload(2,3)', ctx), 'abc');
  assert.equal(str('req.payload(5,0)', ctx), 'def');
  assert.equal(str('req.payload(6,5)', ctx), null);
  assert.equal(str('req.payload_lv(0,2)', ctx), 'abc');
  assert.equal(str('req.payload_lv(0,2,5)', ctx), 'def');
  assert.equal(str('req.payload_lv(0,2,+1)', ctx), 'bcd');
  assert.throws(() => compileExpr('req.payload_lv(0,5)', env), /1 to 4 bytes/);
  assert.equal(str('req.payload(0,1)', testContext()), null, 'no content: no sample');
});

test('conditions on content that may still grow are unknown (2) until final; AND/OR/! keep HAProxy three-valued logic', () => {
  const partial = withContent('ab', false);
  assert.equal(cond('if { req.len ge 4 }').test3(partial), 2);
  assert.equal(cond('if { req.len ge 2 }').test3(partial), 1);
  assert.equal(cond('unless { req.len ge 4 }').test3(partial), 2);
  assert.equal(cond('if ! { req.len ge 4 }').test3(partial), 2);
  assert.equal(cond('if { req.payload(0,4) -m bin 61626364 }').test3(partial), 2);
  assert.equal(cond('if { req.payload(0,2) -m bin 7a7a }').test3(partial), 0, 'enough bytes, no match: false at once');
  assert.equal(cond('if { req.len ge 4 } || { src 127.0.0.1 }').test3(partial), 1);
  assert.equal(cond('if { req.len ge 4 } { src 10.0.0.1 }').test3(partial), 0);
  const done = withContent('ab', true);
  assert.equal(cond('if { req.len ge 4 }').test3(done), 0);
  assert.equal(cond('unless { req.len ge 4 }').test3(done), 1);
});

test('body fetches read the buffered body', () => {
  const base = testContext();
  const req = { ...base.req!, fieldCount: 1, fieldName: () => 'content-length', fieldValue: () => '20', body: () => Buffer.from('A=1&b=two&c') };
  const ctx = { ...base, req } as SampleContext;
  assert.equal(str('req.body_len', ctx), '11');
  assert.equal(str('req.body_size', ctx), '20');
  assert.equal(str('req.body_param(b)', ctx), 'two');
  assert.equal(str('req.body_param(a)', ctx), null);
  assert.equal(str('req.body_param(a,i)', ctx), '1');
  assert.equal(str('req.body_param(c)', ctx), '');
});

test('req.len on an HTTP stream is the HTX size HAProxy 2.6 reports (checked with haproxy 2.6.12)', () => {
  const len = (head: string, body: string | null = null): string | null =>
    str('req.len', testContext({ request: head, body: body === null ? undefined : Buffer.from(body, 'latin1') }));
  assert.equal(len('GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n'), '39');
  assert.equal(len('POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n', 'hello'), '60');
  assert.equal(len('POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n', 'abcde'), '70');
  assert.equal(len('GET /b HTTP/1.0\r\nConnection: keep-alive, Foo\r\n'), '47');
});
