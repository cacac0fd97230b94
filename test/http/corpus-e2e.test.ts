/**
 * The smuggling corpus through the real proxy: every message the corpus says must be
 * refused gets exactly that status from bin/switchyard, and the server behind it
 * receives zero bytes — not a connection, not a byte. Accepted messages are forwarded
 * and answered. One proxy, one spy server, one client connection per case.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SMUGGLING_CORPUS } from './smuggling-corpus.ts';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

after(cleanup);

let proxyPort = 0;
let connections = 0;
let received = '';
let spy: net.Server;

before(async () => {
  spy = net.createServer((s) => {
    connections++;
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      received += d;
      // Answer once a head arrived; the corpus' accepted messages are small.
      if (/\r\n\r\n/.test(received)) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => spy.listen(0, '127.0.0.1', r));
  spy.unref();
  proxyPort = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(`defaults
  mode http
  timeout connect 1s
  timeout client 3s
  timeout server 3s
  timeout http-request 2s
frontend fe
  bind 127.0.0.1:${proxyPort}
  default_backend be
backend be
  server spy 127.0.0.1:${(spy.address() as net.AddressInfo).port}
`)]);
  await waitForPort(proxyPort);
});

function send(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.1');
    let got = '';
    const t = setTimeout(() => { s.destroy(); resolve(got); }, 3000);
    s.setEncoding('latin1');
    s.on('data', (d: string) => { got += d; });
    s.on('close', () => { clearTimeout(t); resolve(got); });
    s.on('error', reject);
    s.on('connect', () => s.end(raw, 'latin1'));
  });
}

for (const c of SMUGGLING_CORPUS) {
  if (!('status' in c.expect)) continue;
  const status = c.expect.status;
  test(`${c.name} → ${status}, server untouched`, async () => {
    const before = { connections, bytes: received.length };
    const out = await send(c.raw);
    assert.match(out, new RegExp(`^HTTP/1\\.1 ${status} `), `${c.why}\ngot: ${JSON.stringify(out.slice(0, 200))}`);
    assert.equal(connections, before.connections, 'no connection to the server');
    assert.equal(received.length, before.bytes, 'zero bytes reached the server');
  });
}

test('accepted corpus messages are forwarded and answered', async () => {
  let n = 0;
  for (const c of SMUGGLING_CORPUS) {
    if ('status' in c.expect) continue;
    const out = await send(c.raw);
    assert.match(out, /^HTTP\/1\.1 200 /, `${c.name}: ${JSON.stringify(out.slice(0, 200))}`);
    n++;
  }
  assert.ok(n > 20, `only ${n} accepted cases ran`);
});
