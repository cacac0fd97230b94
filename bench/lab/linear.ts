/**
 * Bench: bring up and tear down Mininet's `linear,100` shape (100 hosts, each on its own
 * switch, switches in a chain) — Switchyard's `examples/lab/linear-100.yaml` through the
 * real CLI (`lab up` + `lab down`, wall time of the processes) side by side with Mininet
 * (`mn --switch lxbr --controller none --topo linear,100 --test none`, which builds and
 * tears down the same network), alternating rounds A B A B … and reporting medians.
 * Before timing, one Switchyard round checks reachability end to end across the chain
 * (h1 → h100 through 100 bridges), untimed.
 *
 * Fairness: the kernel destroys deleted namespaces asynchronously, and the next namespace
 * creation waits for it (~1.4 s for 100 here). So after each tool's teardown the bench
 * times a probe (`ip netns add` + `del` of one namespace) and charges that "settle" time
 * to the tool that just tore down — otherwise it would land on whoever runs next.
 *
 *   node bench/lab/linear.ts [--rounds 3] [--hosts 100] [--no-mininet] [--json]
 *
 * Needs root and iproute2; Mininet is optional (Debian: mininet bridge-utils) — without
 * it only Switchyard is measured and the ratio column says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'switchyard');
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, hosts: { type: 'string', default: '100' }, 'no-mininet': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const rounds = Number(values.rounds);
const hosts = Number(values.hosts);

if (process.getuid?.() !== 0) {
  process.stderr.write('bench/lab/linear.ts: needs root (network namespaces)\n');
  process.exit(2);
}
const haveMn = !values['no-mininet'] && spawnSync('sh', ['-c', 'command -v mn && command -v brctl']).status === 0;

const stateDir = mkdtempSync(join(tmpdir(), 'sy-bench-lab-'));
const env = { ...process.env, SWITCHYARD_LAB_DIR: stateDir };
const lab = 'bench-linear';
const topoFile = join(stateDir, 'linear.yaml');
const example = readFileSync(join(ROOT, 'examples', 'lab', 'linear-100.yaml'), 'utf8');
if (hosts === 100) writeFileSync(topoFile, example.replace(/^name: .*$/m, `name: ${lab}`));
else {
  const lines = [`name: ${lab}`, 'nodes:'];
  for (let i = 1; i <= hosts; i++) lines.push(`  h${i}: { interfaces: { eth0: { ipv4: 10.${i >> 8}.${i & 255}.1/8 } } }`);
  lines.push('lans:');
  for (let i = 1; i <= hosts; i++) lines.push(`  s${i}: { members: ["h${i}:eth0"] }`);
  lines.push('links:');
  for (let i = 1; i < hosts; i++) lines.push(`  - endpoints: [s${i}, s${i + 1}]`);
  writeFileSync(topoFile, lines.join('\n') + '\n');
}

function timed(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 600_000 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`.slice(0, 2000));
  return ms;
}

/** Time until the kernel has finished destroying namespaces (see above). */
function settle(): number {
  return timed('sh', ['-c', 'ip netns add sy-bench-probe && ip netns del sy-bench-probe']);
}

type Round = { up: number; down: number; total: number };
const ours: Round[] = [];
const mn: number[] = [];

// untimed check: reachability across the whole chain
timed(BIN, ['lab', 'up', '-q', topoFile]);
const ping = spawnSync('ip', ['netns', 'exec', `sy-${lab}-h1`, 'ping', '-c1', '-W3', hosts === 100 ? '10.0.0.100' : `10.${hosts >> 8}.${hosts & 255}.1`], { encoding: 'utf8' });
const reachable = ping.status === 0;
timed(BIN, ['lab', 'down', lab]);
settle();

for (let i = 0; i < rounds; i++) {
  const up = timed(BIN, ['lab', 'up', '-q', topoFile]);
  const down = timed(BIN, ['lab', 'down', lab]) + settle();
  ours.push({ up, down, total: up + down });
  if (haveMn) mn.push(timed('mn', ['--switch', 'lxbr', '--controller', 'none', '--topo', `linear,${hosts}`, '--test', 'none']) + settle());
}
rmSync(stateDir, { recursive: true, force: true });

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const oursTotal = median(ours.map((r) => r.total));
const mnTotal = haveMn ? median(mn) : NaN;
const result = {
  date: new Date().toISOString(),
  hosts,
  rounds,
  reachableEndToEnd: reachable,
  switchyard: { upMs: median(ours.map((r) => r.up)), downMs: median(ours.map((r) => r.down)), totalMs: oursTotal, totals: ours.map((r) => Math.round(r.total)) },
  mininet: haveMn ? { totalMs: mnTotal, totals: mn.map(Math.round) } : null,
  ratio: haveMn ? oursTotal / mnTotal : null,
};
process.stdout.write(
  `linear,${hosts}: ${hosts} hosts, ${hosts} switches, ${2 * hosts - 1} links · ${rounds} alternating rounds · medians\n\n` +
    `| tool | up | down (+ kernel settle) | up + down | vs Mininet |\n| --- | ---: | ---: | ---: | ---: |\n` +
    `| switchyard lab (CLI, bridges) | ${s(result.switchyard.upMs)} | ${s(result.switchyard.downMs)} | ${s(oursTotal)} | ${haveMn ? `${(oursTotal / mnTotal).toFixed(2)}×` : 'mininet not installed'} |\n` +
    (haveMn ? `| mininet (--switch lxbr --controller none) | | | ${s(mnTotal)} | 1.00× |\n` : '') +
    `\nreachability h1 → h${hosts} across the chain: ${reachable ? 'yes' : 'NO'}\n` +
    `${result.date} · nproc ${cpus().length} · load ${loadavg()[0]?.toFixed(2)} at end · node ${process.version}\n`,
);
if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
process.exitCode = reachable ? 0 : 1;
