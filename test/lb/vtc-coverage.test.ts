/**
 * Coverage of the content-switching vocabulary by the VTest suite (issue 5: "`.vtc`
 * tests for each fetch, converter, matcher and action listed; exact responses
 * asserted"). The lists below are the issue's, as data; each name must be USED in the
 * configuration of at least one test/vtc/*.vtc, that is inside a `haproxy NAME -conf
 * { … }` block (not in a comment, not in a -conf-OK/-conf-BAD syntax check), in a
 * position where it means that keyword:
 *  - a fetch (or an ACL short form) starts a sample expression: `%[NAME`, `{ NAME`,
 *    `acl X NAME`, `set-var(…) NAME`, `track-scN NAME`, `capture NAME`, `stick on NAME`…
 *  - a converter follows a comma: `,NAME`;
 *  - a match method follows -m; -i, -f and -M are flags of an ACL line or block;
 *  - a predefined ACL, `!`, `or`, `||`, an anonymous ACL and two terms in a row
 *    (implicit AND) are read on condition lines (after `if` / `unless`);
 *  - an action follows its rule keyword: `http-request NAME`, `tcp-request content NAME`…
 * Whether the file then asserts exact responses is for review; this test only keeps
 * every listed name from being forgotten. Each kind is its own test, and a failure lists
 * every missing name of that kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONVERTERS } from '../../src/lb/acl/index.ts';

const VTC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'vtc');

// ---- the issue's lists ---------------------------------------------------------------

const FETCHES = [
  'src', 'src_port', 'dst', 'dst_port', 'fe_name', 'be_name', 'srv_name',
  'path', 'pathq', 'url', 'base', 'query', 'url_param', 'urlp', 'method', 'req.ver',
  'req.hdr', 'req.hdr_cnt', 'req.fhdr', 'req.fhdr_cnt', 'req.hdr_val', 'hdr', 'hdr_cnt', 'hdr_val',
  'req.cook', 'req.cook_cnt', 'cook', 'cook_cnt',
  'res.hdr', 'res.hdr_cnt', 'res.fhdr', 'shdr', 'status',
  'req.body', 'req.body_len', 'req.len', 'http_auth', 'http_auth_group',
  'nbsrv', 'connslots', 'queue', 'avg_queue', 'be_conn', 'srv_is_up',
  'always_true', 'always_false', 'int', 'str', 'bool', 'ipv4', 'ipv6',
  'var', 'uuid', 'rand', 'date', 'unique-id',
];

const MATCH_METHODS = ['str', 'beg', 'end', 'sub', 'reg', 'dir', 'dom', 'found', 'len', 'int', 'ip', 'bool', 'bin'];

/** HAProxy 2.6's ACL short forms (acl_kws of http_fetch.c) that Switchyard resolves. */
const SHORT_FORMS = [
  ...['path', 'hdr', 'url', 'urlp', 'base', 'cook', 'shdr'].flatMap((f) => ['beg', 'end', 'sub', 'reg', 'dir', 'dom', 'len'].map((m) => `${f}_${m}`)),
  'req_ver',
];

/** HAProxy 2.6's predefined ACLs (configuration.txt §7.4). */
const PREDEFINED = [
  'FALSE', 'HTTP', 'HTTP_1.0', 'HTTP_1.1', 'HTTP_2.0', 'HTTP_CONTENT', 'HTTP_URL_ABS', 'HTTP_URL_SLASH', 'HTTP_URL_STAR',
  'LOCALHOST', 'METH_CONNECT', 'METH_DELETE', 'METH_GET', 'METH_HEAD', 'METH_OPTIONS', 'METH_POST', 'METH_PUT', 'METH_TRACE',
  'RDP_COOKIE', 'REQ_CONTENT', 'TRUE', 'WAIT_END',
];

