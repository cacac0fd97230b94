/**
 * iperf3 TCP throughput between two network namespaces over a sock cable (userspace
 * relay, src/lab/links/sock) and over a veth pair (the kernel reference), in one run.
 *
 *   node_modules/node/bin/node bench/lab/sock-iperf.ts [--duration 5] [--rounds 1] [--parallel 1] [--json]
 *
 * Rows: `veth`; `sock` (default: TAP offloads on, 64 KiB super-frames); `sock, offloads
 * off` (every wire frame crosses the relay — what a per-frame impairment costs);
 * `sock, delay 1 ms` (the timed FIFO path with offloads on); `2 sock cables at once` (one
 * relay and pump thread carrying two iperf3 runs, summed). Needs root and iperf3. Creates
 * namespaces `syb-<pid>-*` and a state dir under /tmp, removes them on exit/error/signal.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSockCable, type SockCable, type CreateOptions } from '../../src/lab/links/sock/index.ts';

type Opts = { duration: number; rounds: number; parallel: number; json: boolean };

function parseArgs(argv: string[]): Opts {
  const o: Opts = { duration: 5, rounds: 1, parallel: 1, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[i + 1]);
    if (a === '--json') o.json = true;
    else if (a === '--duration' && v > 0) (o.duration = v), i++;
    else if (a === '--rounds' && v > 0) (o.rounds = v), i++;
    else if (a === '--parallel' && v > 0) (o.parallel = v), i++;
    else {
      process.stderr.write(`usage: sock-iperf.ts [--duration S] [--rounds N] [--parallel P] [--json]\n`);
      process.exit(2);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (process.getuid?.() !== 0) {
  process.stderr.write('sock-iperf: needs root\n');
  process.exit(2);
}
if (spawnSync('sh', ['-c', 'command -v iperf3']).status !== 0) {
  process.stderr.write('sock-iperf: needs iperf3 (apt-get install iperf3)\n');
  process.exit(2);
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
const tag = `syb-${process.pid.toString(36)}`;
const namespaces: string[] = [];
const stateDir = mkdtempSync(join(tmpdir(), 'sy-bench-'));
const cables: SockCable[] = [];

async function cleanup(): Promise<void> {
  for (const c of cables.splice(0)) await c.destroy().catch(() => {});
  for (const ns of namespaces.splice(0)) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  rmSync(stateDir, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => void cleanup().then(() => process.exit(sig === 'SIGINT' ? 130 : 143)));
}

function nsPair(name: string): [string, string] {
  const a = `${tag}-${name}-a`;
  const b = `${tag}-${name}-b`;
  for (const ns of [a, b]) {
    ip('netns', 'add', ns);
    namespaces.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  return [a, b];
}

function address(a: string, b: string, ifA: string, ifB: string, net: number): string {
  ip('-n', a, 'addr', 'add', `10.88.${net}.1/24`, 'dev', ifA);
  ip('-n', b, 'addr', 'add', `10.88.${net}.2/24`, 'dev', ifB);
  return `10.88.${net}.2`;
}

function cpuTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return NaN;
  }
}

function runAsync(argv: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('close', (code) => resolve({ code, out }));
  });
}

async function iperf(a: string, b: string, dst: string): Promise<number> {
  const port = '5201';
  const srv = spawn('ip', ['netns', 'exec', b, 'iperf3', '-s', '-1', '-p', port], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      const r = await runAsync(['ip', 'netns', 'exec', a, 'iperf3', '-c', dst, '-p', port, '-t', String(opts.duration), '-P', String(opts.parallel), '-J'], (opts.duration + 10) * 1000);
      if (r.code === 0) return (JSON.parse(r.out) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
      if (!/refused/.test(r.out)) throw new Error(`iperf3: ${r.out.slice(0, 300)}`);
    }
    throw new Error('iperf3 server never came up');
  } finally {
    srv.kill('SIGKILL');
  }
}

type Row = { link: string; gbps: number[]; relayCpu?: number[] };

async function sockRow(label: string, net: number, extra: Partial<CreateOptions>): Promise<Row> {
  const [a, b] = nsPair(`s${net}`);
  const cable = await createSockCable({ stateDir, lab: tag, name: `c${net}`, a: { netns: a, ifname: 'eth1' }, b: { netns: b, ifname: 'eth1' }, ...extra });
  cables.push(cable);
  const dst = address(a, b, 'eth1', 'eth1', net);
  const row: Row = { link: label, gbps: [], relayCpu: [] };
  const tck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  for (let r = 0; r < opts.rounds; r++) {
    const c0 = cpuTicks(cable.pid);
    const t0 = performance.now();
    row.gbps.push((await iperf(a, b, dst)) / 1e9);
    row.relayCpu!.push((cpuTicks(cable.pid) - c0) / tck / ((performance.now() - t0) / 1000));
  }
  return row;
}

/** Two cables of the same lab (one relay, one pump thread), one iperf3 each, at once. */
async function sockPairRow(net: number): Promise<Row> {
  const ends = [nsPair(`p${net}`), nsPair(`p${net + 1}`)];
  const dsts: string[] = [];
  for (const [i, [a, b]] of ends.entries()) {
    cables.push(await createSockCable({ stateDir, lab: tag, name: `c${net + i}`, a: { netns: a, ifname: 'eth1' }, b: { netns: b, ifname: 'eth1' } }));
    dsts.push(address(a, b, 'eth1', 'eth1', net + i));
  }
  const row: Row = { link: '2 sock cables at once (sum)', gbps: [], relayCpu: [] };
  const tck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const pid = cables[cables.length - 1]!.pid;
  for (let r = 0; r < opts.rounds; r++) {
    const c0 = cpuTicks(pid);
    const t0 = performance.now();
    const bps = await Promise.all(ends.map(([a, b], i) => iperf(a, b, dsts[i]!)));
    row.gbps.push(bps.reduce((x, y) => x + y, 0) / 1e9);
    row.relayCpu!.push((cpuTicks(pid) - c0) / tck / ((performance.now() - t0) / 1000));
  }
  return row;
}

