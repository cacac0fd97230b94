// The CLI line framing (line-reader.ts) over a real TCP connection on 127.0.0.1: lines split
// across writes, CR LF, the end of reading when onLine says so, and the bound on a line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { MAX_LINE, readCliLines } from './line-reader.ts';

/** A server whose connections are framed by readCliLines; `stopAt` makes onLine return false. */
async function serve(stopAt: string | null): Promise<{ port: number; lines: string[]; close(): void }> {
  const lines: string[] = [];
  const srv = net.createServer((sock) => {
    sock.on('error', () => {});
    readCliLines(sock, (line) => {
      lines.push(line);
      if (line === stopAt) { sock.end('bye\n'); return false; }
      return true;
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return { port: (srv.address() as net.AddressInfo).port, lines, close: () => srv.close() };
}

async function talk(port: number, parts: string[]): Promise<string> {
  const c = net.connect(port, '127.0.0.1');
  const closed = once(c, 'close'); // the server may close before the last write
  c.on('error', () => {}); // writes after its close may fail (EPIPE, ECONNRESET)
  await once(c, 'connect');
  let got = '';
  c.setEncoding('utf8');
  c.on('data', (d: string) => { got += d; });
  for (const p of parts) { if (!c.destroyed) c.write(p); await new Promise((r) => setTimeout(r, 10)); }
  c.end();
  await closed;
  return got;
}

test('lines split across writes, CR LF and LF, in order; nothing read after onLine returns false', async () => {
  const s = await serve('quit');
  try {
    const got = await talk(s.port, ['show in', 'fo\r\nhelp\nqu', 'it\nshow stat\n']);
    assert.deepEqual(s.lines, ['show info', 'help', 'quit']);
    assert.equal(got, 'bye\n');
  } finally { s.close(); }
});

test('a line longer than MAX_LINE without a newline: "Line too long." and the connection is closed', async () => {
  const s = await serve(null);
  try {
    const got = await talk(s.port, ['x'.repeat(MAX_LINE + 1), '\nhelp\n']);
    assert.equal(got, 'Line too long.\n\n');
    assert.deepEqual(s.lines, []);
  } finally { s.close(); }
});