/** The issue's converters, every map* variant and every table_* converter registered. */
const CONVERTER_NAMES = [...new Set([
  'lower', 'upper', 'map', 'map_str', 'map_beg', 'map_sub', 'map_dir', 'map_dom', 'map_end', 'map_reg', 'map_ip', 'map_int',
  'ipmask', 'base64', 'b64dec', 'ub64enc', 'ub64dec', 'hex', 'json', 'field', 'word', 'regsub', 'concat',
  'add', 'sub', 'mul', 'div', 'mod', 'strcmp', 'crc32', 'djb2', 'sdbm', 'wt6', 'xxh3', 'sha1', 'sha2', 'digest', 'hmac',
  'url_dec', 'url_enc', 'param', 'bytes', 'length', 'iif',
  ...[...CONVERTERS.keys()].filter((n) => n.startsWith('map_') || n.startsWith('table_')),
])];

const HTTP_REQUEST_ACTIONS = [
  'allow', 'deny', 'return', 'redirect', 'auth', 'add-header', 'set-header', 'del-header', 'replace-header', 'replace-value',
  'set-path', 'set-pathq', 'set-query', 'set-uri', 'set-method', 'set-var', 'unset-var', 'set-log-level', 'set-timeout',
  'capture', 'tarpit', 'track-sc0', 'track-sc1', 'track-sc2', 'sc-inc-gpc0', 'sc-set-gpt0', 'reject', 'normalize-uri', 'wait-for-body',
];
const HTTP_RESPONSE_ACTIONS = ['set-status', 'set-header', 'del-header', 'deny', 'return'];

// ---- what the tests configure ----------------------------------------------------------

/** Cuts a `#` comment (at the start or after a blank, outside quotes) off one line. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') { i++; continue; }
    if (quote) { if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return line.slice(0, i);
  }
  return line;
}

/**
 * The text of every `haproxy NAME -conf {` block: from that line to the first line that
 * starts with `}` (VTest blocks close at column 0; the configuration is indented, so the
 * braces of `{ … }` ACLs and regex quantifiers never end a block).
 */
export function confBlocks(vtc: string): string[] {
  const out: string[] = [];
  const lines = vtc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*haproxy\s+\S+\s+(?:.*\s)?-conf\s*\{\s*$/.test(lines[i]!)) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('}'); i++) body.push(stripComment(lines[i]!));
    out.push(body.join('\n'));
  }
  return out;
}

function loadConfigs(): { file: string; text: string }[] {
  return readdirSync(VTC_DIR)
    .filter((f) => f.endsWith('.vtc'))
    .sort()
    .map((f) => ({ file: f, text: confBlocks(readFileSync(join(VTC_DIR, f), 'utf8')).join('\n') }));
}

const CONFIGS = loadConfigs();

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const END = '(?![\\w.-])';
/** Where a sample expression (a fetch, or an ACL criterion) starts. */
const EXPR_START = String.raw`(?:%\[\s*|\{\s*|^\s*acl\s+\S+\s+|\bset-var\([^)]*\)\s+|\btrack-sc[0-2]\s+|\bcapture\s+|\bstick\s+(?:on|match|store-request|store-response)\s+)`;
/** A condition: the rest of a line after `if` or `unless`. */
const COND = String.raw`\s(?:if|unless)\s(?:[^\n]*?\s)?`;

interface Item { name: string; re: RegExp }

const fetchItem = (name: string): Item => ({ name, re: new RegExp(`${EXPR_START}${esc(name)}${END}`, 'm') });

const MATCHER_ITEMS: Item[] = [
  ...MATCH_METHODS.map((m) => ({ name: `-m ${m}`, re: new RegExp(`\\s-m\\s+${m}(?![\\w-])`) })),
  { name: '-i', re: /\s-i\s/ },
  { name: '-f', re: /\s-f\s+\S/ },
  { name: '-M', re: /\s-M\s/ },
  ...SHORT_FORMS.map(fetchItem),
  ...PREDEFINED.map((n) => ({ name: n, re: new RegExp(`${COND}!?${esc(n)}(?![\\w.])`) })),
  { name: 'anonymous ACL { … }', re: new RegExp(`${COND}!?\\{\\s`) },
  { name: '! (negation)', re: new RegExp(`${COND}!`) },
  { name: 'or', re: new RegExp(`${COND}or\\s`) },
  { name: '||', re: new RegExp(`${COND}\\|\\|\\s`) },
  {
    name: 'implicit and (two terms in a row)',
    re: /\s(?:if|unless)\s+(?:!?\{[^}\n]*\}|!?[A-Za-z_][\w.]*)\s+(?!or\s|\|\|)(?:!?\{|!?[A-Za-z_])/,
  },
  { name: 'unless', re: /\sunless\s+\S/ },
];

