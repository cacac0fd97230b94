/**
 * iperf3 TCP throughput between two hosts on one lan, per lan kind, in one run: `bridge`
 * (Linux bridge, the kernel reference) and `sock-switch` (the relay's userspace learning
 * switch: TAP → switch pump → TAP, offloads on). Built with the lab itself (labUp/labDown
 * in a private state dir, lab names `sybsw<pid><kind>`), so it also exercises up/down.
 *
 *   node_modules/node/bin/node bench/lab/switch-iperf.ts [--duration 3] [--json]
 *
 * Needs root and iperf3. Every lab it made is removed on exit, error or signal.
 *
 * 2026-11-22, this machine (2 vCPUs, load 2–3 from other sessions), two runs:
 *   bridge 10.95 / 13.80 Gbit/s; sock-switch 10.41 / 9.24 Gbit/s (0 retransmits).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const args = process.argv.slice(2);
const json = args.includes('--json');
const di = args.indexOf('--duration');
const duration = di >= 0 ? Number(args[di + 1]) : 3;
if (process.getuid?.() !== 0 || spawnSync('iperf3', ['-v']).status !== 0) {
  process.stderr.write('switch-iperf: needs root and iperf3\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'sybsw-'));
process.env.SWITCHYARD_LAB_DIR = join(dir, 'state');
const { labUp } = await import('../../src/lab/ops/up.ts');
const { labClean } = await import('../../src/lab/ops/down.ts');
const { lanKinds } = await import('../../src/lab/links/registry.ts');

const cleanup = async (): Promise<void> => {
  await labClean(undefined).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
};
for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => void cleanup().then(() => process.exit(130)));

const rows: { kind: string; gbits: number; retransmits: number }[] = [];
try {
  for (const kind of lanKinds().map((k) => k.name)) {
    const lab = `sybsw${process.pid.toString(36)}${kind.replace(/[^a-z]/g, '').slice(0, 6)}`;
    const file = join(dir, `${lab}.yaml`);
    writeFileSync(file, stringify({
      name: lab,
      nodes: { h1: { interfaces: { eth1: { ipv4: '10.99.0.1/24' } } }, h2: { interfaces: { eth1: { ipv4: '10.99.0.2/24' } } } },
      lans: { lan0: { kind, members: ['h1:eth1', 'h2:eth1'] } },
    }));
    await labUp(file);
    const ns = (n: string): string => `sy-${lab}-${n}`;
    const server = spawnSync('ip', ['netns', 'exec', ns('h2'), 'iperf3', '-s', '-D', '-1'], { timeout: 5000 });
    if (server.status !== 0) throw new Error(`iperf3 -s: ${server.stderr}`);
    await new Promise((r) => setTimeout(r, 300));
    const c = spawnSync('ip', ['netns', 'exec', ns('h1'), 'iperf3', '-c', '10.99.0.2', '-t', String(duration), '-J'], { encoding: 'utf8', timeout: (duration + 10) * 1000 });
    const j = JSON.parse(c.stdout) as { end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits?: number } } };
    rows.push({ kind, gbits: j.end.sum_received.bits_per_second / 1e9, retransmits: j.end.sum_sent.retransmits ?? 0 });
    await labClean(lab);
  }
} finally {
  await cleanup();
}
if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
else for (const r of rows) process.stdout.write(`${r.kind.padEnd(12)} ${r.gbits.toFixed(2).padStart(6)} Gbit/s  (${r.retransmits} retransmits, ${duration} s, 1 stream)\n`);
