/**
 * `balance leastconn` specifics: the fewest requests per weight wins, ties go round-robin
 * (equal loads take turns in declaration order, then in the order they last changed),
 * full servers and `avoid` are stepped over without losing their place.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leastconn } from './leastconn.ts';
import { defaultBalance } from './config.ts';
import { farm, NO_REQ, tally } from './test-farm.ts';
import { serve } from './test-request.ts';

const CFG = defaultBalance();
const hold = (st: ReturnType<typeof leastconn.init>, n: number): string[] => Array.from({ length: n }, () => serve(leastconn, st, NO_REQ, true));
const finish = (st: ReturnType<typeof leastconn.init>, s: { served: number }): void => {
  s.served--;
  leastconn.onDrop!(st, s as never);
};

test('leastconn declares dynamic weights and free choice', () => {
  assert.equal(leastconn.name, 'leastconn');
  assert.equal(leastconn.dynamicWeights, true);
  assert.equal(leastconn.deterministic, false);
});

test('held connections spread evenly: ties are broken round-robin in declaration order', () => {
  const st = leastconn.init(farm([1, 1, 1]), CFG);
  assert.deepEqual(hold(st, 9), ['s1', 's2', 's3', 's1', 's2', 's3', 's1', 's2', 's3']);
});

test('idle servers take turns whatever their weight (HAProxy 2.6: leastconn 3,1,1 → s1 s2 s3 …)', () => {
  const st = leastconn.init(farm([3, 1, 1]), CFG);
  assert.deepEqual(Array.from({ length: 6 }, () => serve(leastconn, st, NO_REQ)), ['s1', 's2', 's3', 's1', 's2', 's3']);
});

test('with connections held, load is shared by weight', () => {
  const servers = farm([3, 1]);
  const st = leastconn.init(servers, CFG);
  hold(st, 40);
  assert.deepEqual(servers.map((s) => s.served), [30, 10]);
});

test('the server that finishes first gets the next request', () => {
  const servers = farm([1, 1, 1]);
  const st = leastconn.init(servers, CFG);
  hold(st, 6);
  finish(st, servers[1]!);
  assert.deepEqual(hold(st, 1), ['s2']);
  finish(st, servers[2]!);
  finish(st, servers[0]!);
  // Both at 1 now: s3 dropped first, so it is first in line.
  assert.deepEqual(hold(st, 2), ['s3', 's1']);
});

test('a full server is stepped over and keeps its place', () => {
  const servers = farm([1, 1, 1]);
  const st = leastconn.init(servers, CFG);
  servers[0]!.hasRoom = false;
  assert.deepEqual(hold(st, 2), ['s2', 's3']);
  servers[0]!.hasRoom = true;
  assert.deepEqual(hold(st, 1), ['s1']);
  for (const s of servers) s.hasRoom = false;
  assert.equal(leastconn.pick(st, NO_REQ), null);
});

test('a weight change re-weighs the loads at once', () => {
  const servers = farm([1, 1]);
  const st = leastconn.init(servers, CFG);
  hold(st, 4);
  servers[1]!.weight = 3;
  leastconn.onWeight!(st, servers[1]!);
  hold(st, 8);
  assert.deepEqual(servers.map((s) => s.served), [3, 9]);
});

test('10,000 servers: each held pick goes to an idle server until all are busy', () => {
  const servers = farm(Array.from({ length: 10_000 }, () => 1));
  const st = leastconn.init(servers, CFG);
  const c = tally(hold(st, 20_000));
  assert.equal(Object.keys(c).length, 10_000);
  assert.ok(servers.every((s) => s.served === 2));
});
