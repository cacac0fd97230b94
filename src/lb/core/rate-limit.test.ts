/** The two-bucket per-second counter behind maxconnrate / maxsessrate (rate-limit.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FreqCounter } from './rate-limit.ts';

test('rate: events of this second plus the previous second\'s share of the window', () => {
  const f = new FreqCounter();
  for (let i = 0; i < 10; i++) f.add(5_000);
  assert.equal(f.rate(5_999), 10);
  assert.equal(f.rate(6_000), 10); // all of the previous second still counts
  assert.equal(f.rate(6_500), 5);
  assert.equal(f.rate(6_999), 0);
  assert.equal(f.rate(7_000), 0); // two seconds later: nothing left
  assert.equal(f.peak, 10);
});

test('wait: 0 below the limit or without one, else the ms until one more event fits', () => {
  const f = new FreqCounter();
  assert.equal(f.wait(0, 1_000), 0);
  for (let i = 0; i < 5; i++) f.add(10_000);
  assert.equal(f.wait(6, 10_100), 0);
  // Current second full: wait for the next one, then for the previous share to shrink below 5.
  const w = f.wait(5, 10_100);
  assert.ok(w >= 900 && w <= 1_100, String(w));
  assert.ok(f.rate(10_100 + w) < 5);
  // Next second: 5 in prev, 2 now; 3 more fit once the share drops under 3 (after ~400 ms).
  f.add(11_000); f.add(11_000);
  const w2 = f.wait(5, 11_000);
  assert.ok(w2 > 0 && f.rate(11_000 + w2) < 5 && f.rate(11_000 + w2 - 2) >= 5, String(w2));
});
