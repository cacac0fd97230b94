/**
 * Records which server HAProxy itself picks, request after request, for a set of
 * balancing scenarios, into haproxy-orders.json; haproxy-orders.test.ts replays the same
 * requests through our algorithms and expects the same servers. Run it by hand when a
 * scenario is added (needs /usr/sbin/haproxy or $HAPROXY_BIN; ~10 s):
 *   node src/lb/algo/record-haproxy-orders.ts
 *
 * Each scenario is one `listen` section in mode http in front of a pool of tiny HTTP
 * servers on 127.0.0.1 that answer their name (s1, s2, …). Requests are sent one at a
 * time, each on its own connection, so every pick sees all servers idle.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS, type RecordedRequest, type Scenario } from './haproxy-scenarios.ts';

const HAPROXY = process.env['HAPROXY_BIN'] ?? '/usr/sbin/haproxy';
const OUT = new URL('./haproxy-orders.json', import.meta.url);

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

/** Distinct free ports: all held open together, then released for HAProxy to bind. */
async function freePorts(n: number): Promise<number[]> {
  const held = Array.from({ length: n }, () => http.createServer());
  const ports = await Promise.all(held.map(listen));
  await Promise.all(held.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

function get(port: number, r: RecordedRequest): Promise<string> {
  return new Promise((ok, fail) => {
    const req = http.request({
      host: '127.0.0.1', port, path: r.target ?? '/', agent: false,
      headers: { connection: 'close', ...(r.headers ?? {}) },
      ...(r.src ? { localAddress: r.src } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => ok(body.trim()));
    });
    req.on('error', fail);
    req.end();
  });
}

/** One runtime API command; its answer must be empty (success). Recorded as "cli". */
function command(cmd: string): Promise<string> {
  return new Promise((ok, fail) => {
    const c = net.connect(sock);
    let out = '';
    c.on('data', (d) => { out += d.toString(); });
    c.on('end', () => (out.trim() === '' ? ok('cli') : fail(new Error(`${cmd}: ${out.trim()}`))));
    c.on('error', fail);
    c.end(`${cmd}\n`);
  });
}

const poolSize = Math.max(...SCENARIOS.map((s) => s.weights.length));
/** Requests held open by the pool (`hold` steps), by label, until their `release` step. */
const held = new Map<string, { res: http.ServerResponse; name: string }>();
const arrivals = new Map<string, (name: string) => void>();
const pool = Array.from({ length: poolSize }, (_, i) => http.createServer((req, res) => {
  res.setHeader('connection', 'close');
  const label = req.headers['x-hold'];
  if (typeof label === 'string') {
    held.set(label, { res, name: `s${i + 1}` });
    arrivals.get(label)?.(`s${i + 1}`);
    return;
  }
  res.end(`s${i + 1}\n`);
}));

/** Sends a request that the server keeps open; resolves with the server it reached. */
function hold(port: number, r: RecordedRequest, pending: Map<string, Promise<string>>): Promise<string> {
  const label = r.hold!;
  const reached = new Promise<string>((ok) => arrivals.set(label, ok));
  pending.set(label, get(port, { ...r, headers: { ...(r.headers ?? {}), 'x-hold': label } }));
  return reached;
}

/** Answers a held request and waits until HAProxy has passed the answer on (slot freed). */
async function release(label: string, pending: Map<string, Promise<string>>): Promise<string> {
  const h = held.get(label)!;
  h.res.end(`${h.name}\n`);
  await pending.get(label);
  await new Promise((ok) => setTimeout(ok, 20));
  return 'release';
}
const poolPorts = await Promise.all(pool.map(listen));

const fePorts = await freePorts(SCENARIOS.length);
const dir = mkdtempSync(join(tmpdir(), 'sy-haproxy-orders-'));
const sock = join(dir, 'admin.sock');
const lines = ['global', '  maxconn 1000', `  stats socket ${sock} level admin`, 'defaults', '  mode http', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s'];
for (const [k, sc] of SCENARIOS.entries()) {
  lines.push(`listen l${k}`, `  bind 127.0.0.1:${fePorts[k]}`, ...sc.cfg.map((l) => `  ${l}`));
  sc.weights.forEach((w, i) => lines.push(`  server s${i + 1} 127.0.0.1:${poolPorts[i]} weight ${w}${sc.server ? ` ${sc.server}` : ''}`));
}
const cfgFile = join(dir, 'h.cfg');
writeFileSync(cfgFile, lines.join('\n') + '\n');
const check = spawnSync(HAPROXY, ['-c', '-f', cfgFile], { encoding: 'utf8' });
if (check.status !== 0) {
  console.error(check.stderr);
  process.exit(1);
}
const version = spawnSync(HAPROXY, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0];
const proc = spawn(HAPROXY, ['-db', '-f', cfgFile], { stdio: ['ignore', 'ignore', 'inherit'] });
await new Promise((ok) => setTimeout(ok, 500));

const recorded: (Scenario & { expect: string[] })[] = [];
try {
  for (const [k, sc] of SCENARIOS.entries()) {
    const expect: string[] = [];
    const pending = new Map<string, Promise<string>>();
    for (const r of sc.requests) {
      if (r.cli) expect.push(await command(r.cli.replaceAll('$s', `l${k}`)));
      else if (r.hold) expect.push(await hold(fePorts[k]!, r, pending));
      else if (r.release) expect.push(await release(r.release, pending));
      else expect.push(await get(fePorts[k]!, r));
    }
    recorded.push({ ...sc, expect });
    console.log(`${sc.name}: ${expect.slice(0, 12).join(' ')}${expect.length > 12 ? ' …' : ''}`);
  }
} finally {
  proc.kill('SIGTERM');
  for (const s of pool) s.close();
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(OUT, JSON.stringify({ haproxy: version, scenarios: recorded }, null, 1) + '\n');
console.log(`wrote ${OUT.pathname}`);
