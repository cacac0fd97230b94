/**
 * `slowstart`: a server that comes back UP (health checks) ramps its weight from almost
 * nothing to its configured weight over the slow-start time, so it is not flooded.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function share(port: number, n: number): Promise<number> {
  let a = 0;
  for (let i = 0; i < n; i++) if ((await get(port)) === 'a') a++;
  return a / n;
}

test('slowstart: a server back UP first gets a small share, then its full share once the ramp is over', async () => {
  const aPort = await freePort();
  let a = await listen('a', aPort);
  const b = await listen('b', 0);
  const port = await freePort();
  const proc = runSwitchyard(['-d', '-f', writeConfig(`defaults
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
  await sleep(300);
  assert.ok(Math.abs((await share(port, 20)) - 0.5) <= 0.1, 'equal shares while both are up');
  a.closeAllConnections();
  await new Promise((r) => a.close(r));
  for (let i = 0; i < 50 && !/Server lb\/a is DOWN/.test(proc.stderr()); i++) await sleep(50);
  assert.match(proc.stderr(), /Server lb\/a is DOWN/);
  a = await listen('a', aPort);
  for (let i = 0; i < 50 && !/Server lb\/a is UP/.test(proc.stderr()); i++) await sleep(50);
  assert.match(proc.stderr(), /Server lb\/a is UP/);
  const early = await share(port, 22);
  assert.ok(early <= 0.25, `just after coming up, a got ${Math.round(early * 100)}% (ramp starts near weight 1 of 10)`);
  await sleep(4200);
  const late = await share(port, 20);
  assert.ok(Math.abs(late - 0.5) <= 0.1, `after the ramp, a got ${Math.round(late * 100)}%`);
});
