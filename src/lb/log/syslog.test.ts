// Syslog framing, byte for byte, in every format HAProxy 2.6 offers (shapes measured
// with /usr/sbin/haproxy sending to a UDP receiver), and `len` truncation.
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSyslogLine, headerPrintsTime, syslogFramer, truncateLine } from './syslog.ts';
import { isoDate, rfc3164Date } from './dates.ts';

const NOW = Date.UTC(2026, 10, 2, 8, 52, 21, 118) + 0.587; // µs .118587
const H = { tag: 'haproxy', pid: 30403, hostname: undefined };
const MSG = '127.0.0.1:50774 [02/Nov/2026:08:52:21.101] fe be/s1 0/0/0/15/15 200 123 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"';

test('every format, local0/local1… info', () => {
  assert.equal(buildSyslogLine('local', 16, 6, H, NOW, MSG), `<134>Nov  2 08:52:21 haproxy[30403]: ${MSG}\n`);
  assert.equal(buildSyslogLine('rfc3164', 23, 6, H, NOW, MSG), `<190>Nov  2 08:52:21 localhost haproxy[30403]: ${MSG}\n`);
  assert.equal(buildSyslogLine('rfc3164', 23, 6, { ...H, hostname: 'vm' }, NOW, MSG), `<190>Nov  2 08:52:21 vm haproxy[30403]: ${MSG}\n`);
  assert.equal(buildSyslogLine('rfc5424', 17, 6, H, NOW, MSG), `<142>1 2026-11-02T08:52:21.118587+00:00 - haproxy 30403 - - ${MSG}\n`);
  assert.equal(buildSyslogLine('rfc5424', 17, 6, { ...H, hostname: 'vm' }, NOW, MSG, '[x@1 a="b"]'), `<142>1 2026-11-02T08:52:21.118587+00:00 vm haproxy 30403 - [x@1 a="b"] ${MSG}\n`);
  assert.equal(buildSyslogLine('raw', 18, 6, H, NOW, MSG), `${MSG}\n`);
  assert.equal(buildSyslogLine('short', 19, 6, H, NOW, MSG), `<6>${MSG}\n`);
  assert.equal(buildSyslogLine('iso', 20, 6, H, NOW, MSG), `2026-11-02T08:52:21.118587+00:00 ${MSG}\n`);
  assert.equal(buildSyslogLine('timed', 21, 6, H, NOW, MSG), `<6>2026-11-02T08:52:21.118587+00:00 ${MSG}\n`);
  assert.equal(buildSyslogLine('priority', 22, 6, H, NOW, MSG), `<182>${MSG}\n`);
  assert.equal(buildSyslogLine('local', 16, 3, H, NOW, 'x'), `<131>Nov  2 08:52:21 haproxy[30403]: x\n`);
});

test('dates: two-digit days, time zones', () => {
  assert.equal(rfc3164Date(Date.UTC(2026, 0, 22, 1, 2, 3)), 'Jan 22 01:02:03');
  assert.equal(isoDate(Date.UTC(2026, 0, 22, 1, 2, 3, 4)), '2026-01-22T01:02:03.004000+00:00');
});

test('len: a longer line is cut to N bytes ending in a newline', () => {
  const b = Buffer.from('a'.repeat(100) + '\n');
  const t = truncateLine(b, 80);
  assert.equal(t.length, 80);
  assert.equal(t.toString(), 'a'.repeat(79) + '\n');
  assert.equal(truncateLine(Buffer.from('short\n'), 80).toString(), 'short\n');
});

test('syslogFramer: the same bytes as buildSyslogLine, every format, across seconds and levels', () => {
  for (const fmt of ['local', 'rfc3164', 'rfc5424', 'raw', 'short', 'iso', 'timed', 'priority'] as const) {
    for (const h of [H, { ...H, hostname: 'vm' }]) {
      const frame = syslogFramer(fmt, 16, h);
      for (const [dt, level] of [[0, 6], [0.4, 6], [0, 3], [999, 3], [1000, 3], [1000, 6], [61_000, 6]] as const) {
        assert.equal(frame(level, NOW + dt, MSG, '[x@1]'), buildSyslogLine(fmt, 16, level, h, NOW + dt, MSG, '[x@1]'), `${fmt} +${dt} ms level ${level}`);
      }
    }
  }
});

test('headerPrintsTime: false exactly for the formats whose line does not depend on the time', () => {
  for (const fmt of ['local', 'rfc3164', 'rfc5424', 'raw', 'short', 'iso', 'timed', 'priority'] as const) {
    const same = buildSyslogLine(fmt, 16, 6, H, NOW, MSG) === buildSyslogLine(fmt, 16, 6, H, 0, MSG);
    assert.equal(headerPrintsTime(fmt), !same, fmt);
  }
});
