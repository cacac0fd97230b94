/** The learning switch's table (switch-table.ts): learn, forward, flood, move, age, forget. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MacTable, macKey, macText } from './switch-table.ts';

const mac = (s: string): number => macKey(Buffer.from(s.replace(/:/g, ''), 'hex'), 0);

test('mac keys round-trip', () => {
  assert.equal(macText(mac('02:00:00:00:01:10')), '02:00:00:00:01:10');
  assert.equal(macText(mac('ff:ff:ff:ff:ff:ff')), 'ff:ff:ff:ff:ff:ff');
  assert.equal(mac('ff:ff:ff:ff:ff:ff'), 2 ** 48 - 1);
});

test('unknown and broadcast flood; learned unicast goes to its port; same port: dropped', () => {
  const t = new MacTable<string>(1000);
  const A = mac('02:00:00:00:00:0a');
  const B = mac('02:00:00:00:00:0b');
  assert.deepEqual(t.decide(B, 'p1', 0), { flood: true }, 'unknown');
  t.learn(A, 'p1', 0);
  t.learn(B, 'p2', 0);
  assert.deepEqual(t.decide(B, 'p1', 10), { flood: false, port: 'p2' });
  assert.deepEqual(t.decide(A, 'p1', 10), { flood: false, port: null }, 'stays on its segment');
  assert.deepEqual(t.decide(mac('ff:ff:ff:ff:ff:ff'), 'p1', 10), { flood: true });
  assert.deepEqual(t.decide(mac('33:33:00:00:00:01'), 'p1', 10), { flood: true }, 'multicast');
  t.learn(mac('01:00:5e:00:00:01'), 'p3', 10);
  assert.equal(t.size, 2, 'multicast sources are not learned');
});

test('a station that moves is followed; entries age out; a port is forgotten', () => {
  const t = new MacTable<string>(1000);
  const A = mac('02:00:00:00:00:0a');
  t.learn(A, 'p1', 0);
  t.learn(A, 'p3', 5);
  assert.deepEqual(t.decide(A, 'p2', 6), { flood: false, port: 'p3' });
  assert.deepEqual(t.decide(A, 'p2', 2000), { flood: true }, 'aged');
  t.sweep(2000);
  assert.equal(t.size, 0);
  t.learn(A, 'p1', 3000);
  assert.deepEqual(t.dump(3100, (p) => p), [['02:00:00:00:00:0a', 'p1', 100]]);
  t.forget('p1');
  assert.equal(t.size, 0);
});
