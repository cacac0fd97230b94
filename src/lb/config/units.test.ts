/**
 * Time, integer and size arguments. The accepted/refused time forms and the overflow
 * limits were checked with `timeout client X` under `haproxy -c` (2.6.12).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS, parseSize, parseTime, parseUint, type Parsed } from './units.ts';

function value<T>(r: Parsed<T>): T {
  assert.ok(r.ok, `expected success, got: ${r.ok ? '' : r.reason}`);
  return r.value;
}

test('parseTime: units us, ms, s, m, h, d; milliseconds by default', () => {
  assert.equal(value(parseTime('10s')), 10_000);
  assert.equal(value(parseTime('250')), 250);
  assert.equal(value(parseTime('010')), 10);
  assert.equal(value(parseTime('0')), 0);
  assert.equal(value(parseTime('10ms')), 10);
  assert.equal(value(parseTime('5m')), 300_000);
  assert.equal(value(parseTime('1h')), 3_600_000);
  assert.equal(value(parseTime('24d')), 24 * 86_400_000);
});

test('parseTime: microseconds round up to the next millisecond, as HAProxy does', () => {
  assert.equal(value(parseTime('1us')), 1);
  assert.equal(value(parseTime('100us')), 1);
  assert.equal(value(parseTime('1000us')), 1);
  assert.equal(value(parseTime('1001us')), 2);
});

test('parseTime: the default unit can be changed', () => {
  assert.equal(value(parseTime('3', 1000)), 3000);
  assert.equal(value(parseTime('3ms', 1000)), 3);
});

test('parseTime: the largest timer is 2^31-1 ms; one more is an overflow', () => {
  assert.equal(MAX_TIMER_MS, 2_147_483_647);
  assert.equal(value(parseTime('2147483647')), MAX_TIMER_MS);
  assert.equal(value(parseTime('2147483s')), 2_147_483_000);
  assert.equal(value(parseTime('596h')), 596 * 3_600_000);
  for (const t of ['2147483648', '2147484s', '597h', '25d', '99999999999999999999d']) {
    assert.equal(parseTime(t).ok, false, t);
  }
});

test('parseTime: refuses signs, fractions, upper-case units, missing numbers', () => {
  for (const t of ['-1', '1.5s', '10S', 'ms', '', 's10', '10 s', '10x', '1m30s', '10sx']) {
    assert.equal(parseTime(t).ok, false, JSON.stringify(t));
  }
});

test('parseUint: decimal digits within bounds', () => {
  assert.equal(value(parseUint('0')), 0);
  assert.equal(value(parseUint('256', 0, 256)), 256);
  assert.equal(value(parseUint('007')), 7);
  assert.equal(parseUint('257', 0, 256).ok, false);
  assert.equal(parseUint('0', 1, 4096).ok, false);
  for (const t of [undefined, '', '-1', '+1', '1.0', '12abc', 'many', ' 1']) {
    assert.equal(parseUint(t).ok, false, JSON.stringify(t));
  }
});

test('parseSize: plain bytes or binary k/m/g suffixes, either case', () => {
  assert.equal(value(parseSize('16384')), 16384);
  assert.equal(value(parseSize('16k')), 16 * 1024);
  assert.equal(value(parseSize('16K')), 16 * 1024);
  assert.equal(value(parseSize('1m')), 1024 ** 2);
  assert.equal(value(parseSize('2G')), 2 * 1024 ** 3);
  for (const t of ['', 'k', '1.5k', '16kb', '-1', '1t']) {
    assert.equal(parseSize(t).ok, false, JSON.stringify(t));
  }
});
