/**
 * The latency histogram's contract: `le` bucket edges (a value on a bound counts in that
 * bucket), the overflow bucket, cumulative counts, quantiles estimated within a bucket
 * and never above the maximum, HAProxy's ~1024-sample average, and what recordTxn
 * records where (frontend total only; nothing for a server no request reached).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUCKET_BOUNDS_MS, Histogram, Latency, recordTxn, TxnTimes } from './latency.ts';

const idx = (ms: number): number => BUCKET_BOUNDS_MS.indexOf(ms);

test('buckets: log-scaled 0.5 ms … 60 s; a value on a bound is in that bucket; above 60 s is the overflow', () => {
  assert.equal(BUCKET_BOUNDS_MS[0], 0.5);
  assert.equal(BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1], 60000);
  for (let i = 1; i < BUCKET_BOUNDS_MS.length; i++) assert.ok(BUCKET_BOUNDS_MS[i]! > BUCKET_BOUNDS_MS[i - 1]!);
  const h = new Histogram();
  for (const v of [0, 0.5, 0.51, 50, 50.001, 60000, 60001, -3, NaN]) h.record(v);
  assert.equal(h.counts.length, BUCKET_BOUNDS_MS.length + 1);
  assert.equal(h.counts[0], 4, '0, 0.5 and the two invalid values (counted as 0)');
  assert.equal(h.counts[idx(1)], 1);
  assert.equal(h.counts[idx(50)], 1);
  assert.equal(h.counts[idx(100)], 1);
  assert.equal(h.counts[idx(60000)], 1);
  assert.equal(h.counts[BUCKET_BOUNDS_MS.length], 1);
  assert.equal(h.count, 9);
  assert.equal(h.max, 60001);
  const cum = h.cumulative();
  assert.equal(cum.length, BUCKET_BOUNDS_MS.length + 1);
  assert.equal(cum[cum.length - 1], h.count);
  for (let i = 1; i < cum.length; i++) assert.ok(cum[i]! >= cum[i - 1]!);
});

test('quantiles: linear within the bucket that holds the rank, capped by the maximum; 0 when empty', () => {
  const h = new Histogram();
  assert.equal(h.quantile(0.5), 0);
  for (let i = 0; i < 90; i++) h.record(3); // (2,5]
  for (let i = 0; i < 10; i++) h.record(70); // (50,100]
  const p50 = h.quantile(0.5);
  assert.ok(p50 > 2 && p50 <= 5, `p50 ${p50}`);
  assert.ok(h.quantile(0.9) <= 5);
  const p99 = h.quantile(0.99);
  assert.ok(p99 > 50 && p99 <= 70, `p99 ${p99} never above the max`);
  assert.equal(h.quantile(1), 70);
});

test('average: exact over the first 1024 values, then a sliding window that forgets old ones', () => {
  const h = new Histogram();
  for (let i = 1; i <= 4; i++) h.record(i * 10);
  assert.equal(h.avg, 25);
  for (let i = 0; i < 5000; i++) h.record(100);
  assert.ok(Math.abs(h.avg - 100) < 1, `avg ${h.avg}`);
  assert.equal(h.sum, 100 + 500000);
});

test('recordTxn: the frontend gets the total; backend and server what was measured; no server if nothing was sent', () => {
  const fe = { lat: new Latency() };
  const be = { lat: new Latency() };
  const sv = { lat: new Latency() };
  const t = new TxnTimes();
  t.begin(1000);
  t.queue = 0;
  t.sent = 1001;
  t.response = 60;
  recordTxn(t, 1070, fe, be, sv);
  for (const o of [be, sv]) {
    assert.equal(o.lat.queue.count, 1);
    assert.equal(o.lat.connect.count, 0, 'a reused connection has no connect time');
    assert.equal(o.lat.response.sum, 60);
    assert.equal(o.lat.total.sum, 70);
  }
  assert.equal(fe.lat.total.sum, 70);
  assert.equal(fe.lat.response.count, 0);
  // Next transaction on the same stream: answered by the proxy (sent stays unset).
  t.begin(2000);
  recordTxn(t, 2005, fe, be, sv);
  assert.equal(fe.lat.total.count, 2);
  assert.equal(sv.lat.total.count, 1);
  assert.equal(be.lat.total.count, 1);
});