async function vethRow(net: number): Promise<Row> {
  const [a, b] = nsPair('veth');
  ip('link', 'add', `${tag}-v`, 'netns', a, 'type', 'veth', 'peer', 'name', `${tag}-w`, 'netns', b);
  ip('-n', a, 'link', 'set', `${tag}-v`, 'name', 'eth1', 'up');
  ip('-n', b, 'link', 'set', `${tag}-w`, 'name', 'eth1', 'up');
  const dst = address(a, b, 'eth1', 'eth1', net);
  const row: Row = { link: 'veth (kernel)', gbps: [] };
  for (let r = 0; r < opts.rounds; r++) row.gbps.push((await iperf(a, b, dst)) / 1e9);
  return row;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] ?? NaN;

try {
  const rows: Row[] = [];
  rows.push(await vethRow(1));
  rows.push(await sockRow('sock (offloads on)', 2, {}));
  rows.push(await sockRow('sock, offloads off', 3, { offload: 'off' }));
  rows.push(await sockRow('sock, delay 1 ms', 4, { impairment: { delay: 1 } }));
  rows.push(await sockPairRow(5));
  const ref = median(rows[0]!.gbps);
  const lines = [
    `| link | Gbit/s (median of ${opts.rounds}) | vs veth | relay CPU (cores) | goal ≥ 4 Gbit/s |`,
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => {
      const g = median(r.gbps);
      const cpu = r.relayCpu ? median(r.relayCpu).toFixed(2) : '—';
      const goal = r.relayCpu ? (g >= 4 ? 'yes' : 'no') : '—';
      return `| ${r.link} | ${g.toFixed(2)} | ${((g / ref) * 100).toFixed(0)}% | ${cpu} | ${goal} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  process.stdout.write(
    `${new Date().toISOString().slice(0, 10)} · ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}) · Linux ${kernel} · Node ${process.version} · ` +
      `iperf3 -t ${opts.duration} -P ${opts.parallel}, TCP, namespaces a→b\n`,
  );
  if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
} finally {
  await cleanup();
}
