// The field-line scanner's fast path (scanFields) against the strict one it falls back to
// (scanFieldsStrict): for any bytes, any start offset and any limits, both must give the
// same fields, the same end, 'incomplete' at the same time and the same error (status,
// reason, offset). The strict scanner is the reference the smuggling corpus pins down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scanFields, scanFieldsStrict } from './h1-parse.ts';

/** Bytes that matter to the scanner, often enough to meet each other. */
const headByte = fc.constantFrom(
  ...'aZ-_!~09'.split('').map((c) => c.charCodeAt(0)),
  0x3a, 0x20, 0x09, 0x0d, 0x0a, 0x00, 0x7f, 0x80, 0xff, 0x22, 0x2c, 0x28,
);
/** A plausible field line, optionally damaged by the caller's byte mix. */
const line = fc.tuple(
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{0,8}$/),
  fc.constantFrom(':', ': ', ':\t', ' :', ''),
  fc.string({ unit: fc.constantFrom('v', ' ', '\t', '\x80', '\x01', '\r', ','), maxLength: 10 }),
  fc.constantFrom('\r\n', '\n', '\r', ''),
).map(([n, sep, v, end]) => n + sep + v + end);

const head = fc.oneof(
  fc.array(headByte, { maxLength: 80 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom('\r\n', '', '\r', '\n'), fc.array(headByte, { maxLength: 6 }))
    .map(([ls, end, junk]) => Buffer.concat([Buffer.from(ls.join('') + end, 'latin1'), Buffer.from(junk)])),
);

test('scanFields and scanFieldsStrict agree on any bytes, offsets and limits', () => {
  fc.assert(fc.property(
    // The size limit anywhere, and often within a few bytes of the end (where the last
    // line's LF may sit exactly on it).
    head, fc.nat(4), fc.oneof(fc.integer({ min: 1, max: 90 }), fc.integer({ min: -4, max: 2 })), fc.integer({ min: 0, max: 8 }), fc.constantFrom(400, 502),
    (buf, skip, size, maxHeaders, status) => {
      const pos = Math.min(skip, buf.length);
      const headStart = Math.max(0, pos - 2);
      const maxHeadBytes = size > 2 ? size : Math.max(1, buf.length - headStart + size);
      const limits = { maxHeadBytes, maxHeaders };
      const fast = scanFields(buf, pos, headStart, limits, status);
      const strict = scanFieldsStrict(buf, pos, headStart, limits, status, [], 0);
      assert.deepEqual(fast, strict, JSON.stringify(buf.toString('latin1')));
    },
  ), { numRuns: 20_000 });
});

test('the fast path takes a usual head whole (no fallback needed) and finds its fields', () => {
  const buf = Buffer.from('Host: a\r\nX-Y:  b c \t\r\n\r\nbody', 'latin1');
  const r = scanFields(buf, 0, 0, { maxHeadBytes: 100, maxHeaders: 10 }, 400);
  assert.deepEqual(r, { fields: [0, 4, 6, 7, 9, 12, 15, 18], count: 2, end: 24 });
});
