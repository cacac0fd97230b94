/**
 * `balance roundrobin` specifics beyond the shared conformance suite: HAProxy 2.6's
 * order (pinned here for the common weight sets; replayed over several windows against
 * the real haproxy in haproxy-orders.test.ts), dynamic weights, servers coming and going,
 * full servers, and large farms.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundrobin } from './roundrobin.ts';
import { farm, NO_REQ, pickNames, tally } from './test-farm.ts';
import { defaultBalance } from './config.ts';

const CFG = defaultBalance();
const picks = (st: ReturnType<typeof roundrobin.init>, n: number): string[] => pickNames(roundrobin, st, n);

test('roundrobin declares dynamic weights', () => {
  assert.equal(roundrobin.name, 'roundrobin');
  assert.equal(roundrobin.dynamicWeights, true);
  assert.equal(roundrobin.deterministic, false);
});

test("HAProxy 2.6's exact order for 2,1 / 3,2,1 / 5,1,1 / 7,3,1,1", () => {
  assert.deepEqual(picks(roundrobin.init(farm([2, 1]), CFG), 6), ['s1', 's1', 's2', 's1', 's1', 's2']);
  assert.deepEqual(picks(roundrobin.init(farm([3, 2, 1]), CFG), 12), ['s1', 's2', 's1', 's3', 's1', 's2', 's1', 's2', 's1', 's3', 's1', 's2']);
  assert.deepEqual(picks(roundrobin.init(farm([5, 1, 1]), CFG), 7), ['s1', 's1', 's1', 's2', 's1', 's1', 's3']);
  assert.deepEqual(picks(roundrobin.init(farm([7, 3, 1, 1]), CFG), 12), ['s1', 's1', 's2', 's1', 's3', 's1', 's2', 's1', 's1', 's4', 's1', 's2']);
});

test('a window of 16 × total weight picks gives each server exactly 16 × its weight', () => {
  for (const weights of [[3, 2, 1], [256, 1, 17], [13, 7, 2, 2, 9]]) {
    const total = weights.reduce((a, b) => a + b, 0);
    const st = roundrobin.init(farm(weights), CFG);
    for (let w = 0; w < 3; w++) {
      const c = tally(picks(st, 16 * total));
      weights.forEach((wt, i) => assert.equal(c[`s${i + 1}`], 16 * wt, `weights ${weights}, window ${w}, s${i + 1}`));
    }
  }
});

test('a weight raised at run time takes effect at once (onWeight)', () => {
  const servers = farm([1, 1]);
  const st = roundrobin.init(servers, CFG);
  assert.deepEqual(tally(picks(st, 10)), { s1: 5, s2: 5 });
  servers[0]!.weight = 3;
  roundrobin.onWeight!(st, servers[0]!);
  const c = tally(picks(st, 400));
  assert.ok(Math.abs(c['s1']! - 300) <= 3 && Math.abs(c['s2']! - 100) <= 3, JSON.stringify(c));
});

test('a weight lowered to 0 at run time stops the server; raising it brings it back', () => {
  const servers = farm([2, 2, 2]);
  const st = roundrobin.init(servers, CFG);
  picks(st, 4);
  servers[1]!.weight = 0;
  roundrobin.onWeight!(st, servers[1]!);
  const without = tally(picks(st, 60));
  assert.equal(without['s2'], undefined, 's2 was picked with weight 0');
  assert.ok(Math.abs(without['s1']! - 30) <= 1 && Math.abs(without['s3']! - 30) <= 1, `uneven split: ${JSON.stringify(without)}`);
  servers[1]!.weight = 4;
  roundrobin.onWeight!(st, servers[1]!);
  const c = tally(picks(st, 800));
  for (const [s, want] of [['s1', 200], ['s2', 400], ['s3', 200]] as const) {
    assert.ok(Math.abs(c[s]! - want) <= 4, `${s}: ${c[s]} picks, expected about ${want}`);
  }
});

test('a server coming back up rejoins at its weight without a burst', () => {
  const servers = farm([1, 1, 1]);
  const st = roundrobin.init(servers, CFG);
  servers[2]!.usable = false;
  roundrobin.onServerDown!(st, servers[2]!);
  picks(st, 50);
  servers[2]!.usable = true;
  roundrobin.onServerUp!(st, servers[2]!);
  const seq = picks(st, 30);
  const c = tally(seq);
  for (const s of ['s1', 's2', 's3']) assert.ok(Math.abs(c[s]! - 10) <= 1, `${s}: ${c[s]} of 30 (${seq.join(' ')})`);
  assert.ok(!seq.join(' ').includes('s3 s3'), `s3 was picked twice in a row: ${seq.join(' ')}`);
});

test('a full server loses its turns while full (as if served) and gets no burst after', () => {
  const servers = farm([1, 1, 1]);
  const st = roundrobin.init(servers, CFG);
  servers[0]!.hasRoom = false;
  assert.deepEqual(picks(st, 6), ['s2', 's3', 's2', 's3', 's2', 's3']);
  servers[0]!.hasRoom = true;
  const seq = picks(st, 9);
  assert.deepEqual(tally(seq), { s1: 3, s2: 3, s3: 3 });
  assert.ok(!seq.join(' ').includes('s1 s1'), seq.join(' '));
  for (const s of servers) s.hasRoom = false;
  assert.equal(roundrobin.pick(st, NO_REQ), null);
});

test('an avoided server keeps its place: the next pick after a redispatch is fair', () => {
  const servers = farm([1, 1, 1]);
  const st = roundrobin.init(servers, CFG);
  assert.equal(roundrobin.pick(st, NO_REQ, servers[0])?.name, 's2');
  assert.deepEqual(tally(picks(st, 30)), { s1: 10, s2: 10, s3: 10 });
});

test('10,000 servers: weights respected, every server served once per cycle', () => {
  const weights = Array.from({ length: 10_000 }, (_, i) => (i % 10 === 0 ? 3 : 1));
  const st = roundrobin.init(farm(weights), CFG);
  const total = weights.reduce((a, b) => a + b, 0);
  const c = tally(picks(st, total * 2));
  assert.equal(c['s1'], 6);
  assert.equal(c['s2'], 2);
  assert.equal(c['s10000'], 2);
  assert.equal(Object.keys(c).length, 10_000);
});
