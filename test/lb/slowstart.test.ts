/**
 * `slowstart`: a server that comes back UP (health checks) ramps its weight from almost
 * nothing to its configured weight over the slow-start time, so it is not flooded.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli, waitForSocket } from '../helpers/cli.ts';

const servers: http.Server[] = [];
after(() => { for (const s of servers) { s.closeAllConnections(); s.close(); } cleanup(); });

function listen(name: string, port: number): Promise<http.Server> {
  const srv = http.createServer((_req, res) => { res.writeHead(200, { 'content-length': name.length }); res.end(name); });
  servers.push(srv);
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function share(port: number, n: number): Promise<number> {
  let a = 0;
  for (let i = 0; i < n; i++) if ((await get(port)) === 'a') a++;
  return a / n;
}

/** Waits (bounded) until `done()` holds; `what` names it in the error. */
async function until(what: string, done: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Server `name`'s status and effective weight in backend lb, as `show stat` reports them. */
async function state(sock: string, name: string): Promise<{ status: string; weight: number }> {
  const [head, ...rows] = (await cli(sock, 'show stat')).split('\n');
  const cols = (head ?? '').replace(/^# /, '').split(',');
  const row = rows.map((r) => r.split(',')).find((r) => r[0] === 'lb' && r[1] === name) ?? [];
  return { status: row[cols.indexOf('status')] ?? '?', weight: Number(row[cols.indexOf('weight')]) };
}

test('slowstart: a server back UP first gets a small share, then its full share once the ramp is over', async () => {
  const aPort = await freePort();
  let a = await listen('a', aPort);
  const b = await listen('b', 0);
  const port = await freePort();
  const sock = join(tempDir(), 'admin.sock');
  const proc = runSwitchyard(['-d', '-f', writeConfig(`global
  stats socket ${sock} level admin
defaults
  mode http
  timeout connect 500ms
  timeout client 5s
  timeout server 5s
  timeout check 200ms
listen lb
  bind 127.0.0.1:${port}
  server a 127.0.0.1:${aPort} weight 10 check inter 100ms rise 1 fall 1 slowstart 4s
  server b 127.0.0.1:${(b.address() as net.AddressInfo).port} weight 10 check inter 100ms rise 1 fall 1
`)]);
  await waitForPort(port);
  await waitForSocket(sock);
  // Both UP at their full weight before measuring. A check that timed out while a busy
  // machine stalled the proxy's start-up (fall 1) would have put a through a DOWN/UP and
  // a slow-start ramp: wait that out instead of measuring it.
  const full = async (n: string): Promise<boolean> => { const s = await state(sock, n); return s.status === 'UP' && s.weight === 10; };
  await until('a and b UP at weight 10', async () => (await full('a')) && (await full('b')));
  const even = await share(port, 20);
  assert.ok(Math.abs(even - 0.5) <= 0.1, `equal shares while both are up: a got ${Math.round(even * 100)}%\n${proc.stderr()}`);
  a.closeAllConnections();
  await new Promise((r) => a.close(r));
  await until('Server lb/a is DOWN', () => /Server lb\/a is DOWN/.test(proc.stderr()));
  a = await listen('a', aPort);
  await until('Server lb/a is UP', () => /Server lb\/a is UP/.test(proc.stderr()));
  const early = await share(port, 22);
  assert.ok(early <= 0.25, `just after coming up, a got ${Math.round(early * 100)}% (ramp starts near weight 1 of 10)\n${proc.stderr()}`);
  // The ramp's end is when the proxy says a is back at weight 10 (4 s after UP on a quiet
  // machine; later when its timers run late), not a fixed sleep.
  await until('a back at weight 10 after its 4 s ramp', () => full('a'));
  const late = await share(port, 20);
  assert.ok(Math.abs(late - 0.5) <= 0.1, `after the ramp, a got ${Math.round(late * 100)}%\n${proc.stderr()}`);
});
