/** The rise/fall counter against HAProxy 2.6's sequences (start at rise, fall at first failure). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthCounter } from './health.ts';

test('a fresh counter is up but one failure takes it down; then rise successes bring it up', () => {
  const c = new HealthCounter(2, 3);
  assert.equal(c.up, true);
  assert.equal(c.describe(1), '1/3 UP');
  c.failure();
  assert.equal(c.up, false);
  assert.equal(c.describe(1), '0/2 DOWN');
  c.success();
  assert.equal(c.up, false);
  assert.equal(c.describe(1), '1/2 DOWN');
  c.success();
  assert.equal(c.up, true);
  assert.equal(c.describe(1), '3/3 UP');
});

test('fully up, it takes fall failures to go down; a success in between restores it', () => {
  const c = new HealthCounter(2, 3);
  c.success();
  assert.equal(c.health, c.max);
  c.failure(); c.failure();
  assert.equal(c.up, true);
  c.success();
  assert.equal(c.health, c.max);
  c.failure(); c.failure(); c.failure();
  assert.equal(c.up, false);
  assert.equal(c.health, 0);
  assert.equal(c.failure(), false, 'already at the bottom: not reported');
});

test('intervals: inter when fully up, downinter when fully down, fastinter between', () => {
  const c = new HealthCounter(2, 3);
  assert.equal(c.interval(1000, 100, 5000), 100);
  c.success();
  assert.equal(c.interval(1000, 100, 5000), 1000);
  c.failure();
  assert.equal(c.interval(1000, 100, 5000), 100);
  c.failure(); c.failure();
  assert.equal(c.interval(1000, 100, 5000), 5000);
  assert.equal(c.interval(1000, 0, 0), 1000, 'unset fastinter/downinter default to inter');
});

test('sudden-death leaves one failure before down; mark-down is immediate', () => {
  const c = new HealthCounter(2, 3);
  c.success();
  c.suddenDeath();
  assert.equal(c.up, true);
  c.failure();
  assert.equal(c.up, false);
  const d = new HealthCounter(2, 3);
  d.success();
  d.markDown();
  assert.equal(d.up, false);
});
