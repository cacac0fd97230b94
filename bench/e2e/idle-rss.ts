/**
 * Memory cost of idle keep-alive client connections, Switchyard vs HAProxy.
 *
 * Contract: starts nginx, then each proxy in turn on the same `mode http` cfg, opens N
 * client connections (default 9,000, see below) in batches, sends one request on each and reads the answer,
 * then leaves them all open and idle, waits `--settle` seconds (default 6: past both
 * proxies' default pool-purge-delay of 5 s, so idle server connections have been
 * purged — the steady state of idle clients) and reads the proxy's VmRSS from /proc. Prints a
 * Markdown table (RSS at start, RSS with N idle connections, KiB per connection).
 * Traffic only to 127.0.0.1; every process it starts is stopped by PID.
 *
 *   node bench/e2e/idle-rss.ts [--connections N] [--settle SECONDS]
 */
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nginxConf } from './configs.ts';
import { freePort, killAllSync, start, stopAll, waitReady } from './procs.ts';

const argN = process.argv.indexOf('--connections');
// Default 9,000: each idle session holds two descriptors in the proxy (client + server
// connection) and this machine's hard open-files limit is 20,000 (it cannot be raised).
const N = argN > 0 ? Number(process.argv[argN + 1]) : 9_000;
if (!Number.isInteger(N) || N <= 0) {
  process.stderr.write('idle-rss: --connections expects a positive integer\n');
  process.exit(2);
}
const argS = process.argv.indexOf('--settle');
const SETTLE_S = argS > 0 ? Number(process.argv[argS + 1]) : 6;
if (!Number.isFinite(SETTLE_S) || SETTLE_S < 0) {
  process.stderr.write('idle-rss: --settle expects a number of seconds\n');
  process.exit(2);
}
const ROOT = new URL('../..', import.meta.url).pathname;

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function cfg(port: number, backend: number): string {
  return `global\n  maxconn ${N + 100}\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 300s\n  timeout server 300s\n  timeout http-keep-alive 300s\n  timeout http-request 300s\nfrontend fe\n  bind 127.0.0.1:${port}\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${backend}\n`;
}

/** Opens one connection, does one request, resolves with the open socket. */
function oneIdle(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('error', reject);
    s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: bench\r\n\r\n'));
    s.on('data', (d: string) => { got += d; if (got.endsWith('hello\n')) { s.removeAllListeners('data'); resolve(s); } });
  });
}

async function measure(name: string, argv: string[], port: number, dir: string): Promise<string> {
  const proc = start(name, argv, join(dir, `${name}.log`));
  const err = await waitReady(proc, port, 15_000);
  if (err) return `| ${name} | failed to start: ${err} | | |`;
  await sleep(300);
  const before = rssKiB(proc.pid);
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < N; i += 200) {
      const batch = await Promise.all(Array.from({ length: Math.min(200, N - i) }, () => oneIdle(port)));
      sockets.push(...batch);
    }
    await sleep(SETTLE_S * 1000);
    const after = rssKiB(proc.pid);
    return `| ${name} | ${(before / 1024).toFixed(1)} MiB | ${(after / 1024).toFixed(1)} MiB | ${((after - before) / N).toFixed(1)} KiB |`;
  } catch (e) {
    return `| ${name} | failed after ${sockets.length} connections: ${(e as Error).message} | | |`;
  } finally {
    for (const s of sockets) s.destroy();
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-idle-rss-'));
  try {
    const nginxPort = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, nginxPort, N + 100));
    const nginx = start('nginx', ['nginx', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], join(dir, 'nginx.log'));
    const nerr = await waitReady(nginx, nginxPort, 10_000);
    if (nerr) throw new Error(`nginx: ${nerr}: ${readFileSync(join(dir, 'nginx.log'), 'utf8').slice(-500)} ${readFileSync(join(dir, 'error.log'), 'utf8').slice(-500)}`);
    const rows: string[] = [];
    for (const [name, bin] of [['haproxy', '/usr/sbin/haproxy'], ['switchyard', join(ROOT, 'bin', 'switchyard')]] as const) {
      const port = await freePort();
      const file = join(dir, `${name}.cfg`);
      writeFileSync(file, cfg(port, nginxPort));
      rows.push(await measure(name, [bin, '-db', '-f', file], port, dir));
      await stopAll();
      const again = start('nginx', ['nginx', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], join(dir, 'nginx.log'));
      await waitReady(again, nginxPort, 10_000);
    }
    process.stdout.write(`\n${N} idle keep-alive client connections (one request each), mode http, RSS of the proxy process ${SETTLE_S} s after the last one:\n\n| proxy | RSS at start | RSS with ${N} idle | per connection |\n| --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`);
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.on('SIGINT', () => { killAllSync(); process.exit(130); });
main().catch((e: Error) => { killAllSync(); process.stderr.write(`idle-rss: ${e.message}\n`); process.exit(1); });
