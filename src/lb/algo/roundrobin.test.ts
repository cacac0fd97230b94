/**
 * `balance roundrobin` specifics beyond the shared conformance suite: the exact order of
 * HAProxy's map scoring (pinned by test/vtc/switchyard-balance-order.vtc too; 2,1 and
 * 5,1,1 are HAProxy 2.6's own roundrobin orders) and dynamic weights.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundrobin } from './roundrobin.ts';

import { farm, NO_REQ, pickNames, tally } from './test-farm.ts';

const picks = (st: ReturnType<typeof roundrobin.init>, n: number): string[] => pickNames(roundrobin, st, n);

test('roundrobin declares dynamic weights', () => {
  assert.equal(roundrobin.name, 'roundrobin');
  assert.equal(roundrobin.dynamicWeights, true);
});

test('map scoring: exact order for 2,1 / 3,2,1 / 5,1,1', () => {
  assert.deepEqual(picks(roundrobin.init(farm([2, 1]), { algorithm: 'roundrobin' }), 6), ['s1', 's1', 's2', 's1', 's1', 's2']);
  assert.deepEqual(picks(roundrobin.init(farm([3, 2, 1]), { algorithm: 'roundrobin' }), 6), ['s1', 's1', 's2', 's1', 's2', 's3']);
  assert.deepEqual(picks(roundrobin.init(farm([5, 1, 1]), { algorithm: 'roundrobin' }), 7), ['s1', 's1', 's1', 's2', 's1', 's1', 's3']);
});

test('a weight raised at run time takes effect on the next cycle (onWeight)', () => {
  const servers = farm([1, 1]);
  const st = roundrobin.init(servers, { algorithm: 'roundrobin' });
  assert.deepEqual(tally(picks(st, 10)), { s1: 5, s2: 5 });
  servers[0]!.weight = 3;
  roundrobin.onWeight!(st, servers[0]!);
  assert.deepEqual(tally(picks(st, 400)), { s1: 300, s2: 100 });
});

test('a weight lowered to 0 at run time stops the server; raising it brings it back', () => {
  const servers = farm([2, 2, 2]);
  const st = roundrobin.init(servers, { algorithm: 'roundrobin' });
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
    assert.ok(Math.abs(c[s]! - want) <= 2, `${s}: ${c[s]} picks, expected about ${want}`);
  }
});

test('a server coming back up rejoins at its weight without a burst', () => {
  const servers = farm([1, 1, 1]);
  const st = roundrobin.init(servers, { algorithm: 'roundrobin' });
  servers[2]!.usable = false;
  roundrobin.onServerDown!(st, servers[2]!);
  picks(st, 50);
  servers[2]!.usable = true;
  roundrobin.onServerUp!(st, servers[2]!);
  const seq = picks(st, 9);
  assert.deepEqual(tally(seq), { s1: 3, s2: 3, s3: 3 });
  assert.ok(!seq.join(' ').includes('s3 s3'), `s3 was picked twice in a row: ${seq.join(' ')}`);
});
