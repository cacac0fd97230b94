// UDP log batches (dgram-batch.ts): a turn's lines in one sendmmsg(), received whole, in
// order, byte for byte, also beyond the line and byte caps; the sendto() fallback; drops.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { createDgramBatch, MAX_LINES } from './dgram-batch.ts';
import { AF_INET, EAGAIN, libcDgram, type LibcDgram } from './libc-dgram.ts';
import { sockaddr } from './udp-ffi.ts';
import { truncateLine } from './syslog.ts';

const c = libcDgram()!;
const open: Array<() => void> = [];
after(() => { for (const f of open) f(); });

/** A receiver on 127.0.0.1 with room for everything one test sends at once. */
async function receiver(): Promise<{ port: number; got: Buffer[]; wait(n: number): Promise<void> }> {
  const rx = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  open.push(() => rx.close());
  const got: Buffer[] = [];
  rx.on('message', (m) => got.push(m));
  rx.bind(0, '127.0.0.1');
  await once(rx, 'listening');
  return {
    port: rx.address().port, got,
    async wait(n) {
      const end = Date.now() + 3000;
      while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20)); // and nothing more
    },
  };
}

/** A batch on a fresh socket, flushed at the end of the turn like udp-ffi.ts. */
function batchTo(lib: LibcDgram, port: number, counters = { sent: 0, dropped: 0, errors: 0 }, limits?: { lines: number; bytes: number }) {
  const fd = lib.open(AF_INET);
  assert.ok(fd >= 0);
  let flushes = 0;
  const b = createDgramBatch(lib, fd, sockaddr('127.0.0.1', port)!, counters, () => { flushes++; setImmediate(b.flush); }, limits);
  open.push(() => { b.close(); lib.close(fd); });
  return { b, counters, flushes: () => flushes };
}

test('one turn of lines, more than MAX_LINES: all arrive, in order, byte for byte', async () => {
  assert.ok(c?.sendmmsg, 'sendmmsg is available here');
  const rx = await receiver();
  const { b, counters } = batchTo(c, rx.port);
  const n = MAX_LINES * 2 + 17;
  const lines = Array.from({ length: n }, (_, i) => `<134>Dec  7 12:00:00 switchyard[1]: line ${i} é\n`);
  for (const l of lines) b.addText(l, 1024);
  await rx.wait(n);
  assert.deepEqual(rx.got.map((m) => m.toString('utf8')), lines);
  assert.equal(counters.sent, n);
  assert.equal(counters.dropped + counters.errors, 0);
});

test('small caps: a batch full of lines or of bytes leaves at once; order kept', async () => {
  const rx = await receiver();
  const { b, counters } = batchTo(c, rx.port, undefined, { lines: 4, bytes: 300 });
  const lines: string[] = [];
  for (let i = 0; i < 25; i++) {
    const l = `${i} ${'x'.repeat(i * 5)}\n`;
    lines.push(l);
    b.addText(l, 1024);
    assert.ok(b.size <= 4);
  }
  await rx.wait(25);
  assert.deepEqual(rx.got.map((m) => m.toString()), lines);
  assert.equal(counters.sent, 25);
});

test('len: lines are cut exactly as truncateLine() cuts them, inside a character too', async () => {
  const rx = await receiver();
  const { b } = batchTo(c, rx.port);
  const cases = ['a'.repeat(79) + 'é'.repeat(10) + '\n', 'b'.repeat(200) + '\n', 'ü'.repeat(50) + '\n', 'short\n', 'c'.repeat(79) + '\n'];
  for (const l of cases) b.addText(l, 80);
  await rx.wait(cases.length);
  assert.deepEqual(rx.got, cases.map((l) => truncateLine(Buffer.from(l, 'utf8'), 80)));
  for (const m of rx.got) assert.ok(m.length <= 80);
});

test('without sendmmsg: the same lines leave as one sendto() each', async () => {
  const rx = await receiver();
  const { b, counters } = batchTo({ ...c, sendmmsg: null }, rx.port, undefined, { lines: 8, bytes: 4096 });
  const lines = Array.from({ length: 30 }, (_, i) => `fallback ${i}\n`);
  for (const l of lines) b.addText(l, 1024);
  b.add(Buffer.from('whole\n'));
  await rx.wait(31);
  assert.deepEqual(rx.got.map((m) => m.toString()), [...lines, 'whole\n']);
  assert.equal(counters.sent, 31);
});

test('a full send buffer (EAGAIN) drops the rest of the batch and counts it; other errors cost one line', () => {
  const results = [2, -1];
  let errno = EAGAIN;
  const fake: LibcDgram = { ...c, sendmmsg: () => results.shift() ?? 0, errno: () => errno };
  const counters = { sent: 0, dropped: 0, errors: 0 };
  const fd = c.open(AF_INET);
  const b = createDgramBatch(fake, fd, sockaddr('127.0.0.1', 9)!, counters, () => {});
  for (let i = 0; i < 5; i++) b.addText(`l${i}\n`, 1024);
  b.flush();
  assert.deepEqual(counters, { sent: 2, dropped: 3, errors: 0 });
  errno = 90; // EMSGSIZE: that datagram only
  results.push(-1, 4);
  for (let i = 0; i < 5; i++) b.addText(`l${i}\n`, 1024);
  b.flush();
  assert.deepEqual(counters, { sent: 6, dropped: 3, errors: 1 });
  b.close();
  c.close(fd);
});
