/**
 * `balance first` specifics: the lowest id with room takes the request, so servers fill
 * up to their maxconn one after the other, and empty again from the top.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { first } from './first.ts';
import { defaultBalance } from './config.ts';
import { farm, NO_REQ, type TestServer } from './test-farm.ts';

const CFG = defaultBalance();

/** A farm whose hasRoom follows served and maxconn, as the backend's servers do. */
function limited(maxconns: number[], ids?: number[]): TestServer[] {
  return farm(maxconns.map(() => 1)).map((s, i) => {
    const t = { ...s, maxconn: maxconns[i]!, id: ids?.[i] ?? s.id };
    Object.defineProperty(t, 'hasRoom', { get: () => t.maxconn === 0 || t.served < t.maxconn });
    return t;
  });
}

function take(st: ReturnType<typeof first.init>): string {
  const s = first.pick(st, NO_REQ) as TestServer | null;
  if (!s) return '-';
  s.served++;
  first.onTake!(st, s);
  return s.name;
}

function drop(st: ReturnType<typeof first.init>, s: TestServer): void {
  s.served--;
  first.onDrop!(st, s);
}

test('first fills each server up to its maxconn, in id order', () => {
  const servers = limited([2, 3, 1]);
  const st = first.init(servers, CFG);
  assert.deepEqual(Array.from({ length: 7 }, () => take(st)), ['s1', 's1', 's2', 's2', 's2', 's3', '-']);
  drop(st, servers[1]!);
  assert.equal(take(st), 's2');
  drop(st, servers[0]!);
  drop(st, servers[2]!);
  assert.deepEqual([take(st), take(st), take(st)], ['s1', 's3', '-']);
});

test('the order is by id, not by declaration', () => {
  const st = first.init(limited([1, 1, 1], [30, 10, 20]), CFG);
  assert.deepEqual([take(st), take(st), take(st)], ['s2', 's3', 's1']);
});

test('without maxconn the first server takes everything; down or weight 0 passes to the next', () => {
  const servers = limited([0, 0]);
  const st = first.init(servers, CFG);
  assert.deepEqual([take(st), take(st), take(st)], ['s1', 's1', 's1']);
  servers[0]!.usable = false;
  first.onServerDown!(st, servers[0]!);
  assert.equal(take(st), 's2');
  servers[0]!.usable = true;
  first.onServerUp!(st, servers[0]!);
  servers[1]!.weight = 0;
  first.onWeight!(st, servers[1]!);
  assert.equal(take(st), 's1');
  servers[0]!.weight = 0;
  first.onWeight!(st, servers[0]!);
  assert.equal(take(st), '-');
});

test('10,000 servers of maxconn 1: filled in order, one O(log n) pick each', () => {
  const servers = limited(Array.from({ length: 10_000 }, () => 1));
  const st = first.init(servers, CFG);
  const seq = Array.from({ length: 10_000 }, () => take(st));
  assert.deepEqual(seq.slice(0, 3), ['s1', 's2', 's3']);
  assert.equal(seq[9_999], 's10000');
  assert.equal(take(st), '-');
  drop(st, servers[5_000]!);
  assert.equal(take(st), 's5001');
});
