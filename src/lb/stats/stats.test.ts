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
import { testContext } from '../acl/test-context.ts';
import type { SampleContext } from '../acl/types.ts';

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
  assert.equal(l1!.stats!.admin!.text, 'LOCALHOST');
  assert.equal(l1!.stats!.admin!.negate, true);
  assert.equal(l2!.stats!.uri, '/haproxy?stats');
  assert.equal(l2!.stats!.realm, 'HAProxy Statistics');
  assert.deepEqual(l2!.stats!.scopes, ['l1']);
  assert.equal(l2!.stats!.showNode, 'n1');
  assert.notEqual(l1!.stats, l2!.stats, 'each proxy has its own copy');
});

test('stats admin conditions: any ACL condition, tested on the request (src, hdr, http_auth, LOCALHOST, unless)', () => {
  const ctx = parse([
    'userlist ops', '  user admin insecure-password s3cret',
    'listen l1', '  bind 127.0.0.1:1', '  acl net src 10.0.0.0/8', '  stats admin if net { hdr(x-ops) yes }',
    'listen l2', '  bind 127.0.0.1:2', '  stats admin unless LOCALHOST',
    'listen l3', '  bind 127.0.0.1:3', '  stats admin if { http_auth(ops) }',
    'listen l4', '  bind 127.0.0.1:4', '  stats admin if TRUE',
    'listen l5', '  bind 127.0.0.1:5', '  stats uri /s', '',
  ].join('\n'));
  assert.deepEqual(ctx.diagnostics.filter((d) => d.severity === 'alert'), []);
  const [l1, l2, l3, l4, l5] = ctx.config.proxies.map((p) => p.stats!);
  const req = (src: string, headers = ''): SampleContext => testContext({ src, request: `POST /s HTTP/1.1\r\nhost: x\r\n${headers}` });
  assert.equal(adminAllowed(l1!, req('10.1.2.3', 'x-ops: yes\r\n')), true);
  assert.equal(adminAllowed(l1!, req('10.1.2.3')), false);
  assert.equal(adminAllowed(l1!, req('192.0.2.1', 'x-ops: yes\r\n')), false);
  assert.equal(adminAllowed(l2!, req('127.0.0.1')), false);
  assert.equal(adminAllowed(l2!, req('192.0.2.1')), true);
  const basic = (up: string): string => `authorization: Basic ${Buffer.from(up).toString('base64')}\r\n`;
  assert.equal(adminAllowed(l3!, req('192.0.2.1', basic('admin:s3cret'))), true);
  assert.equal(adminAllowed(l3!, req('192.0.2.1', basic('admin:nope'))), false);
  assert.equal(adminAllowed(l4!, req('192.0.2.1')), true);
  assert.equal(adminAllowed(l4!, null), false, 'no sample context: fails closed');
  assert.equal(adminAllowed(l5!, req('127.0.0.1')), false, 'no stats admin line');
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
