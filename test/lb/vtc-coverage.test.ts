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
 *
 * The same holds for the runtime API commands of issue 6 ("`.vtc` tests for … every
 * runtime command listed"): each must be SENT to a stats socket by some test, either in
 * a `haproxy NAME -cli { send "…" }` block or by a socket-driven step (a `shell` block
 * whose script writes to the socket: `print $s "…"` or `cli("…")`). Sent lines are split
 * into commands at ';' and at an escaped newline, as the CLI reads them.
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

// ---- what the tests send to the stats socket ---------------------------------------------

/** The lines of every block opened by a line matching `opener`, up to a line starting with `}`. */
function blocks(vtc: string, opener: RegExp): string[][] {
  const out: string[][] = [];
  const lines = vtc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!opener.test(lines[i]!)) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('}'); i++) body.push(lines[i]!);
    out.push(body);
  }
  return out;
}

/**
 * Every text a test sends to a stats socket: the strings of `send "…"` in -cli blocks, and
 * of `print $s "…"` / `cli("…")` in shell blocks. VTest and Perl escapes are left as
 * written (an escaped newline is two characters).
 */
export function cliTexts(vtc: string): string[] {
  const out: string[] = [];
  for (const body of blocks(vtc, /^\s*haproxy\s+\S+\s+(?:.*\s)?-cli\s*\{\s*$/)) {
    for (const l of body) {
      const m = /^\s*send\s+"((?:[^"\\]|\\.)*)"/.exec(stripComment(l));
      if (m) out.push(m[1]!);
    }
  }
  for (const body of blocks(vtc, /^\s*shell\b.*\{\s*$/)) {
    for (const m of body.join('\n').matchAll(/(?:print\s+\$\w+\s+|\bcli\(\s*)"((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!);
  }
  return out;
}

/** One sent text as the commands the CLI runs: split at ';' and at escaped newlines. */
function commandsOf(text: string): string[] {
  return text.split(/;|\\n/).map((c) => c.trim().replace(/\s+/g, ' ')).filter((c) => c !== '');
}

const SENT = readdirSync(VTC_DIR)
  .filter((f) => f.endsWith('.vtc'))
  .sort()
  .map((f) => readFileSync(join(VTC_DIR, f), 'utf8'));
const SENT_TEXTS = SENT.flatMap(cliTexts);
const SENT_COMMANDS = SENT_TEXTS.flatMap(commandsOf);

/** A command of the issue's list, recognised by how a sent command starts. */
const cmd = (name: string, re: RegExp = new RegExp(`^${esc(name)}(?: |$)`)): Item => ({ name, re });

/** Issue 6's runtime commands, as data. */
const CLI_ITEMS: Item[] = [
  cmd('help'), cmd('show info'), cmd('show stat', /^show stat$/), cmd('show stat typed', /^show stat (?:.* )?typed\b/),
  cmd('show stat json', /^show stat (?:.* )?json\b/), cmd('show servers state'), cmd('show backend'), cmd('show sess'),
  cmd('show errors'), cmd('show table', /^show table$/), cmd('show table NAME', /^show table \S+/),
  cmd('show table NAME data.X op V', /^show table \S+ data\.\S+ (?:eq|ne|le|ge|lt|gt) \S+/), cmd('clear table'), cmd('set table'),
  cmd('show map'), cmd('add map'), cmd('del map'), cmd('set map'), cmd('clear map'), cmd('show acl'), cmd('add acl'), cmd('del acl'),
  cmd('set server B/S state ready', /^set server \S+ state ready$/), cmd('set server B/S state drain', /^set server \S+ state drain$/),
  cmd('set server B/S state maint', /^set server \S+ state maint$/), cmd('set server B/S weight N', /^set server \S+ weight \d+$/),
  cmd('set server B/S weight N%', /^set server \S+ weight \d+%$/), cmd('set server B/S addr IP', /^set server \S+ addr \S+/),
  cmd('set server B/S addr IP port P', /^set server \S+ addr \S+ port \S+/), cmd('set weight'), cmd('get weight'),
  cmd('enable server'), cmd('disable server'), cmd('enable health'), cmd('disable health'), cmd('enable agent'), cmd('disable agent'),
  cmd('add server'), cmd('del server'), cmd('set maxconn server'), cmd('set maxconn frontend'), cmd('set maxconn global'),
  cmd('set rate-limit'), cmd('shutdown session'), cmd('shutdown sessions server'), cmd('clear counters', /^clear counters$/),
  cmd('clear counters all', /^clear counters all$/), cmd('show env'), cmd('show version'), cmd('quit'), cmd('prompt', /^prompt$/),
];

function missingCommands(): string[] {
  const gone = CLI_ITEMS.filter((it) => !SENT_COMMANDS.some((c) => it.re.test(c))).map((it) => it.name);
  // A ';'-separated list on one line.
  if (!SENT_TEXTS.some((t) => commandsOf(t.replace(/\\n/g, '')).length > 1 && t.includes(';'))) gone.push("';'-separated command list");
  // 'prompt' mode driven on one connection: prompt, then another command on the same session.
  if (!SENT_TEXTS.some((t) => { const c = commandsOf(t); return c[0] === 'prompt' && c.length > 1; }) &&
      !SENT.some((v) => cliTexts(v).some((t) => commandsOf(t)[0] === 'prompt') && cliTexts(v).some((t) => commandsOf(t).includes('quit')))) {
    gone.push('prompt mode (a command after prompt on the same session)');
  }
  // Levels: a socket below admin is opened and a state change is attempted at a lower level.
  if (!CONFIGS.some((c) => /^\s*stats\s+socket\s+\S+\s+(?:.*\s)?level\s+(?:user|operator)\b/m.test(c.text))) gone.push('a stats socket at level user/operator');
  if (!SENT_TEXTS.some((t) => { const c = commandsOf(t); const i = c.findIndex((x) => x === 'user' || x === 'operator'); return i >= 0 && c.slice(i + 1).some((x) => /^(?:set|disable|enable|add|del|shutdown|clear) /.test(x)); })) {
    gone.push("a state change after 'user' / 'operator' lowered the level");
  }
  return gone;
}

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

test('the CLI scanner reads sent lines of -cli blocks and socket writes of shell blocks, split into commands', () => {
  const vtc = [
    'haproxy h1 -cli {',
    '    send "show stat; set server be1/srv1 state maint"',
    '    expect ~ "^show version"',
    '}',
    'shell -match "x" {',
    '    perl -e \'print $s "prompt\\nshow sess\\n"; print cli("del map /x a");\'',
    '}',
    'client c1 {',
    '    send "show env"',
    '}',
  ].join('\n');
  const texts = cliTexts(vtc);
  assert.deepEqual(texts, ['show stat; set server be1/srv1 state maint', 'prompt\\nshow sess\\n', 'del map /x a']);
  assert.deepEqual(texts.flatMap(commandsOf), ['show stat', 'set server be1/srv1 state maint', 'prompt', 'show sess', 'del map /x a']);
});

test('every listed runtime API command is sent to a stats socket by a vtc', () => {
  const gone = missingCommands();
  assert.deepEqual(gone, [], `${gone.length} runtime commands never sent to a stats socket by a test/vtc/*.vtc (-cli send or a socket-driven shell step): ${gone.join(', ')}`);
});
