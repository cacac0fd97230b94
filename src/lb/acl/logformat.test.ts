import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLogFormat } from './logformat.ts';
import { testContext } from './test-context.ts';

const env = { baseDir: process.cwd() };
const ctx = testContext({ request: 'GET /a?b=1 HTTP/1.1\r\nHost: Ex.com\r\n' });

test('literal and %[expr] parts', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'], ['100%%', '100%'], ['%[path]', '/a'], ['h=%[req.hdr(host),lower];p=%[url_param(b)]', 'h=ex.com;p=1'],
    ['%[req.hdr(none)]x', 'x'], ['[%[str(a]b)]]', '[a]b]'], ['%[str(x),concat(y)]%[int(3),add(4)]', 'xy7'],
  ];
  for (const [f, want] of cases) assert.equal(compileLogFormat(f, { env }).render(ctx), want, f);
  assert.equal(compileLogFormat('%[req.hdr(none)]', { env, missing: '-' }).render(ctx), '-');
  assert.equal(compileLogFormat('abc', { env }).constant, true);
});

test('other % variables go to the logging module hook', () => {
  assert.throws(() => compileLogFormat('%ci', { env }), /'%ci' is not supported/);
  const f = compileLogFormat('%ci:%{+Q}r %[method]', { env, variable: (n, flags) => () => `<${n}${flags}>` });
  assert.equal(f.render(ctx), '<ci>:<r+Q> GET');
  assert.throws(() => compileLogFormat('%[path', { env }), /missing '\]'/);
  assert.throws(() => compileLogFormat('%', { env }), /'%%'/);
});

test('control bytes in %[…] values are %XX-encoded like HAProxy (TAB and % kept)', () => {
  const c = testContext({ request: 'GET / HTTP/1.1\r\nX-J: a\x01\t%\x7f\xe9\r\n' });
  assert.equal(compileLogFormat('%[req.hdr(x-j)]', { env }).render(c), 'a%01\t%%7F\xe9');
  assert.equal(compileLogFormat('%[req.hdr(x-j)]', { env, encodeControls: false }).render(c), 'a\x01\t%\x7f\xe9');
  assert.equal(compileLogFormat('%[int(65),bytes(6)]', { env }).render(c), '');
});
