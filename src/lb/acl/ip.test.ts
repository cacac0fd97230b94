import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv6, parseIPv4, parseIPv6, parseIpPattern, v4mapped, v6tov4, formatIPv4 } from './ip.ts';

test('IPv4 parse is strict (inet_pton)', () => {
  const cases: [string, number | null][] = [
    ['1.2.3.4', 0x01020304], ['255.255.255.255', 0xffffffff], ['0.0.0.0', 0],
    ['1.2.3', null], ['1.2.3.256', null], ['1.2.3.4.5', null], ['a.b.c.d', null], ['', null], ['1..3.4', null],
  ];
  for (const [s, v] of cases) assert.equal(parseIPv4(s), v, s);
  assert.equal(formatIPv4(0x0a000001), '10.0.0.1');
});

test('IPv6 parse and format round-trip like inet_ntop', () => {
  const cases: [string, string | null][] = [
    ['::', '::'], ['::1', '::1'], ['2001:db8::1', '2001:db8::1'], ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], ['fe80::1:0:0:1', 'fe80::1:0:0:1'], ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['1::', '1::'], ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2', '::2'], ['::ffff', '::ffff'], ['::1:2', '::0.1.0.2'], ['::1.2.3.4', '::1.2.3.4'], ['::ffff:0:2', '::ffff:0.0.0.2'],
    [':::', null], ['1::2::3', null], ['12345::', null], ['1:2:3:4:5:6:7:8:9', null], ['g::', null],
  ];
  for (const [s, out] of cases) {
    const b = parseIPv6(s);
    if (out === null) assert.equal(b, null, s);
    else assert.equal(formatIPv6(b!), out, s);
  }
});

test('v4-mapped and 6to4 conversions', () => {
  assert.equal(formatIPv6(v4mapped(0x7f000001)), '::ffff:127.0.0.1');
  assert.equal(v6tov4(parseIPv6('::ffff:10.1.2.3')!), 0x0a010203);
  assert.equal(v6tov4(parseIPv6('2002:0a01:0203::1')!), 0x0a010203);
  assert.equal(v6tov4(parseIPv6('2001:db8::1')!), null);
});

test('network patterns', () => {
  assert.deepEqual(parseIpPattern('10.1.2.3/8'), { family: 4, addr: 0x0a000000, mask: 0xff000000, prefix: 8 });
  assert.deepEqual(parseIpPattern('10.1.2.3/255.255.0.0'), { family: 4, addr: 0x0a010000, mask: 0xffff0000, prefix: 16 });
  assert.equal(parseIpPattern('10.1.2.3/255.0.255.0')!.family === 4 && (parseIpPattern('10.1.2.3/255.0.255.0') as { prefix: number | null }).prefix, null);
  assert.equal(parseIpPattern('10.0.0.0/33'), null);
  assert.equal(parseIpPattern('2001:db8::/129'), null);
  assert.equal(parseIpPattern('example.com'), null);
});
