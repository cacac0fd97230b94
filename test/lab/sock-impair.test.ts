/**
 * sock cable impairment, verified by measurement across two namespaces:
 * delay (±2 ms over 100 probes), jitter spread, loss within 4σ over 2,000 frames,
 * rate within ±10% (iperf3), duplicate and corrupt in counters and at the receiver,
 * and a live change of impairment under running traffic.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { makePair, skipReason, ping, has, iperf, IP_B, type Pair } from './sock-fixture.ts';

const skip = skipReason() ?? (has('ping') ? null : 'needs ping (Debian iputils-ping)');
let pair: Pair;
let base = 0;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** |observed − expected| ≤ 4σ of a binomial(n, p) count. */
function within4Sigma(observed: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(observed - n * p) <= 4 * sd, `${what}: ${observed} of ${n}, expected ${n * p} ± ${(4 * sd).toFixed(1)}`);
}

before(async () => {
  if (skip) return;
  pair = await makePair();
  base = median((await ping(pair.nsA, IP_B, 20, 0.01)).rtts);
});
after(async () => {
  await pair?.dispose();
});

/**
 * Puts the relay's threads under SCHED_FIFO (on) or back under SCHED_OTHER (off); why not, or
 * null. On a busy 2-core box a relay thread woken from poll() by a frame or by the delay
 * queue's due time otherwise waits, behind CPU-bound processes, for the next scheduler tick
 * (4 ms here): 10–35 of 100 probes 4–8 ms late whatever the cable does (seen with two
 * busy loops running; the unimpaired path shows the same tail). That is the host's noise,
 * not the cable's, and it is taken out of the measurement rather than tolerated.
 */
function relayRealtime(pid: number, on: boolean): string | null {
  const r = spawnSync('chrt', on ? ['-f', '-a', '-p', '10', String(pid)] : ['-o', '-a', '-p', '0', String(pid)], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? null : r.error?.message ?? (r.stderr.trim() || `chrt exited ${r.status}`);
}

test('delay: 100 probes within ±2 ms of the setting', { skip: skip ?? false, timeout: 20_000 }, async (t) => {
  const notRt = relayRealtime(pair.cable.pid, true);
  if (notRt !== null) t.diagnostic(`relay not real-time (${notRt}): a busy host adds its scheduler's stalls to the probes`);
  try {
    // The unimpaired path's RTT in the same conditions, just before.
    const base = median((await ping(pair.nsA, IP_B, 20, 0.01)).rtts);
    await pair.cable.set('ab', { delay: 20 });
    const r = await ping(pair.nsA, IP_B, 100, 0.01);
    await pair.cable.set('ab', {});
    assert.equal(r.received, 100);
    const added = r.rtts.map((x) => x - base);
    const err = added.map((x) => Math.abs(x - 20));
    const inside = err.filter((e) => e <= 2).length;
    const m = mean(added);
    console.log(`# delay 20 ms: mean added ${m.toFixed(3)} ms, max error ${Math.max(...err).toFixed(3)} ms, ${inside}/100 within ±2 ms (base RTT ${base} ms)`);
    assert.ok(Math.abs(m - 20) <= 2, `mean added delay ${m}`);
    assert.ok(Math.abs(median(added) - 20) <= 2, `median added delay ${median(added)}`);
    // Per probe: the VM's hypervisor can still stall a vCPU now and then (no scheduler
    // priority helps there), so allow a few outliers.
    assert.ok(inside >= 90, `${inside}/100 probes within ±2 ms`);
  } finally {
    if (notRt === null) relayRealtime(pair.cable.pid, false);
  }
});

test('jitter: spread within ±jitter around the delay', { skip: skip ?? false, timeout: 20_000 }, async () => {
  await pair.cable.set('ab', { delay: 20, jitter: 5 });
  const r = await ping(pair.nsA, IP_B, 100, 0.03);
  await pair.cable.set('ab', {});
  const added = r.rtts.map((x) => x - base);
  const sd = Math.sqrt(mean(added.map((x) => (x - mean(added)) ** 2)));
  console.log(`# jitter 20±5 ms: mean ${mean(added).toFixed(2)}, median ${median(added).toFixed(2)}, sd ${sd.toFixed(2)}, min ${Math.min(...added).toFixed(2)}, max ${Math.max(...added).toFixed(2)}`);
  assert.ok(Math.min(...added) >= 15 - 0.5, 'no probe earlier than delay − jitter');
  assert.ok(sd > 1, 'delays actually vary');
  // Sampling error of the median is ~0.4 ms here; scheduler stalls on a loaded box only
  // add delay, so allow a little more on that side.
  assert.ok(median(added) >= 19 && median(added) <= 23, 'centred on the delay');
});

test('loss: 10% over 2,000 frames within statistical bounds', { skip: skip ?? false, timeout: 20_000 }, async () => {
  await pair.cable.set('ab', { loss: 10 });
  const s0 = await pair.cable.stats();
  const r = await ping(pair.nsA, IP_B, 2000, 0.001, ['-q']);
  const s1 = await pair.cable.stats();
  await pair.cable.set('ab', {});
  const frames = s1.ab.rxFrames - s0.ab.rxFrames;
  const dropped = s1.ab.drops.loss - s0.ab.drops.loss;
  console.log(`# loss 10%: ${dropped}/${frames} frames dropped by the cable, ping received ${r.received}/${r.sent}`);
  assert.ok(frames >= 2000);
  within4Sigma(dropped, frames, 0.1, 'cable drops');
  within4Sigma(r.sent - r.received, r.sent, 0.1, 'ping losses');
});

test('rate: 30 Mbit/s on the wire and in iperf3 TCP goodput, within ±10%', { skip: skip || (has('iperf3') ? false : 'needs iperf3'), timeout: 20_000 }, async () => {
  const rate = 30e6;
  await pair.cable.set('ab', { rate });
  const run = iperf(pair.nsA, pair.nsB, IP_B, 4);
  await new Promise((r) => setTimeout(r, 1500));
  const s0 = await pair.cable.stats();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 2000));
  const s1 = await pair.cable.stats();
  const wire = ((s1.ab.txBytes - s0.ab.txBytes) * 8) / ((performance.now() - t0) / 1000);
  const bps = await run;
  const s2 = await pair.cable.stats();
  await pair.cable.set('ab', {});
  // TCP payload share of a full Ethernet frame with timestamps: 1448 / 1514.
  const goodputRef = (rate * 1448) / 1514;
  console.log(
    `# rate 30 Mbit/s: wire ${(wire / 1e6).toFixed(2)} Mbit/s (steady 2 s window), iperf3 goodput ${(bps / 1e6).toFixed(2)} Mbit/s ` +
      `(payload ceiling ${(goodputRef / 1e6).toFixed(2)}), tail drops ${s2.ab.drops.queue - s0.ab.drops.queue}`,
  );
  assert.ok(Math.abs(wire - rate) <= 0.1 * rate, `wire rate ${wire}`);
  assert.ok(Math.abs(bps - goodputRef) <= 0.1 * goodputRef, `goodput ${bps}`);
});

