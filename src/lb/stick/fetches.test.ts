/**
 * The sample engine's stick keywords over a tracked context: sc_ with and without a table
 * argument, src_ lookups (absent key 0, src_inc_gpc0 creates), table_ converters, and
 * data types the table does not store (no sample).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpr } from '../acl/expr.ts';
import { testContext } from '../acl/test-context.ts';
import type { SampleContext } from '../acl/types.ts';
import { defineStickTable } from './registry.ts';
import { parseStickTable } from './config.ts';
import { StreamTrackers } from './track.ts';

function table(name: string, line: string) {
  const r = parseStickTable(line.split(' '), name, { file: 't', line: 1 });
  if (!r.ok) throw new Error(r.reason);
  return defineStickTable(r.cfg);
}

const env = { baseDir: '.', proxyName: 'ut_fe' };
const ev = (text: string, c: SampleContext): unknown => compileExpr(text, env).eval(c)?.v ?? null;

test('sc_, src_ and table_ keywords read and change entries as HAProxy does', () => {
  const fe = table('ut_fe', 'stick-table type ip size 10 store http_req_cnt,gpc0');
  const other = table('ut_other', 'stick-table type ip size 10 store http_req_cnt');
  const stick = new StreamTrackers(null);
  const c: SampleContext = { ...testContext({ src: '192.0.2.7' }), stick };
  assert.equal(ev('sc0_http_req_cnt', c), null); // not tracked: no sample
  assert.equal(ev('sc_tracked(0)', c), false);
  assert.equal(ev('src_http_req_cnt', c), 0); // absent key: 0
  assert.equal(ev('table_cnt', c), 0);
  stick.track('stream', 0, fe, '192.0.2.7');
  assert.equal(ev('sc0_http_req_cnt', c), 1);
  assert.equal(ev('sc_http_req_cnt(0)', c), 1);
  assert.equal(ev('sc0_conn_cnt', c), null); // not stored: no sample
  assert.equal(ev('sc0_http_req_cnt(ut_other)', c), 0); // the tracked key in another table
  assert.equal(ev('sc0_trackers', c), 1);
  // HAProxy 2.6 counts table_trackers' own lookup: one tracker reads 2, an absent key 0
  assert.equal(ev('src,table_trackers(ut_fe)', c), 2);
  assert.equal(ev('str(10.0.0.9),table_trackers(ut_fe)', c), 0);
  assert.equal(ev('src_inc_gpc0', c), 1);
  assert.equal(ev('sc0_get_gpc0', c), 1);
  assert.equal(ev('src,table_gpc0(ut_fe)', c), 1);
  assert.equal(ev('str(10.0.0.9),table_http_req_cnt(ut_fe)', c), 0);
  assert.equal(ev('src_http_req_cnt(ut_other)', c), 0);
  assert.equal(other.count, 0); // lookups do not create
  assert.equal(ev('src_clr_gpc0', c), 1);
  assert.equal(ev('sc0_get_gpc0', c), 0);
  assert.equal(ev('table_cnt', c), 1);
  assert.equal(ev('table_avl(ut_fe)', c), 9);
  stick.endAll();
  assert.equal(ev('sc0_tracked', c), false);
  fe.close();
  other.close();
});
