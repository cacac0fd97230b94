import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePercent, parseRate, parseSize, parseTime } from './units.ts';

const v = (p: { ok: boolean; value?: number }): number | null => (p.ok ? (p as { value: number }).value : null);

test('durations: ms default, us and s; bounded', () => {
  assert.equal(v(parseTime('20ms')), 20);
  assert.equal(v(parseTime('500us')), 0.5);
  assert.equal(v(parseTime('1.5s')), 1500);
  assert.equal(v(parseTime(7)), 7);
  assert.equal(v(parseTime('2 minutes')), null);
  assert.equal(v(parseTime('61s')), null);
});

test('percentages 0–100 with or without %', () => {
  assert.equal(v(parsePercent('1%')), 1);
  assert.equal(v(parsePercent('0.5')), 0.5);
  assert.equal(v(parsePercent('101%')), null);
  assert.equal(v(parsePercent('-1%')), null);
});

test('rates follow tc: bit suffixes are bits/s, bps suffixes bytes/s', () => {
  assert.equal(v(parseRate('100mbit')), 100e6);
  assert.equal(v(parseRate('1Gbit')), 1e9);
  assert.equal(v(parseRate('10mbps')), 80e6);
  assert.equal(v(parseRate('512kbit')), 512e3);
  assert.equal(v(parseRate('fast')), null);
  assert.equal(v(parseRate('10bit')), null);
});

test('sizes in bytes', () => {
  assert.equal(v(parseSize('64k')), 65536);
  assert.equal(v(parseSize(3000)), 3000);
  assert.equal(v(parseSize('10')), null);
});