test('duplicate and corrupt: counted, seen by the receiver', { skip: skip ?? false, timeout: 20_000 }, async () => {
  await pair.cable.set('ab', { duplicate: 50 });
  let s0 = await pair.cable.stats();
  const d = await ping(pair.nsA, IP_B, 200, 0.005);
  let s1 = await pair.cable.stats();
  const dup = s1.ab.duplicated - s0.ab.duplicated;
  console.log(`# duplicate 50%: ${dup} duplicated by the cable, ping saw +${d.duplicates} duplicates`);
  within4Sigma(dup, s1.ab.rxFrames - s0.ab.rxFrames, 0.5, 'duplicated');
  assert.equal(d.received, 200);
  assert.ok(Math.abs(d.duplicates - dup) <= 3, 'every duplicated request answered twice');

  await pair.cable.set('ab', { corrupt: 50 });
  s0 = await pair.cable.stats();
  const c = await ping(pair.nsA, IP_B, 200, 0.005);
  s1 = await pair.cable.stats();
  await pair.cable.set('ab', {});
  const cor = s1.ab.corrupted - s0.ab.corrupted;
  console.log(`# corrupt 50%: ${cor} corrupted by the cable, ping lost ${c.sent - c.received}`);
  within4Sigma(cor, s1.ab.rxFrames - s0.ab.rxFrames, 0.5, 'corrupted');
  assert.ok(Math.abs(c.sent - c.received - cor) <= 3, 'corrupted requests are rejected by the receiver (checksums)');
});

test('live change: delay applies to running traffic and is removed live', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const running = ping(pair.nsA, IP_B, 60, 0.05);
  await new Promise((r) => setTimeout(r, 1000));
  await pair.cable.set('both', { delay: 15 });
  await new Promise((r) => setTimeout(r, 1000));
  await pair.cable.set('both', {});
  const r = await running;
  const slow = r.rtts.filter((x) => x >= 29).length;
  const fast = r.rtts.filter((x) => x < 5).length;
  console.log(`# live: ${slow} probes at ≥ 29 ms (30 ms RTT set for 1 s), ${fast} fast`);
  assert.ok(slow >= 10 && slow <= 25, `${slow} slow probes`);
  assert.ok(fast >= 30, `${fast} fast probes`);
  assert.deepEqual((await pair.cable.stats()).ab.impairment, {});
});

test('offload auto: per-frame impairments see wire-sized frames, plain cable 64 KiB super-frames', { skip: skip || (has('iperf3') ? false : 'needs iperf3'), timeout: 20_000 }, async () => {
  const avgFrame = async (): Promise<number> => {
    const s0 = await pair.cable.stats();
    await iperf(pair.nsA, pair.nsB, IP_B, 1);
    const s1 = await pair.cable.stats();
    return (s1.ab.rxBytes - s0.ab.rxBytes) / (s1.ab.rxFrames - s0.ab.rxFrames);
  };
  const fast = await avgFrame();
  await pair.cable.set('ab', { loss: 0.001 });
  const wire = await avgFrame();
  await pair.cable.set('ab', {});
  console.log(`# average a→b frame: ${fast.toFixed(0)} B with offloads, ${wire.toFixed(0)} B under a per-frame impairment`);
  assert.ok(fast > 4000, 'TSO super-frames cross the plain cable');
  assert.ok(wire <= 1514, 'no frame above the MTU while loss is set');
});
