/**
 * `show table` / `clear table` / `set table` with HAProxy's selections (`key K`, `data.X
 * op V` filters): the same command sequence on the same config through real HAProxy 2.6
 * and bin/switchyard, answers compared line for line (entry addresses and expiry
 * countdowns, which differ by nature, masked).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, tempDir, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand, waitForSocket } from '../helpers/cli.ts';

const HAPROXY = '/usr/sbin/haproxy';
const hasHaproxy = existsSync(HAPROXY) && spawnSync(HAPROXY, ['-v']).status === 0;

after(cleanup);

/** `port2` is a second free port: port + 1 may be taken by a test running alongside (seen in CI-like runs: haproxy failed to bind and never opened its CLI). */
function config(sock: string, port: number, port2: number): string {
  return `global
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 5s
frontend fe
    bind 127.0.0.1:${port}
    stick-table type ip size 100 expire 60s store gpc0,gpt0,http_req_rate(10s),conn_cnt
    http-request track-sc0 src
    http-request return status 200
frontend fs
    bind 127.0.0.1:${port2}
    stick-table type string len 8 size 100 store gpt0
    http-request return status 200
`;
}

/** Valid input only: HAProxy 2.6 turns unparsable ip keys into 0.0.0.0 without a word, Switchyard refuses them. */
const SEQUENCE = [
  'set table fe key 10.0.0.1 data.gpt0 5 data.gpc0 7',
  'set table fe key 10.0.0.2 data.gpt0 1',
  'set table fe key 10.0.0.3',
  'show table fe',
  'show table fe data.gpt0 gt 2',
  'show table fe data.gpt0 eq 1 data.gpc0 eq 0',
  'show table fe data.gpt0 le 1',
  'show table fe key 10.0.0.2',
  'show table fe key 10.9.9.9',
  'show table fe data.http_req_rate gt 0',
  'set table fe key 10.0.0.3 data.http_req_rate 9',
  'show table fe data.http_req_rate ge 9',
  'show table fe data.bytes_in_cnt gt 0',
  'show table fe data.foo gt 0',
  'show table fe data.gpt0 zz 0',
  'show table fe data.gpt0 gt x',
  'show table fe data.gpt0',
  'show table fe key',
  'set table fe key 10.0.0.9 data.conn_cnt x',
  'set table fe data.gpt0 1',
  'set table nope key 1.1.1.1',
  'set table fe key 10.0.0.4 data.bytes_in_cnt 4',
  'show table fe',
  'clear table fe data.gpt0 eq 5',
  'show table fe',
  'clear table fe key 10.0.0.2',
  'clear table fe key 9.9.9.9',
  'show table fe',
  'clear table fe data.gpt0',
  'set table fs key abcdefghijk data.gpt0 3',
  'show table fs',
  'clear table fe',
  'show table fe',
  'show table',
];

/** Entry addresses and the expiry countdown are the process's own; everything else must match. */
function mask(out: string): string {
  return out.replace(/^0x[0-9a-f]+:/gm, '0x…:').replace(/ exp=\d+/g, ' exp=…');
}

async function run(sock: string): Promise<string[]> {
  await waitForSocket(sock);
  const out: string[] = [];
  for (const c of SEQUENCE) out.push(`>>> ${c}\n${mask(await cliCommand(sock, c))}`);
  return out;
}

test('show/clear/set table with key and data filters: the same answers as HAProxy 2.6', { skip: hasHaproxy ? false : 'no /usr/sbin/haproxy (Debian package haproxy)' }, async () => {
  const dir = tempDir();
  const hsock = join(dir, 'h.sock');
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(config(hsock, await freePort(), await freePort()), dir)], { stdio: 'ignore' });
  let ref: string[];
  try {
    ref = await run(hsock);
  } finally {
    hp.kill('SIGTERM');
  }
  const ssock = join(dir, 's.sock');
  const port = await freePort();
  runSwitchyard(['-db', '-f', writeConfig(config(ssock, port, await freePort()), dir)]);
  const ours = await run(ssock);
  for (let i = 0; i < ref.length; i++) assert.equal(ours[i], ref[i]);
});

test('set table refuses a key its table cannot hold, and needs admin level', async () => {
  const dir = tempDir();
  const sock = join(dir, 's.sock');
  const usock = join(dir, 'u.sock');
  runSwitchyard(['-db', '-f', writeConfig(`${config(sock, await freePort(), await freePort())}    \n`.replace(`stats socket ${sock} level admin`, `stats socket ${sock} level admin\n    stats socket ${usock} level operator`), dir)]);
  await waitForSocket(sock);
  assert.equal(await cliCommand(sock, 'set table fe key not-an-ip data.gpt0 1'), "Invalid key 'not-an-ip' for a table of type ip\n\n");
  assert.equal(await cliCommand(sock, 'show table fe'), '# table: fe, type: ip, size:100, used:0\n\n');
  await waitForSocket(usock);
  assert.match(await cliCommand(usock, 'set table fe key 10.0.0.1 data.gpt0 1'), /Permission denied/);
  assert.equal(await cliCommand(sock, 'show table fe'), '# table: fe, type: ip, size:100, used:0\n\n');
});
