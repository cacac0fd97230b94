// silent-drop (http-request, tcp-request content, tcp-request connection): the proxy lets
// go of the connection and the client is told nothing — no byte, no FIN, no RST — while
// the proxy's own count of connections goes back to 0. Run on Switchyard and on the real
// HAProxy 2.6 with the same config. TCP_REPAIR needs root (CI runs as root); elsewhere the
// fallback (hop limit 1) cannot hide the close on loopback, so the test is skipped.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanup, freePort, runSwitchyard, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { missingHaproxy, runHaproxy, stopHaproxies } from '../helpers/haproxy.ts';
import { cliCommand, waitForSocket } from '../helpers/cli.ts';

after(async () => { stopHaproxies(); await cleanup(); });

const notRoot = process.getuid?.() === 0 ? false : 'needs root: TCP_REPAIR is what keeps the close from the client';

function cfg(http: number, tcp: number, conn: number, sock: string): string {
  return `global
    stats socket ${sock} level admin
defaults
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend web
    mode http
    bind 127.0.0.1:${http}
    http-request silent-drop if { path /drop }
    http-request return status 200 content-type text/plain string ok
frontend raw
    mode tcp
    bind 127.0.0.1:${tcp}
    tcp-request inspect-delay 2s
    tcp-request content silent-drop if { req.payload(0,4) -m str DROP }
    tcp-request content reject
frontend early
    mode tcp
    bind 127.0.0.1:${conn}
    tcp-request connection silent-drop
`;
}

interface Seen { data: number; end: boolean; closed: boolean; error: string | null }

/** Connects, sends `bytes`, and reports what the client saw within `ms` (the socket is left open, then destroyed). */
async function watch(port: number, bytes: string, ms: number): Promise<Seen> {
  const s = net.connect(port, '127.0.0.1');
  const seen: Seen = { data: 0, end: false, closed: false, error: null };
  s.on('data', (d: Buffer) => { seen.data += d.length; });
  s.on('end', () => { seen.end = true; });
  s.on('close', () => { seen.closed = true; });
  s.on('error', (e: NodeJS.ErrnoException) => { seen.error = e.code ?? e.message; });
  await new Promise<void>((ok) => s.once('connect', () => ok()));
  if (bytes) s.write(bytes);
  await sleep(ms);
  s.destroy();
  return seen;
}

async function currConns(sock: string): Promise<number> {
  const out = await cliCommand(sock, 'show info');
  const m = /^CurrConns: (\d+)$/m.exec(out);
  assert.ok(m, out);
  return Number(m[1]);
}

async function check(name: string, ports: [number, number, number], sock: string): Promise<void> {
  const [http, tcp, conn] = ports;
  const nothing: Seen = { data: 0, end: false, closed: false, error: null };
  // A request that is not dropped is answered: the rules run at all.
  const ok = await watch(http, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n', 300);
  assert.ok(ok.data > 0, `${name}: /ok answered`);
  assert.deepEqual(await watch(http, 'GET /drop HTTP/1.1\r\nHost: x\r\n\r\n', 600), nothing, `${name}: http-request silent-drop`);
  assert.deepEqual(await watch(tcp, 'DROP me', 600), nothing, `${name}: tcp-request content silent-drop`);
  assert.deepEqual(await watch(conn, '', 600), nothing, `${name}: tcp-request connection silent-drop`);
  // The reject beside it, for contrast: that one the client does see.
  const rej = await watch(tcp, 'KEEP', 600);
  assert.ok(rej.end || rej.closed || rej.error !== null, `${name}: tcp-request content reject is seen by the client`);
  // The proxy holds none of them (all clients are gone by now; its count must be 0).
  let n = -1;
  for (let i = 0; i < 20 && n !== 0; i++) { n = await currConns(sock); if (n !== 0) await sleep(100); }
  assert.equal(n, 0, `${name}: CurrConns after the drops`);
}

test('silent-drop lets go of the connection without a word to the client, as HAProxy 2.6', { skip: notRoot || missingHaproxy }, async () => {
  const dir = tempDir();
  const hp: [number, number, number] = [await freePort(), await freePort(), await freePort()];
  const hSock = join(dir, 'h.sock');
  await runHaproxy(cfg(...hp, hSock), hp[0]);
  await waitForSocket(hSock);
  await check('haproxy', hp, hSock);

  const sp: [number, number, number] = [await freePort(), await freePort(), await freePort()];
  const sSock = join(dir, 's.sock');
  const sy = runSwitchyard(['-db', '-f', writeConfig(cfg(...sp, sSock), dir)]);
  await waitForPort(sp[0]);
  await waitForSocket(sSock);
  try {
    await check('switchyard', sp, sSock);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${sy.stderr()}`);
  }
});
