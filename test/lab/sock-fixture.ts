/**
 * Fixture for the sock cable suites (test/lab/sock-*.test.ts): two fresh network
 * namespaces with unique names joined by a sock cable, addressed 10.77.0.1/24 (a) and
 * 10.77.0.2/24 (b), warmed up (ARP resolved). `dispose()` destroys the cable, deletes the
 * namespaces and the state dir — call it in `after`, it never throws.
 * Every external command runs with a timeout.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSockCable, type SockCable, type Impairment } from '../../src/lab/links/sock/index.ts';

export const IP_A = '10.77.0.1';
export const IP_B = '10.77.0.2';

/** Why the sock suites cannot run here, or null. */
export function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, TAP devices)';
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  return null;
}

export function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

let seq = 0;
export function uniqueTag(): string {
  return `${process.pid.toString(36)}${(seq++).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
}

/** Run a command inside a namespace; resolves with its output whatever the exit status. */
export function nsRun(ns: string, argv: string[], timeoutMs = 15_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

export type PingResult = { sent: number; received: number; duplicates: number; rtts: number[] };

export async function ping(ns: string, dst: string, count: number, interval: number, extra: string[] = []): Promise<PingResult> {
  const r = await nsRun(ns, ['ping', '-n', '-c', String(count), '-i', String(interval), '-W', '1', ...extra, dst], 18_000);
  const m = /(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?/.exec(r.out);
  return {
    sent: Number(m?.[1] ?? 0),
    received: Number(m?.[2] ?? 0),
    duplicates: Number(m?.[3] ?? 0),
    rtts: [...r.out.matchAll(/time=([\d.]+) ms/g)].map((x) => Number(x[1])),
  };
}

export type Pair = {
  nsA: string;
  nsB: string;
  stateDir: string;
  lab: string;
  cable: SockCable;
  dispose(): Promise<void>;
};

export type Namespaces = { nsA: string; nsB: string; stateDir: string; lab: string; dispose(): Promise<void> };

/** Two fresh namespaces (lo up) and an empty lab state dir; dispose deletes them all. */
export function makeNamespaces(): Namespaces {
  const tag = uniqueTag();
  const nsA = `syt-${tag}-a`;
  const nsB = `syt-${tag}-b`;
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-sock-'));
  const made: string[] = [];
  const dispose = async (): Promise<void> => {
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    for (const ns of [nsA, nsB]) {
      ip('netns', 'add', ns);
      made.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    void dispose();
    throw e;
  }
  return { nsA, nsB, stateDir, lab: `t${tag}`, dispose };
}

/** Address both eth1 ends and resolve ARP both ways so measurements see only the cable. */
export async function addressAndWarm(nsA: string, nsB: string, ifname = 'eth1'): Promise<void> {
  ip('-n', nsA, 'addr', 'add', `${IP_A}/24`, 'dev', ifname);
  ip('-n', nsB, 'addr', 'add', `${IP_B}/24`, 'dev', ifname);
  await ping(nsA, IP_B, 3, 0.05);
  await ping(nsB, IP_A, 1, 0.05);
}

export async function makePair(opts: { impairment?: Impairment; offload?: 'auto' | 'on' | 'off' } = {}): Promise<Pair> {
  const ns = makeNamespaces();
  const { nsA, nsB, stateDir, lab } = ns;
  let cable: SockCable | null = null;
  const dispose = async (): Promise<void> => {
    try {
      await cable?.destroy();
    } catch {
      /* best effort */
    }
    await ns.dispose();
  };
  try {
    cable = await createSockCable({
      stateDir,
      lab,
      name: 'c1',
      a: { netns: nsA, ifname: 'eth1', mac: '02:77:00:00:00:01' },
      b: { netns: nsB, ifname: 'eth1', mac: '02:77:00:00:00:02' },
      ...(opts.impairment ? { impairment: opts.impairment } : {}),
      ...(opts.offload ? { offload: opts.offload } : {}),
    });
    await addressAndWarm(nsA, nsB);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { nsA, nsB, stateDir, lab, cable, dispose };
}

/** iperf3 TCP from a to b for `seconds`; returns receiver bits/s (or throws with output). */
export async function iperf(nsA: string, nsB: string, dst: string, seconds: number, extra: string[] = []): Promise<number> {
  const port = String(5300 + Math.floor(Math.random() * 600));
  const server = spawn('ip', ['netns', 'exec', nsB, 'iperf3', '-s', '-1', '-p', port], { stdio: 'ignore', timeout: (seconds + 10) * 1000, killSignal: 'SIGKILL' });
  try {
    let last = '';
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await nsRun(nsA, ['iperf3', '-c', dst, '-p', port, '-t', String(seconds), '-J', ...extra], (seconds + 8) * 1000);
      last = r.out + r.err;
      if (r.code === 0) {
        const j = JSON.parse(r.out) as { end: { sum_received: { bits_per_second: number } } };
        return j.end.sum_received.bits_per_second;
      }
      if (!/refused/.test(last)) break;
    }
    throw new Error(`iperf3 failed: ${last.slice(0, 400)}`);
  } finally {
    server.kill('SIGKILL');
  }
}
