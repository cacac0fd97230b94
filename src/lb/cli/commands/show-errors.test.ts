/** The byte dump of `show errors` (its layout was compared with HAProxy 2.6 in test/lb/cli-ops.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpText } from './show-errors.ts';

test('one input line per output line, offsets, escapes, continuation lines at 79 columns', () => {
  assert.equal(dumpText(Buffer.from('GET / HTTP/1.1\r\nA:\t\x1b\\\x00\r\n\r\n')),
    '  00000  GET / HTTP/1.1\\r\\n\n  00016  A:\\t\\e\\\\\\x00\\r\\n\n  00024  \\r\\n\n');
  const long = dumpText(Buffer.from('x'.repeat(75) + '\xff'.repeat(2), 'latin1'));
  const lines = long.split('\n').filter(Boolean);
  assert.equal(lines[0], '  00000  ' + 'x'.repeat(70));
  assert.equal(lines[1], '  00070+ ' + 'xxxxx' + '\\xFF\\xFF');
  for (const l of lines) assert.ok(l.length <= 79);
});