const ACTION_ITEMS: Item[] = [
  ...HTTP_REQUEST_ACTIONS.map((a) => ({ name: `http-request ${a}`, re: new RegExp(`\\bhttp-request\\s+${esc(a)}(?![\\w-])`) })),
  ...HTTP_RESPONSE_ACTIONS.map((a) => ({ name: `http-response ${a}`, re: new RegExp(`\\bhttp-response\\s+${esc(a)}(?![\\w-])`) })),
  { name: 'http-after-response', re: /\bhttp-after-response\s+\S/ },
  ...['connection', 'content'].flatMap((w) => [
    { name: `tcp-request ${w} accept`, re: new RegExp(`\\btcp-request\\s+${w}\\s+accept(?![\\w-])`) },
    { name: `tcp-request ${w} reject`, re: new RegExp(`\\btcp-request\\s+${w}\\s+reject(?![\\w-])`) },
    { name: `tcp-request ${w} track-sc*`, re: new RegExp(`\\btcp-request\\s+${w}\\s+track-sc[0-2](?![\\w-])`) },
  ]),
  { name: 'tcp-request inspect-delay', re: /\btcp-request\s+inspect-delay\s+\S/ },
  { name: 'monitor-uri', re: /^\s*monitor-uri\s+\S/m },
  { name: 'monitor fail', re: /^\s*monitor\s+fail\s/m },
  { name: 'http-errors', re: /^\s*http-errors\s+\S/m },
  { name: 'errorfiles', re: /^\s*(?:http-(?:request|response|after-response)\s+\S.*\s)?errorfiles\s+\S/m },
];

function missing(items: readonly Item[]): string[] {
  return items.filter((it) => !CONFIGS.some((c) => it.re.test(c.text))).map((it) => it.name);
}

function assertCovered(kind: string, items: readonly Item[]): void {
  const gone = missing(items);
  assert.deepEqual(gone, [], `${gone.length} ${kind} not used in any test/vtc/*.vtc haproxy -conf block: ${gone.join(', ')}`);
}

test('the scanner reads haproxy -conf blocks only, without comments', () => {
  const vtc = [
    'varnishtest "x"',
    '# %[path] in a comment of the file',
    'haproxy h1 -conf {',
    '    frontend fe',
    '        # http-request deny if { path /x }',
    '        http-request return status 200 lf-string "%[query,lower]" if { req.hdr(x) -m reg ^a{2}$ } # %[src]',
    '} -start',
    'haproxy h2 -conf-OK {',
    '    frontend fe',
    '        http-request set-var(txn.a) src',
    '}',
  ].join('\n');
  const blocks = confBlocks(vtc);
  assert.equal(blocks.length, 1);
  const text = blocks[0]!;
  assert.ok(fetchItem('query').re.test(text));
  assert.ok(fetchItem('req.hdr').re.test(text));
  assert.ok(!fetchItem('path').re.test(text), 'a commented line does not count');
  assert.ok(!fetchItem('src').re.test(text), 'a trailing comment does not count');
  assert.ok(!fetchItem('status').re.test(text), "return's status keyword is not the status fetch");
  assert.ok(/,lower(?![\w.-])/.test(text));
});

test('every listed fetch is used in a vtc', () => {
  assertCovered('fetches', FETCHES.map(fetchItem));
});

test('every listed matcher (-m methods, flags, short forms, predefined ACLs, operators) is used in a vtc', () => {
  assertCovered('matchers', MATCHER_ITEMS);
});

test('every listed converter is used in a vtc', () => {
  assertCovered('converters', CONVERTER_NAMES.map((name) => ({ name, re: new RegExp(`,\\s*${esc(name)}${END}`) })));
});

test('every listed action is used in a vtc', () => {
  assertCovered('actions', ACTION_ITEMS);
});
