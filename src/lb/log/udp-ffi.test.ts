// UDP log lines through libc sendto (udp-ffi.ts): addresses built by hand, lines arriving whole.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { openUdpFfi, sockaddr } from './udp-ffi.ts';

const counters = { sent: 0, dropped: 0, errors: 0 };
const open: { close(): void }[] = [];
after(() => { for (const s of open) s.close(); });

test('sockaddr: IPv4 and IPv6 literals, host names refused', () => {
  assert.equal(sockaddr('127.0.0.1', 514)!.toString('hex'), '0200' + '0202' + '7f000001' + '0000000000000000');
  assert.equal(sockaddr('::1', 0x1234)!.toString('hex'), '0a00' + '1234' + '00000000' + '0'.repeat(31) + '1' + '00000000');
  assert.equal(sockaddr('2001:db8::a:b', 1)!.subarray(8, 24).toString('hex'), '20010db8' + '0'.repeat(16) + '000a000b');
  assert.equal(sockaddr('::ffff:10.1.2.3', 1)!.subarray(8, 24).toString('hex'), '00000000000000000000ffff0a010203');
  assert.equal(sockaddr('localhost', 514), null);
});

for (const [family, host] of [['udp4', '127.0.0.1'], ['udp6', '::1']] as const) {
  test(`lines reach a ${family} receiver, one datagram each`, async () => {
    const rx = dgram.createSocket(family);
    open.push(rx);
    const got: string[] = [];
    rx.on('message', (m) => got.push(m.toString()));
    rx.bind(0, host);
    await once(rx, 'listening');
    const sink = openUdpFfi(host, rx.address().port, counters);
    assert.ok(sink, 'koffi and libc are available here');
    open.push(sink);
    const sent = counters.sent;
    for (let i = 0; i < 3; i++) sink.send(Buffer.from(`<134>line ${i}\n`));
    const end = Date.now() + 2000;
    while (got.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, ['<134>line 0\n', '<134>line 1\n', '<134>line 2\n']);
    assert.equal(counters.sent - sent, 3);
  });
}

test('nobody listening: sendto on an unconnected socket still succeeds (nothing to report)', () => {
  const sink = openUdpFfi('127.0.0.1', 9, counters)!;
  open.push(sink);
  const errors = counters.errors;
  for (let i = 0; i < 3; i++) sink.send(Buffer.from('x\n'));
  assert.equal(counters.errors, errors);
});
