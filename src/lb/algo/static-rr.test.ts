/**
 * `balance static-rr` specifics beyond the shared conformance suite: the order is fixed
 * from the configured weights; at run time only "weight 0 or not" and up/down matter
 * (HAProxy: "changing a server's weight on the fly will have no effect").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staticRr } from './static-rr.ts';
import { roundrobin } from './roundrobin.ts';

import { farm, NO_REQ, pickNames, tally } from './test-farm.ts';

const picks = (st: ReturnType<typeof staticRr.init>, n: number): string[] => pickNames(staticRr, st, n);

test('static-rr declares static weights and has no weight hook', () => {
  assert.equal(staticRr.name, 'static-rr');
  assert.equal(staticRr.dynamicWeights, false);
  assert.equal(staticRr.onWeight, undefined);
});

test('while nothing changes, the order is the same as roundrobin\'s', () => {
  for (const weights of [[1, 1, 1], [3, 2, 1], [5, 1, 1], [2, 3], [7, 3, 1, 1]]) {
    const s = staticRr.init(farm(weights), { algorithm: 'roundrobin' });
    const r = roundrobin.init(farm(weights), { algorithm: 'roundrobin' });
    const total = weights.reduce((a, b) => a + b, 0);
    const rr = Array.from({ length: total * 3 }, () => roundrobin.pick(r, NO_REQ)?.name);
    assert.deepEqual(picks(s, total * 3), rr, `weights ${weights}`);
  }
});

test('a runtime weight change does not change the order or the shares', () => {
  const servers = farm([1, 1, 1]);
  const st = staticRr.init(servers, { algorithm: 'roundrobin' });
  assert.deepEqual(picks(st, 2), ['s1', 's2']);
  servers[0]!.weight = 5;
  assert.deepEqual(picks(st, 7), ['s3', 's1', 's2', 's3', 's1', 's2', 's3']);
  assert.deepEqual(tally(picks(st, 300)), { s1: 100, s2: 100, s3: 100 });
});

test('only weight 0 matters at run time: the server is skipped, then returns at its configured share', () => {
  const servers = farm([2, 1]);
  const st = staticRr.init(servers, { algorithm: 'roundrobin' });
  servers[0]!.weight = 0;
  assert.deepEqual(picks(st, 4), ['s2', 's2', 's2', 's2']);
  servers[0]!.weight = 100;
  assert.deepEqual(tally(picks(st, 300)), { s1: 200, s2: 100 });
});

test('a server down is skipped in place; back up, the cycle resumes unchanged', () => {
  const servers = farm([1, 1, 1]);
  const st = staticRr.init(servers, { algorithm: 'roundrobin' });
  assert.deepEqual(picks(st, 1), ['s1']);
  servers[1]!.usable = false;
  assert.deepEqual(picks(st, 4), ['s3', 's1', 's3', 's1']);
  servers[1]!.usable = true;
  assert.deepEqual(picks(st, 6), ['s2', 's3', 's1', 's2', 's3', 's1']);
});

test("static-rr reproduces HAProxy 2.6's exact order (measured with haproxy 2.6.12)", () => {
  const order = (weights: number[], n: number): string[] => {
    const st = staticRr.init(farm(weights), { algorithm: 'static-rr' });
    return Array.from({ length: n }, () => staticRr.pick(st, NO_REQ)?.name ?? '-');
  };
  assert.deepEqual(order([3, 2, 1], 6), ['s1', 's1', 's2', 's1', 's2', 's3']);
  assert.deepEqual(order([5, 1, 1], 7), ['s1', 's1', 's1', 's2', 's1', 's1', 's3']);
});
