/**
 * `http-request normalize-uri`: the exact output of each normalizer (our own cases, in the
 * spirit of HAProxy's documented examples; test/lb/http-rules-haproxy.test.ts checks the
 * same normalizers against the real HAProxy 2.6), the part of the target each one covers,
 * the parser's checks, and the rule executor's strict refusal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeUnreserved, encodeFragment, mergeSlashes, normalizeTarget, percentUpper, sortQuery, stripDot, stripDotdot, stripFragment } from './normalize-uri.ts';
import { runRequestRules } from './http-request.ts';
import { HeadEdits } from '../http/head-edits.ts';
import { parseRequestHead } from '../http/h1-parse.ts';
import type { RequestHead } from '../http/types.ts';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import '../acl/fetches/index.ts';

const cases = (fn: (s: string) => string | null, table: [string, string | null][]): void => {
  for (const [input, want] of table) assert.equal(fn(input), want, `${input}`);
};

test('path-merge-slashes: every run of slashes becomes one', () => {
  cases(mergeSlashes, [['/', '/'], ['//', '/'], ['/a//b', '/a/b'], ['///a///b///', '/a/b/'], ['/a/b', '/a/b']]);
});

test('path-strip-dot: "." segments go, names that start with a dot stay', () => {
  cases(stripDot, [
    ['/.', '/'], ['/./', '/'], ['/a/./b', '/a/b'], ['/a/././b/', '/a/b/'], ['/a/.', '/a/'],
    ['/.hidden/x', '/.hidden/x'], ['/a/..', '/a/..'], ['/a/.b./c', '/a/.b./c'],
  ]);
});

test('path-strip-dotdot: ".." removes the segment before it; leading ones stay unless full', () => {
  const plain = (s: string): string => stripDotdot(s, false);
  const full = (s: string): string => stripDotdot(s, true);
  cases(plain, [
    ['/x/../', '/'], ['/x/..', '/'], ['/x/../y/', '/y/'], ['/x/y/../', '/x/'], ['/x/y/../z', '/x/z'],
    ['/../y/', '/../y/'], ['/y/../../', '/../'], ['/x//../', '/x/'], ['/x/%2E%2E/', '/x/%2E%2E/'],
    ['/a/b/../../../c', '/../c'], ['/..a/b', '/..a/b'],
  ]);
  cases(full, [['/../y/', '/y/'], ['/y/../../', '/'], ['/a/b/../../../c', '/c'], ['/..', '/']]);
});

test('percent-decode-unreserved: only ALPHA DIGIT - . _ ~ are decoded, once; strict refuses bad escapes', () => {
  const plain = (s: string): string | null => decodeUnreserved(s, false);
  const strict = (s: string): string | null => decodeUnreserved(s, true);
  cases(plain, [
    ['/%61%62c', '/abc'], ['/%7e%7Eu', '/~~u'], ['/%2D%2e%5F%30', '/-._0'], ['/a%2Fb', '/a%2Fb'],
    ['/a%3fb', '/a%3fb'], ['/%%36%36', '/%66'], ['/x%zz', '/x%zz'], ['/x%4', '/x%4'], ['/q?k=%41', '/q?k=A'],
  ]);
  cases(strict, [['/%61', '/a'], ['/x%zz', null], ['/x%4', null], ['/%', null]]);
});

test('percent-to-uppercase: the hex digits of escapes in upper case; strict refuses bad escapes', () => {
  cases((s) => percentUpper(s, false), [['/%2f%3a', '/%2F%3A'], ['/%aB', '/%AB'], ['/x%zz%e9', '/x%zz%E9'], ['/plain', '/plain']]);
  cases((s) => percentUpper(s, true), [['/%2f', '/%2F'], ['/%g0', null], ['/%2', null]]);
});

test('query-sort-by-name: a stable sort by parameter name, values untouched', () => {
  cases(sortQuery, [
    ['c=3&a=1&b=2', 'a=1&b=2&c=3'], ['aaa=3&a=1&aa=2', 'a=1&aa=2&aaa=3'], ['b=1&a=2&b=0&a=1', 'a=2&a=1&b=1&b=0'],
    ['z&a', 'a&z'], ['&&z&a', '&&a&z'], ['', ''], ['B=1&a=1', 'B=1&a=1'],
  ]);
});

test('fragment-strip and fragment-encode', () => {
  cases(stripFragment, [['/a#b', '/a'], ['/a?q=1#b#c', '/a?q=1'], ['/a', '/a']]);
  cases(encodeFragment, [['/a#b', '/a%23b'], ['/a?q#b#c', '/a?q%23b%23c'], ['/a', '/a']]);
});

test('normalizeTarget: path normalizers stop at the query, the others cover it; absolute-form keeps its authority', () => {
  assert.equal(normalizeTarget('/a//b?x=//y', 'path-merge-slashes', false), '/a/b?x=//y');
  assert.equal(normalizeTarget('/a/../b?x=/../y', 'path-strip-dotdot', false), '/b?x=/../y');
  assert.equal(normalizeTarget('/a/./b?./', 'path-strip-dot', false), '/a/b?./');
  assert.equal(normalizeTarget('/%61?%62=%63', 'percent-decode-unreserved', false), '/a?b=c');
  assert.equal(normalizeTarget('/p?b=1&a=2', 'query-sort-by-name', false), '/p?a=2&b=1');
  assert.equal(normalizeTarget('/p', 'query-sort-by-name', false), '/p');
  assert.equal(normalizeTarget('http://h.example//a/../b?z&a', 'path-merge-slashes', false), 'http://h.example/a/../b?z&a');
  assert.equal(normalizeTarget('http://h.example//a/../b?z&a', 'query-sort-by-name', false), 'http://h.example//a/../b?a&z');
  assert.equal(normalizeTarget('*', 'path-merge-slashes', false), '*');
  assert.equal(normalizeTarget('h.example:443', 'percent-to-uppercase', false), 'h.example:443');
});

function head(target: string): RequestHead {
  const r = parseRequestHead(Buffer.from(`GET ${target} HTTP/1.1\r\nhost: a\r\n\r\n`, 'latin1'));
  assert.equal(r.state, 'done');
  return (r as { head: RequestHead }).head;
}

function parse(text: string): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', text);
  return ctx;
}
const alerts = (ctx: ParseContext): string[] => ctx.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line} ${d.code}`);
const FE = 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend fe\n  bind 127.0.0.1:8000\n';

test('the rules chain normalizers in order; a strict one refuses a bad escape with a 400', () => {
  const ctx = parse(`global\n  expose-experimental-directives\n${FE}  http-request normalize-uri percent-decode-unreserved strict\n  http-request normalize-uri path-merge-slashes\n  http-request normalize-uri path-strip-dotdot full\n`);
  assert.deepEqual(alerts(ctx), []);
  const rules = ctx.config.proxies[0]!.httpRequestRules;
  assert.deepEqual(rules.map((r) => r.action), [
    { kind: 'normalize-uri', op: 'percent-decode-unreserved', option: true },
    { kind: 'normalize-uri', op: 'path-merge-slashes', option: false },
    { kind: 'normalize-uri', op: 'path-strip-dotdot', option: true },
  ]);
  const run = (target: string) => {
    const h = head(target);
    const edits = new HeadEdits(h);
    const v = runRequestRules(rules, { edits, method: h.method, target: h.target, minor: h.minor, sample: null });
    return { v, target: edits.target };
  };
  assert.deepEqual(run('//x/%2E%2E/%61dmin?q'), { v: { kind: 'continue' }, target: '/admin?q' });
  assert.deepEqual(run('/plain'), { v: { kind: 'continue' }, target: null });
  assert.deepEqual(run('/a%zz').v, { kind: 'error', status: 400 });
});

test('normalize-uri needs expose-experimental-directives (HAProxy 2.6); bad normalizers and services are refused', () => {
  assert.deepEqual(alerts(parse(`${FE}  http-request normalize-uri path-merge-slashes\n`)), ['8 SY_ERR_CFG_NOT_ALLOWED']);
  const x = 'global\n  expose-experimental-directives\n';
  assert.deepEqual(alerts(parse(`${x}${FE}  http-request normalize-uri path-merge-slash\n  http-request normalize-uri\n`)), ['10 SY_ERR_CFG_ARG', '11 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(`${x}${FE}  http-request normalize-uri path-merge-slashes full\n`)), ['10 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(`${x}${FE}  http-request normalize-uri fragment-strip if { path_beg /a }\n`)), []);
  assert.deepEqual(alerts(parse(`${FE}  http-request use-service prometheus-exporter if { path /metrics }\n  http-request use-service lua.x\n`)), ['9 SY_ERR_CFG_ARG']);
  assert.deepEqual(alerts(parse(`${FE}  http-response use-service prometheus-exporter\n`)).map((a) => a.split(' ')[1]), ['SY_ERR_CFG_ARG']);
});
