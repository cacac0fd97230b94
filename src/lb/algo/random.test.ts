/**
 * `balance random[(draws)]` specifics: draws land on the consistent ring (weights), the
 * least loaded of the draws wins (power of N choices), full servers are not returned.
 * Draws are replayed with a fixed random source.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from './random.ts';
import { defaultBalance } from './config.ts';
import { farm, NO_REQ, tally } from './test-farm.ts';
import { serve } from './test-request.ts';

function seeded(st: ReturnType<typeof random.init>, seed: number): void {
  let x = seed >>> 0;
  st.rand = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
}

test('random declares free choice and dynamic weights', () => {
  assert.equal(random.name, 'random');
  assert.equal(random.deterministic, false);
  assert.equal(random.dynamicWeights, true);
});

test('one draw follows the weights (statistically, 20,000 picks)', () => {
  const st = random.init(farm([1, 2, 5]), { ...defaultBalance(), algorithm: 'random', draws: 1 });
  seeded(st, 1);
  const c = tally(Array.from({ length: 20_000 }, () => serve(random, st, NO_REQ)));
  for (const [s, share] of [['s1', 1 / 8], ['s2', 2 / 8], ['s3', 5 / 8]] as const) {
    // Within 0.1: with 16 ring points per weight unit, arcs (and so shares) vary by a few
    // percent around the weights — the same ring as HAProxy's.
    assert.ok(Math.abs(c[s]! / 20_000 - share) < 0.1, `${s}: ${c[s]} picks, share ${share}`);
  }
});

test('two draws: the less loaded of the two wins, so held load stays even', () => {
  const servers = farm(Array.from({ length: 10 }, () => 1));
  const two = random.init(servers, { ...defaultBalance(), algorithm: 'random', draws: 2 });
  seeded(two, 7);
  for (let i = 0; i < 1000; i++) serve(random, two, NO_REQ, true);
  const spreadTwo = Math.max(...servers.map((s) => s.served)) - Math.min(...servers.map((s) => s.served));
  const single = farm(Array.from({ length: 10 }, () => 1));
  const one = random.init(single, { ...defaultBalance(), algorithm: 'random', draws: 1 });
  seeded(one, 7);
  for (let i = 0; i < 1000; i++) serve(random, one, NO_REQ, true);
  const spreadOne = Math.max(...single.map((s) => s.served)) - Math.min(...single.map((s) => s.served));
  assert.ok(spreadTwo <= 6, `two draws: loads spread by ${spreadTwo}`);
  assert.ok(spreadTwo < spreadOne, `two draws (${spreadTwo}) should beat one (${spreadOne})`);
});

test('draws that land on full servers are discarded; all full gives null', () => {
  const servers = farm([1, 1, 1]);
  const st = random.init(servers, { ...defaultBalance(), algorithm: 'random' });
  seeded(st, 3);
  servers[0]!.hasRoom = false;
  servers[1]!.hasRoom = false;
  assert.deepEqual(tally(Array.from({ length: 50 }, () => serve(random, st, NO_REQ))), { s3: 50 });
  servers[2]!.hasRoom = false;
  assert.equal(random.pick(st, NO_REQ), null);
});
