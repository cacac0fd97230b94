/**
 * Stick tables: frequency counters at period boundaries, expiry, LRU eviction, nopurge,
 * keys, trackers' counting, and the configuration line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freqAdd, freqRead, newFreq } from './freq.ts';
import { StickTable } from './table.ts';
import { parseStickTable } from './config.ts';
import { stickKey } from './keys.ts';
import { StreamTrackers } from './track.ts';
import type { StickTableConfig } from './types.ts';

const WHERE = { file: 't', line: 1 };

function cfg(line: string): StickTableConfig {
  const r = parseStickTable(line.split(' '), 'fe', WHERE);
  if (!r.ok) throw new Error(r.reason);
  return r.cfg;
}

test('freq: events within one period add up', () => {
  const f = newFreq();
  for (let i = 0; i < 5; i++) freqAdd(f, 1000, 1, 10_000 + i * 100);
  assert.equal(freqRead(f, 1000, 10_500), 5);
  assert.equal(freqRead(f, 1000, 10_999), 5);
});

test('freq: the previous period fades linearly over the current one', () => {
  const f = newFreq();
  freqAdd(f, 1000, 10, 10_000); // period [10000, 11000)
  assert.equal(freqRead(f, 1000, 11_000), 10); // boundary: all of the previous period weighs
  assert.equal(freqRead(f, 1000, 11_250), 7); // 10 × 750/1000 = 7.5 → 7
  assert.equal(freqRead(f, 1000, 11_500), 5);
  assert.equal(freqRead(f, 1000, 11_999), 0); // 10 × 1/1000
  assert.equal(freqRead(f, 1000, 12_000), 0);
  freqAdd(f, 1000, 4, 11_500); // next period opens at 11000: prev=10, curr=4
  assert.equal(f.tick, 11_000);
  assert.equal(freqRead(f, 1000, 11_500), 9); // 4 + 10 × 0.5
  assert.equal(freqRead(f, 1000, 12_500), 2); // period over: 4 × 0.5
});

test('freq: after two idle periods both are dropped and the period restarts at the event', () => {
  const f = newFreq();
  freqAdd(f, 1000, 7, 10_000);
  freqAdd(f, 1000, 1, 12_300);
  assert.equal(f.tick, 12_300);
  assert.equal(f.prev, 0);
  assert.equal(freqRead(f, 1000, 12_300), 1);
});

test('table: entries expire after `expire` without use; a tracked entry stays', () => {
  let now = 1_000_000;
  const t = new StickTable(cfg('stick-table type ip size 10 expire 30s store http_req_cnt'), () => now);
  const a = t.getOrCreate('10.0.0.1')!;
  t.getOrCreate('10.0.0.2');
  a.refs = 1;
  now += 29_999;
  assert.equal(t.count, 2);
  assert.ok(t.lookup('10.0.0.2'));
  now += 1;
  assert.equal(t.lookup('10.0.0.2'), null);
  assert.ok(t.lookup('10.0.0.1'));
  t.sweep();
  assert.equal(t.count, 1);
  t.close();
});

test('table: full → the least recently used unreferenced entry is evicted; nopurge refuses instead', () => {
  const t = new StickTable(cfg('stick-table type integer size 3 store gpc0'));
  t.getOrCreate('1'); t.getOrCreate('2'); t.getOrCreate('3');
  t.touch(t.lookup('1')!); // LRU order now 2, 3, 1
  t.lookup('2')!.refs = 1; // 2 is held: 3 goes
  assert.ok(t.getOrCreate('4'));
  assert.deepEqual([...t.list()].map((e) => e.key), ['2', '1', '4']);
  const n = new StickTable(cfg('stick-table type integer size 2 nopurge store gpc0'));
  n.getOrCreate('1'); n.getOrCreate('2');
  assert.equal(n.getOrCreate('3'), null);
  assert.equal(n.count, 2);
});

test('keys: samples cast to the table type; strings cut at len; binary padded', () => {
  assert.equal(stickKey({ type: 'str', v: '10.1.2.3' }, 'ip', 32), '10.1.2.3');
  assert.equal(stickKey({ type: 'str', v: 'nope' }, 'ip', 32), null);
  assert.equal(stickKey({ type: 'ipv4', v: 0x0a000001 }, 'ipv6', 32), '::ffff:10.0.0.1');
  assert.equal(stickKey({ type: 'str', v: 'abcdef' }, 'string', 4), 'abcd');
  assert.equal(stickKey({ type: 'sint', v: 42 }, 'integer', 32), '42');
  assert.equal(stickKey({ type: 'bin', v: Buffer.from([1, 2]) }, 'binary', 4), '01020000');
});

test('trackers: connection counters on track and release, http requests per level, 4xx errors', () => {
  const t = new StickTable(cfg('stick-table type ip size 10 store conn_cnt,conn_cur,sess_cnt,http_req_cnt,http_err_cnt,bytes_in_cnt'));
  const io = { bytesRead: 100, bytesWritten: 0 };
  const tr = new StreamTrackers(io);
  assert.ok(tr.track('session', 0, t, '1.2.3.4'));
  assert.equal(tr.track('session', 0, t, '1.2.3.4'), false); // slot taken
  const e = t.lookup('1.2.3.4')!;
  const v = (d: Parameters<StickTable['read']>[1]): number | null => t.read(e, d);
  assert.deepEqual([v('conn_cnt'), v('conn_cur'), v('sess_cnt'), v('http_req_cnt'), e.refs], [1, 1, 1, 0, 1]);
  tr.newRequest();
  assert.ok(tr.track('stream', 0, t, '1.2.3.4')); // its own level
  assert.deepEqual([v('conn_cnt'), v('conn_cur'), v('http_req_cnt'), e.refs], [2, 2, 2, 2]);
  tr.status(404);
  tr.status(503);
  assert.equal(v('http_err_cnt'), 1); // once: the slot reads the stream level only
  tr.newRequest(); // previous transaction's stream tracker ends
  assert.deepEqual([v('conn_cur'), v('http_req_cnt'), e.refs], [1, 3, 1]);
  io.bytesRead = 350;
  tr.endAll();
  tr.endAll();
  assert.deepEqual([v('conn_cur'), v('bytes_in_cnt'), e.refs], [0, 250, 0]);
});

test('config: errors and defaults', () => {
  const c = cfg('stick-table type string len 8 size 1k expire 1m nopurge store gpc0,http_req_rate(10s)');
  assert.deepEqual([c.type, c.keyLen, c.size, c.expire, c.nopurge, [...c.counters], [...c.rates]], ['string', 8, 1024, 60_000, true, ['gpc0'], [['http_req_rate', 10_000]]]);
  const bad = (line: string): string => { const r = parseStickTable(line.split(' '), 'fe', WHERE); assert.equal(r.ok, false); return r.ok ? '' : r.reason; };
  assert.match(bad('stick-table size 10'), /missing type/);
  assert.match(bad('stick-table type ip'), /missing size/);
  assert.match(bad('stick-table type ip len 4 size 1'), /does not take 'len'/);
  assert.match(bad('stick-table type ip size 1 store http_req_rate'), /period/);
  assert.match(bad('stick-table type ip size 1 store foo'), /unknown/);
  const p = parseStickTable('stick-table type ip size 1 peers p'.split(' '), 'fe', WHERE);
  assert.equal(p.ok ? '' : p.code, 'SY_ERR_CFG_NOT_IMPLEMENTED');
});
