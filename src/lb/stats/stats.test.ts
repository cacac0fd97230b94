/**
 * Unit tests of the statistics building blocks: `stats` keyword parsing (defaults
 * inheritance, HAProxy's defaults), the column table's fixed points, CSV cells and the
 * typed positions after the stats-module separator.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import { COL, COLUMNS, MODULE_SEPARATOR, csvHeader, typedPosition } from './fields.ts';
import { csvCell } from './format.ts';
import { adminAllowed } from './service.ts';

function parse(text: string): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', text);
  return ctx;
}

test('stats keywords: any keyword enables the page with HAProxy\'s defaults; defaults are inherited and copied', () => {
  const ctx = parse([
    'defaults', '  mode http', '  stats auth a:b',
    'listen l1', '  bind 127.0.0.1:1', '  stats uri /x', '  stats refresh 5', '  stats admin unless LOCALHOST',
    'listen l2', '  bind 127.0.0.1:2', '  stats scope l1', '  stats show-node n1', '',
  ].join('\n'));
  assert.deepEqual(ctx.diagnostics.filter((d) => d.severity === 'alert'), []);
  const [l1, l2] = ctx.config.proxies;
  assert.equal(l1!.stats!.uri, '/x');
  assert.equal(l1!.stats!.refresh, 5000);
  assert.deepEqual(l1!.stats!.auth, ['a:b']);
  assert.deepEqual(l1!.stats!.admin, { cond: 'LOCALHOST', negate: true });
  assert.equal(l2!.stats!.uri, '/haproxy?stats');
  assert.equal(l2!.stats!.realm, 'HAProxy Statistics');
  assert.deepEqual(l2!.stats!.scopes, ['l1']);
  assert.equal(l2!.stats!.showNode, 'n1');
  assert.notEqual(l1!.stats, l2!.stats, 'each proxy has its own copy');
});

test('stats admin conditions: TRUE and LOCALHOST (127/8, ::1), negated with unless', () => {
  const base = { uri: '/', realm: 'r', auth: [], refresh: 0, hideVersion: false, showLegends: false, showDesc: null, showNode: null, scopes: [] };
  assert.equal(adminAllowed({ ...base, admin: { cond: 'TRUE', negate: false } }, '10.0.0.1'), true);
  assert.equal(adminAllowed({ ...base, admin: { cond: 'LOCALHOST', negate: false } }, '127.3.2.1'), true);
  assert.equal(adminAllowed({ ...base, admin: { cond: 'LOCALHOST', negate: false } }, '::ffff:127.0.0.1'), true);
  assert.equal(adminAllowed({ ...base, admin: { cond: 'LOCALHOST', negate: false } }, '::1'), true);
  assert.equal(adminAllowed({ ...base, admin: { cond: 'LOCALHOST', negate: false } }, '192.0.2.1'), false);
  assert.equal(adminAllowed({ ...base, admin: { cond: 'LOCALHOST', negate: true } }, '192.0.2.1'), true);
  assert.equal(adminAllowed({ ...base, admin: null }, '127.0.0.1'), false);
});

test('columns: HAProxy 2.6 positions of landmark columns; module columns after "-" count without it', () => {
  assert.equal(COLUMNS.length, 128);
  assert.equal(COL.pxname, 0);
  assert.equal(COL.status, 17);
  assert.equal(COL.check_status, 36);
  assert.equal(COL.agg_check_status, 102);
  assert.equal(MODULE_SEPARATOR, 103);
  assert.equal(typedPosition(COL.ssl_sess!), 103);
  assert.equal(typedPosition(COL.status!), 17);
  assert.ok(csvHeader().startsWith('# pxname,svname,qcur,'));
  assert.ok(csvHeader().endsWith('h1_spliced_bytes_out,\n'));
});

test('CSV cells: empty when unknown, quoted only when needed', () => {
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(0), '0');
  assert.equal(csvCell('no check'), 'no check');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
});
