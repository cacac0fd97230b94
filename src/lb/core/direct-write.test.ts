// writeOut(): every byte, in order, 'drain' after a write that had to wait, the caller's
// buffer never referenced after the call, errors ending the socket — on real loopback
// sockets, with the direct send(2) path and with the socket.write() fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { bytesWritten, directWrites, writeOut } from './direct-write.ts';

async function pair(): Promise<{ a: net.Socket; b: net.Socket; close: () => void }> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const accepted = once(srv, 'connection');
  const a = net.connect(port, '127.0.0.1');
  await once(a, 'connect');
  const [b] = (await accepted) as [net.Socket];
  return { a, b, close: () => { a.destroy(); b.destroy(); srv.close(); } };
}

test('the direct path is available on this Node (else every test below runs the fallback)', () => {
  assert.equal(directWrites, process.env.SWITCHYARD_NO_DIRECT_WRITE !== '1');
});

test('a write the kernel cannot take at once returns false, then "drain"; bytes arrive whole and in order with later writes', async () => {
  const { a, b, close } = await pair();
  try {
    b.pause(); // the peer does not read: the socket buffers fill
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const sent = Buffer.from(big);
    const first = writeOut(a, big);
    assert.equal(first, false, 'a 16 MiB write to a peer that does not read must wait');
    // The caller's buffer is free at once (a read buffer is reused by the next read): what
    // waits was copied, so scribbling over it changes nothing on the wire.
    big.fill(0);
    // Writes made while the first waits: queued behind it, in order (direct or not).
    const tail: Buffer[] = [];
    for (let i = 0; i < 50; i++) { const t = Buffer.from(`tail-${i};`); tail.push(t); writeOut(a, t); }
    a.write(Buffer.from('via-write;'));
    const drained = once(a, 'drain');
    const got: Buffer[] = [];
    let n = 0;
    const want = big.length + Buffer.concat(tail).length + 'via-write;'.length;
    const all = new Promise<void>((done) => b.on('data', (d: Buffer) => { got.push(d); n += d.length; if (n >= want) done(); }));
    b.resume();
    await drained;
    await all;
    const data = Buffer.concat(got);
    assert.equal(data.length, want);
    assert.ok(data.subarray(0, big.length).equals(sent), 'the big write arrives intact');
    assert.equal(data.subarray(big.length).toString(), tail.map(String).join('') + 'via-write;');
  } finally {
    close();
  }
});

test('small writes to a reading peer complete at once (true) and arrive in order', async () => {
  const { a, b, close } = await pair();
  try {
    const got: Buffer[] = [];
    b.on('data', (d: Buffer) => got.push(d));
    let sync = 0;
    for (let i = 0; i < 200; i++) if (writeOut(a, Buffer.from(`m${i},`))) sync++;
    assert.ok(sync > 0, 'some small writes complete synchronously');
    a.end();
    await once(b, 'end');
    const want = Array.from({ length: 200 }, (_, i) => `m${i},`).join('');
    assert.equal(Buffer.concat(got).toString(), want);
    // Stick tables' bytes_out read this: every byte, however it was sent.
    assert.equal(bytesWritten(a), want.length);
  } finally {
    close();
  }
});

test('writing to a connection the peer reset ends the socket with an error, as socket.write() does', async () => {
  const { a, b, close } = await pair();
  try {
    b.resetAndDestroy();
    await once(a, 'end').catch(() => undefined);
    const errored = new Promise<Error | null>((done) => { a.once('error', (e) => done(e)); a.once('close', () => done(null)); });
    // The first write may still be accepted by the kernel (the RST races it); keep writing.
    for (let i = 0; i < 20 && !a.destroyed; i++) {
      writeOut(a, Buffer.alloc(64 * 1024));
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(a.destroyed, 'the socket is destroyed after writes to a reset peer');
    const e = await errored;
    assert.ok(e === null || /write|EPIPE|ECONNRESET|-32|-104/.test(String(e.message) + String((e as NodeJS.ErrnoException).code ?? '')), String(e));
  } finally {
    close();
  }
});
