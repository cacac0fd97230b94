/**
 * compareVersions() / splitVersion() follow HAProxy's split_version(): the table in its
 * source comment is reproduced here, and the orderings were checked against haproxy 2.6.12
 * with `.if version_atleast(X)` / `.if version_before(X)`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPAT_VERSION, FEATURES, compareVersions, splitVersion } from './version.ts';

test('splitVersion reproduces the table of HAProxy split_version()', () => {
  const table: [string, number[]][] = [
    ['1.2.1-pre2', [1, 2, 1, 0, 2, 2, 0]],
    ['1.2.1', [1, 2, 1, 0, 3, 0, 0]],
    ['1.2.10.1', [1, 2, 10, 1, 3, 0, 0]],
    ['1.3.16-rc1', [1, 3, 16, 0, 2, 1, 0]],
    ['1.4-dev3', [1, 4, 0, 0, 1, 3, 0]],
    ['1.5-dev18', [1, 5, 0, 0, 1, 18, 0]],
    ['1.5-dev18-43', [1, 5, 0, 0, 1, 18, 43]],
    ['2.4-dev18-f6818d-20', [2, 4, 0, 0, 1, 18, 20]],
  ];
  for (const [v, want] of table) assert.deepEqual(splitVersion(v), want, v);
});

test('splitVersion: distribution suffixes, trailing dots and dashes, unparsable strings', () => {
  assert.deepEqual(splitVersion('2.6.12-1+deb12u4'), [2, 6, 12, 0, 3, 0, 0]);
  assert.deepEqual(splitVersion('2.6'), [2, 6, 0, 0, 3, 0, 0]);
  assert.deepEqual(splitVersion('2.6.'), [2, 6, 0, 0, 3, 0, 0]);
  assert.deepEqual(splitVersion('2..6'), [2, 0, 6, 0, 3, 0, 0]);
  assert.deepEqual(splitVersion('2.6.12-'), [2, 6, 12, 0, 3, 0, 0]);
  assert.deepEqual(splitVersion('2.6.12-foo-1'), [2, 6, 12, 0, 3, 0, 1]);
  for (const v of ['', 'abc', '3x', '2.6.x', '1.2.3.4.5', '2.7 ', '2.6-dev1x', '2.6.12-foo-']) {
    assert.equal(splitVersion(v), null, JSON.stringify(v));
  }
});

test('compareVersions orders numbers numerically, not as text', () => {
  assert.equal(compareVersions('2.10', '2.9'), 1);
  assert.equal(compareVersions('2.9', '2.10'), -1);
  assert.equal(compareVersions('10.0', '9.9.9'), 1);
});

test('compareVersions: missing parts are zero, so 2.6 equals 2.6.0 and 2.6.0.0', () => {
  assert.equal(compareVersions('2.6', '2.6.0'), 0);
  assert.equal(compareVersions('2.6.0.0', '2.6'), 0);
  assert.equal(compareVersions('2', '2.0.0'), 0);
  assert.equal(compareVersions('2.6.0.1', '2.6'), 1);
});

test('compareVersions: dev < rc = pre < release, then the tag number, then the commit', () => {
  const ascending = ['2.6-dev1', '2.6-dev12', '2.6-rc1', '2.6-rc2', '2.6', '2.6.1-dev1', '2.6.1'];
  for (let i = 0; i + 1 < ascending.length; i++) {
    assert.equal(compareVersions(ascending[i]!, ascending[i + 1]!), -1, `${ascending[i]} < ${ascending[i + 1]}`);
    assert.equal(compareVersions(ascending[i + 1]!, ascending[i]!), 1, `${ascending[i + 1]} > ${ascending[i]}`);
  }
  assert.equal(compareVersions('2.6-rc3', '2.6-pre3'), 0);
  assert.equal(compareVersions('1.5-dev18-43', '1.5-dev18-42'), 1);
});

test('compareVersions: an unparsable version sorts before every parsable one', () => {
  assert.equal(compareVersions('2.6', 'garbage'), 1);
  assert.equal(compareVersions('0', 'garbage'), 1);
  assert.equal(compareVersions('garbage', '0.0'), -1);
  assert.equal(compareVersions('junk', 'garbage'), 0);
});

test('compareVersions is antisymmetric and reflexive over a sample', () => {
  const sample = ['2.6', '2.6.0', '2.6.12', '2.6-dev3', '2.6-rc1', '2.7', '1.9.16', 'x', '3', '2.6.12-1'];
  for (const a of sample) {
    assert.equal(compareVersions(a, a), 0, a);
    for (const b of sample) assert.equal(compareVersions(a, b), -compareVersions(b, a) || 0, `${a} vs ${b}`);
  }
});

test('COMPAT_VERSION parses, and feature() only answers for Switchyard itself and what it has', () => {
  assert.notEqual(splitVersion(COMPAT_VERSION), null);
  assert.equal(compareVersions(COMPAT_VERSION, '2.6'), 0);
  assert.ok(FEATURES.has('SWITCHYARD'));
  for (const f of ['OPENSSL', 'LUA', 'QUIC']) assert.equal(FEATURES.has(f), false, f);
  assert.ok(FEATURES.has('PROMEX'), 'use-service prometheus-exporter is served');
});
