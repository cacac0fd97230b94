// Stick counters of requests that never became a transaction — a head cut short by the
// client, an invalid head, a connection closed without a byte, `timeout http-request`
// running out with or without bytes — against the real HAProxy 2.6 on the same config:
// the same http_req_cnt and http_err_cnt after each step (HAProxy counts all of them as
// requests, and all but the 408s as errors).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanup, freePort, runSwitchyard, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { missingHaproxy, runHaproxy, stopHaproxies } from '../helpers/haproxy.ts';
import { cliCommand, waitForSocket } from '../helpers/cli.ts';

after(async () => { stopHaproxies(); await cleanup(); });

function cfg(port: number, sock: string): string {
  return `global
    stats socket ${sock} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 400ms
frontend fe
    bind 127.0.0.1:${port}
    stick-table type ip size 1k expire 1m store http_req_cnt,http_err_cnt
    tcp-request connection track-sc0 src
    http-request return status 200 content-type text/plain string ok
`;
}

/** Connects, sends `bytes`, waits `holdMs`, closes; then lets the proxy see the close. */
async function visit(port: number, bytes: string, holdMs: number): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise<void>((ok) => s.once('connect', () => ok()));
  if (bytes) s.write(bytes);
  await sleep(holdMs);
  s.destroy();
  await sleep(150);
}

async function counters(sock: string): Promise<[number, number]> {
  const out = await cliCommand(sock, 'show table fe');
  const m = /http_req_cnt=(\d+) http_err_cnt=(\d+)/.exec(out);
  assert.ok(m, `no entry in: ${out}`);
  return [Number(m[1]), Number(m[2])];
}

const STEPS: [string, string, number][] = [
  ['a head cut short, then close', 'GET / HTTP/1.1\r\nHo', 150],
  ['an invalid head', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 150],
  ['a connection closed without a byte', '', 150],
  ['timeout http-request with part of a head', 'GET / HTTP/1.1\r\nHo', 900],
  ['timeout http-request without a byte', '', 900],
];

/**
 * The counters after each step, relative to before the first (the readiness probe's
 * connection counts too). The probe's entry may show a moment after the port answered (seen
 * once with HAProxy: "used:0"), so the first reading waits for it.
 */
async function run(port: number, sock: string): Promise<string[]> {
  for (let i = 0; i < 40 && !/http_req_cnt=/.test(await cliCommand(sock, 'show table fe')); i++) await sleep(50);
  const [req0, err0] = await counters(sock);
  const seen: string[] = [];
  for (const [, bytes, hold] of STEPS) {
    await visit(port, bytes, hold);
    const [req, err] = await counters(sock);
    seen.push(`req=${req - req0} err=${err - err0}`);
  }
  return seen;
}

test('refused, cut and timed-out requests count on stick counters as in HAProxy 2.6', { skip: missingHaproxy }, async () => {
  const dir = tempDir();
  const hPort = await freePort();
  const hSock = join(dir, 'h.sock');
  await runHaproxy(cfg(hPort, hSock), hPort);
  await waitForSocket(hSock);
  const want = await run(hPort, hSock);

  const sPort = await freePort();
  const sSock = join(dir, 's.sock');
  const sy = runSwitchyard(['-db', '-f', writeConfig(cfg(sPort, sSock), dir)]);
  await waitForPort(sPort);
  await waitForSocket(sSock);
  const got = await run(sPort, sSock);
  for (let i = 0; i < STEPS.length; i++) assert.equal(got[i], want[i], `${STEPS[i]![0]} (haproxy ${want.join(', ')}; stderr: ${sy.stderr()})`);
  // The expectations themselves, as recorded from haproxy 2.6.12.
  assert.deepEqual(want, ['req=1 err=1', 'req=2 err=2', 'req=3 err=3', 'req=4 err=3', 'req=5 err=3']);
});
