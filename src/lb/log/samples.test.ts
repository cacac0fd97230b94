// What log formats may fetch (HAProxy 2.6's checks, recorded with haproxy -c) and how
// samples are evaluated from a finished transaction's record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logSampleCompiler, missingFor } from './samples.ts';
import { compileLogFormat, evaluateLogFormat } from './format.ts';
import { fixedRecord } from './test-record.ts';
import { jsonString } from './json.ts';

test('fetches usable at log time and in unique-id-format, in HAProxy words', () => {
  assert.equal(missingFor('src', 'connection', 'log'), null);
  assert.equal(missingFor('status', 'response', 'log'), null);
  assert.equal(missingFor('method', 'request', 'log'), null);
  assert.equal(missingFor('unique-id', 'request', 'log'), null);
  assert.equal(missingFor('path', 'request', 'log'), 'HTTP request headers');
  assert.equal(missingFor('hdr', 'request', 'log'), 'HTTP request headers,HTTP response headers');
  assert.equal(missingFor('req.len', 'request', 'log'), 'request buffer');
  assert.equal(missingFor('res.hdr', 'response', 'log'), 'HTTP response headers');
  assert.equal(missingFor('path', 'request', 'unique-id'), null);
  assert.equal(missingFor('status', 'response', 'unique-id'), 'HTTP response');
});

test('samples read the record: names, addresses without a context, the final status', () => {
  const compile = logSampleCompiler({ env: { baseDir: '.' }, use: 'log' });
  const c = compileLogFormat('%[src] %[dst_port] %[fe_name] %[be_name] %[srv_name] %[status] %[method] %[int(3),add(4)] %[str(x),upper]', compile);
  assert.ok(c.ok, c.ok ? '' : c.reason);
  assert.equal(evaluateLogFormat(c.format, fixedRecord(), { lc: 0 }), '127.0.0.1 19080 fe be s1 200 - 7 X');
  assert.equal(evaluateLogFormat(c.format, fixedRecord({ mode: 'tcp', s: '<NOSRV>' }), { lc: 0 }), '127.0.0.1 19080 fe be - - - 7 X');
  const bad = compileLogFormat('x %[req.hdr(host)]', compile);
  assert.ok(!bad.ok);
  assert.equal(bad.reason, "sample fetch <req.hdr(host)]> may not be reliably used here because it needs 'HTTP request headers' which is not available here");
  const unknown = compileLogFormat('%[nope]', compile);
  assert.ok(!unknown.ok);
  assert.match(unknown.reason, /^failed to parse sample expression <nope\]> : unknown fetch method 'nope'/);
});

test('JSON strings: RFC 8259 escapes; UTF-8 byte strings decoded, other bytes kept one per character', () => {
  assert.equal(jsonString('a"b\\c\n\t\x01'), '"a\\"b\\\\c\\n\\t\\u0001"');
  assert.equal(jsonString('\xc3\xa9'), '"é"');
  assert.equal(jsonString('x\xffy'), '"x\u00ffy"');
  assert.equal(jsonString('€'), '"€"');
  assert.equal(JSON.parse(jsonString('\ud800')), '\ud800');
});
