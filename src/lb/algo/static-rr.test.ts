/**
 * `balance static-rr` specifics beyond the shared conformance suite: HAProxy's exact map
 * order (also replayed against HAProxy 2.6 in haproxy-orders.test.ts), the map fixed by
 * the configured weights, and HAProxy's rebuild when a server goes down or comes back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staticRr } from './static-rr.ts';
import { buildMap, buildMapNaive } from './map-table.ts';
import { farm, NO_REQ, pickNames, tally } from './test-farm.ts';
import { defaultBalance } from './config.ts';

const CFG = defaultBalance();
const picks = (st: ReturnType<typeof staticRr.init>, n: number): string[] => pickNames(staticRr, st, n);

test('static-rr declares static weights', () => {
  assert.equal(staticRr.name, 'static-rr');
  assert.equal(staticRr.dynamicWeights, false);
  assert.equal(staticRr.deterministic, false);
});

test("static-rr reproduces HAProxy 2.6's exact order (measured with haproxy 2.6.12)", () => {
  const order = (weights: number[], n: number): string[] => picks(staticRr.init(farm(weights), CFG), n);
  assert.deepEqual(order([3, 2, 1], 6), ['s1', 's1', 's2', 's1', 's2', 's3']);
  assert.deepEqual(order([5, 1, 1], 7), ['s1', 's1', 's1', 's2', 's1', 's1', 's3']);
  assert.deepEqual(order([4, 2, 6], 6), ['s1', 's3', 's1', 's3', 's2', 's3']);
});

test('the O(T log n) map builder gives the same table as HAProxy\'s O(T·n) scoring', () => {
  let seed = 7;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  for (let round = 0; round < 300; round++) {
    const weights = Array.from({ length: 1 + rnd(12) }, () => (rnd(5) === 0 ? 0 : 1 + rnd(rnd(2) ? 8 : 256)));
    assert.deepEqual(buildMap(weights), buildMapNaive(weights), `weights ${weights}`);
  }
});

test('a runtime weight change does not change the order or the shares', () => {
  const servers = farm([1, 1, 1]);
  const st = staticRr.init(servers, CFG);
  assert.deepEqual(picks(st, 2), ['s1', 's2']);
  servers[0]!.weight = 5;
  staticRr.onWeight!(st, servers[0]!);
  assert.deepEqual(picks(st, 7), ['s3', 's1', 's2', 's3', 's1', 's2', 's3']);
  assert.deepEqual(tally(picks(st, 300)), { s1: 100, s2: 100, s3: 100 });
});

test('only weight 0 matters at run time: the server is skipped, then returns at its configured share', () => {
  const servers = farm([2, 1]);
  const st = staticRr.init(servers, CFG);
  servers[0]!.weight = 0;
  staticRr.onWeight!(st, servers[0]!);
  assert.deepEqual(picks(st, 4), ['s2', 's2', 's2', 's2']);
  servers[0]!.weight = 100;
  staticRr.onWeight!(st, servers[0]!);
  assert.deepEqual(tally(picks(st, 300)), { s1: 200, s2: 100 });
});

test('a server down is skipped in place even before its hook; back up, the cycle resumes', () => {
  const servers = farm([1, 1, 1]);
  const st = staticRr.init(servers, CFG);
  assert.deepEqual(picks(st, 1), ['s1']);
  servers[1]!.usable = false;
  assert.deepEqual(picks(st, 4), ['s3', 's1', 's3', 's1']);
  servers[1]!.usable = true;
  assert.deepEqual(picks(st, 6), ['s2', 's3', 's1', 's2', 's3', 's1']);
});

test('down and up rebuild the map over the usable servers, the walk keeping its index (HAProxy)', () => {
  const servers = farm([3, 2, 1]);
  const st = staticRr.init(servers, CFG);
  assert.deepEqual(picks(st, 2), ['s1', 's1']);
  servers[0]!.usable = false;
  staticRr.onServerDown!(st, servers[0]!);
  // New map for 2,1: s2 s2 s3; the walk goes on at index 2.
  assert.deepEqual(picks(st, 6), ['s3', 's2', 's2', 's3', 's2', 's2']);
  servers[0]!.usable = true;
  staticRr.onServerUp!(st, servers[0]!);
  // Back to s1 s1 s2 s1 s2 s3, at index 2 (of 3, wrapped to 0 by the smaller map before).
  assert.deepEqual(picks(st, 6), ['s2', 's1', 's2', 's3', 's1', 's1']);
});

test('a full server is skipped; the walk moves on (HAProxy rr_idx)', () => {
  const servers = farm([1, 1, 1]);
  const st = staticRr.init(servers, CFG);
  servers[0]!.hasRoom = false;
  assert.deepEqual(picks(st, 4), ['s2', 's3', 's2', 's3']);
  servers[0]!.hasRoom = true;
  assert.deepEqual(picks(st, 3), ['s1', 's2', 's3']);
  assert.equal(staticRr.pick(st, NO_REQ), servers[0]);
});
