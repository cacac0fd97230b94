/**
 * sock cable internals that need no root: the impairment engine's arithmetic (rate
 * serializer, tail drop, delay ordering, jitter bounds), validation by error code, the
 * time-ordered FIFO, and the pcap writer/reader round trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirEngine, normalizeImpairment, isPerFrame, corruptFrame } from '../../src/lab/links/sock/impair.ts';
import { FrameFifo } from '../../src/lab/links/sock/fifo.ts';
import { PcapWriter, readPcap } from '../../src/lab/links/sock/pcap.ts';
import { relayPaths, checkName, tempTapName } from '../../src/lab/links/sock/state.ts';
import { parseImpairment } from '../../src/lab/links/sock/units.ts';

test('normalizeImpairment drops zeros and rejects bad values by code', () => {
  assert.deepEqual(normalizeImpairment({ delay: 10, loss: 0, rate: 1e6 }), { delay: 10, rate: 1e6 });
  assert.deepEqual(normalizeImpairment(undefined), {});
  for (const bad of [{ loss: 101 }, { delay: -1 }, { jitter: Number.NaN }, { rate: '5' }, { delai: 3 }]) {
    assert.throws(() => normalizeImpairment(bad as never), { code: 'SY_ERR_SOCK_IMPAIRMENT' }, JSON.stringify(bad));
  }
  assert.equal(isPerFrame({ delay: 5, jitter: 1 }), false);
  assert.equal(isPerFrame({ loss: 0.1 }), true);
  assert.equal(isPerFrame({ rate: 1e6 }), true);
});

test('rate: frames leave at exactly bits/rate apart; the queue bound tail-drops', () => {
  const e = new DirEngine(() => 0.5);
  e.set({ rate: 8e6, queue: 3000 }); // 1 byte per µs
  assert.equal(e.schedule(0, 1000), 1); // 1000 B = 1 ms
  assert.equal(e.schedule(0, 1000), 2);
  assert.equal(e.schedule(0, 1000), 3); // backlog 2000 + 1000 = 3000 ≤ 3000
  assert.equal(e.schedule(0, 1000), -1, 'tail drop beyond 3000 bytes of backlog');
  assert.equal(e.schedule(2.5, 1000), 4, 'after draining, accepted behind the backlog');
  assert.equal(e.schedule(10, 500), 10.5, 'idle link: serialization time only');
});

test('delay + jitter: within ±jitter, never reordered, never negative', () => {
  let x = 0;
  const rand = (): number => (x = (x * 9301 + 49297) % 233280) / 233280;
  const e = new DirEngine(rand);
  e.set({ delay: 10, jitter: 4 });
  let last = -Infinity;
  for (let i = 0; i < 1000; i++) {
    const now = i * 0.5;
    const due = e.schedule(now, 100);
    assert.ok(due >= last, 'monotone');
    assert.ok(due - now >= 6 - 1e-9, 'not earlier than delay − jitter');
    last = due;
  }
  e.set({ delay: 1, jitter: 5 });
  for (let i = 0; i < 100; i++) assert.ok(e.schedule(1000 + i, 100) >= 1000 + i);
});

test('verdict: loss, duplicate and corrupt follow their percentages', () => {
  const e = new DirEngine();
  e.set({ loss: 25, duplicate: 10, corrupt: 5 });
  const n = 40_000;
  let lost = 0;
  let dup = 0;
  let cor = 0;
  for (let i = 0; i < n; i++) {
    const v = e.verdict();
    if (v.copies === 0) lost++;
    if (v.copies === 2) dup++;
    if (v.corrupt) cor++;
  }
  assert.ok(Math.abs(lost / n - 0.25) < 0.015, `loss ${lost / n}`);
  assert.ok(Math.abs(dup / (n - lost) - 0.1) < 0.01, `dup ${dup / (n - lost)}`);
  assert.ok(Math.abs(cor / (n - lost) - 0.05) < 0.01, `corrupt ${cor / (n - lost)}`);
  e.set({});
  assert.equal(e.passthrough, true);
  assert.equal(e.timed, false);
});

test('corruptFrame flips exactly one bit after the Ethernet header', () => {
  for (let k = 0; k < 50; k++) {
    const f = new Uint8Array(64).fill(0);
    corruptFrame(f, 0, 64);
    const set = [...f].map((b, i) => [b, i] as const).filter(([b]) => b !== 0);
    assert.equal(set.length, 1);
    const [b, i] = set[0]!;
    assert.ok(i >= 14);
    assert.equal(b & (b - 1), 0, 'a single bit');
  }
});

test('FrameFifo releases in push order and survives compaction', () => {
  const q = new FrameFifo();
  assert.equal(q.nextDue(), Infinity);
  for (let i = 0; i < 10_000; i++) q.push(i, Buffer.from([i & 255]));
  for (let i = 0; i < 9_000; i++) assert.equal(q.shift()[0], i & 255);
  assert.equal(q.length, 1000);
  assert.equal(q.nextDue(), 9000);
  assert.equal(q.clear(), 1000);
  assert.equal(q.length, 0);
});

test('pcap: header, records and timestamps round-trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-pcap-'));
  try {
    const file = join(dir, 'x.pcap');
    const w = new PcapWriter(file);
    const frame = Buffer.alloc(74, 0xab);
    w.write(frame, 10, 74, 1_700_000_000_123.456);
    w.write(Buffer.alloc(70_000, 1), 0, 70_000, 1_700_000_001_000);
    w.close();
    const data = readFileSync(file);
    assert.equal(data.readUInt32LE(16), 262144, 'snaplen');
    assert.equal(data.readUInt32LE(24), 1_700_000_000);
    assert.equal(data.readUInt32LE(28), 123456);
    const { linktype, frames } = readPcap(data);
    assert.equal(linktype, 1);
    assert.deepEqual(frames.map((f) => f.length), [64, 70_000]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('state: names, path limits and transient TAP names', () => {
  assert.throws(() => checkName('cable', 'bad/name'), { code: 'SY_ERR_SOCK_NAME' });
  assert.throws(() => relayPaths(`/tmp/${'d'.repeat(100)}`), { code: 'SY_ERR_SOCK_PATH' });
  assert.equal(relayPaths('/run/sy/lab').ctl, '/run/sy/lab/sock/relay.ctl');
  assert.ok(tempTapName(4_194_304, 1_679_615, 'b').length <= 15);
});

test('parseImpairment reads tc-style units', () => {
  assert.deepEqual(parseImpairment({ delay: '20ms', jitter: '500us', loss: '1%', duplicate: 0.5, rate: '100mbit', queue: '64kb' }), {
    delay: 20,
    jitter: 0.5,
    loss: 1,
    duplicate: 0.5,
    rate: 100e6,
    queue: 65536,
  });
  assert.deepEqual(parseImpairment({ delay: '1.5s', rate: '2mbps', corrupt: '0%' }), { delay: 1500, rate: 16e6 });
  assert.deepEqual(parseImpairment({ delay: 3, rate: 1e9 }), { delay: 3, rate: 1e9 });
  for (const bad of [{ delay: '20 parsecs' }, { rate: 'fast' }, { loss: '120%' }, { bogus: '1' }]) {
    assert.throws(() => parseImpairment(bad), { code: 'SY_ERR_SOCK_IMPAIRMENT' }, JSON.stringify(bad));
  }
});
