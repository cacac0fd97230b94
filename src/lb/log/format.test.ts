// Log-format compiler and evaluator: every variable from one fixed record, flags,
// separators, errors. Expected strings were checked against HAProxy 2.6's output for
// the same kind of request (see test/lb/log-haproxy.test.ts for the live comparison).
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { compileLogFormat, evaluateLogFormat, encodeLogString } from './format.ts';
import { TCPLOG_FORMAT, HTTPLOG_FORMAT, CLF_FORMAT } from './defaults.ts';
import type { LogRecord } from './record.ts';
import { fixedRecord, T0 } from './test-record.ts';

function ev(fmt: string, r: LogRecord = fixedRecord(), lc = 0): string {
  const c = compileLogFormat(fmt);
  if (!c.ok) throw new Error(c.reason);
  return evaluateLogFormat(c.format, r, { lc });
}

test('every variable from a fixed record', () => {
  const cases: Array<[string, string]> = [
    ['%ci', '127.0.0.1'], ['%cp', '49764'], ['%fi', '127.0.0.1'], ['%fp', '19080'],
    ['%bi', '127.0.0.1'], ['%bp', '50546'], ['%si', '127.0.0.1'], ['%sp', '19081'],
    ['%f', 'fe'], ['%ft', 'fe'], ['%b', 'be'], ['%s', 's1'],
    ['%t', '22/Nov/2026:08:52:47.802'], ['%tr', '22/Nov/2026:08:52:47.813'],
    ['%trg', '22/Nov/2026:08:52:47 +0000'], ['%trl', '22/Nov/2026:08:52:47 +0000'],
    ['%T', '22/Nov/2026:08:52:47 +0000'], ['%Tl', '22/Nov/2026:08:52:47 +0000'],
    ['%Ts', String(Math.floor(T0 / 1000))], ['%ms', '802'],
    ['%Th', '0'], ['%Ti', '2'], ['%TR', '1'], ['%Tw', '0'], ['%Tc', '3'], ['%Tr', '9'], ['%Ta', '15'], ['%Tt', '17'],
    ['%Tq', '3'], ['%Td', '2'], ['%Tu', '15'],
    ['%ST', '200'], ['%B', '123'], ['%U', '90'], ['%CC', '-'], ['%CS', '-'],
    ['%ts', '--'], ['%tsc', '----'], ['%ac', '1'], ['%fc', '1'], ['%bc', '0'], ['%sc', '0'], ['%rc', '0'],
    ['%sq', '0'], ['%bq', '0'], ['%hr', ''], ['%hs', ''], ['%hrl', ''], ['%hsl', ''],
    ['%r', 'GET /a/b?x=1 HTTP/1.1'], ['%HM', 'GET'], ['%HU', '/a/b?x=1'], ['%HP', '/a/b'], ['%HPO', '/a/b'],
    ['%HQ', '?x=1'], ['%HV', 'HTTP/1.1'], ['%ID', '-'], ['%pid', String(process.pid)], ['%H', hostname()],
    ['%lc', '0'], ['%sslc', '-'], ['%sslv', '-'],
  ];
  for (const [fmt, want] of cases) assert.equal(ev(fmt), want, fmt);
  assert.equal(ev('%lc', fixedRecord(), 7), '7');
  assert.equal(ev('%rt %ID', fixedRecord({ rt: 1, ID: 'abc' })), '1 abc');
  assert.equal(ev('%{+X}rt', fixedRecord({ rt: 1 })), '0001');
  // Without a number of its own (TCP, no sample context) a stream draws one when logged.
  const a = Number(ev('%rt'));
  assert.ok(Number.isInteger(a) && Number(ev('%rt')) > a);
});

test('the values HAProxy derives: redispatch, no server, bad request, captures, absolute URI', () => {
  assert.equal(ev('%rc', fixedRecord({ rc: 2, redispatched: true })), '+2');
  assert.equal(ev('%si:%sp %bi:%bp', fixedRecord({ si: '', sp: 0, bi: '', bp: 0 })), '-:- -:-');
  assert.equal(ev('%{+Q}r', fixedRecord({ r: '', method: '', uri: '', version: '' })), '"<BADREQ>"');
  assert.equal(ev('%{+Q}r', fixedRecord({ r: '<BADREQ>' })), '"<BADREQ>"');
  // An HTTP stream leaves `r` empty and the line is its three parts (record.ts requestLine()).
  assert.equal(ev('%{+Q}r', fixedRecord({ r: '', method: 'PUT', uri: '/x"y#', version: 'HTTP/1.0' })), '"PUT /x#22y#23 HTTP/1.0"');
  assert.equal(ev('%HM', fixedRecord({ method: '' })), '-');
  assert.equal(ev('%hr %hs|', fixedRecord({ hr: ['a.b', 'x|y"'], hs: ['', '9'] })), '{a.b|x#7Cy#22} {|9}|');
  assert.equal(ev('%{+Q}hrl', fixedRecord({ hr: ['a', ''] })), '"a" ""');
  assert.equal(ev('%HPO %HP %HQ', fixedRecord({ uri: 'http://h:8/p/q?z' })), '/p/q http://h:8/p/q ?z');
  assert.equal(ev('%HQ', fixedRecord({ uri: '/p' })), '-');
  assert.equal(ev('%Tq %Td', fixedRecord({ TR: -1 })), '-1 -1');
  assert.equal(ev('%Td', fixedRecord({ mode: 'tcp', Ti: -1, TR: -1, Tr: -1, Tt: 10, Tw: 1, Tc: 2 })), '7');
});

test('non-printable characters, "#" and quotes are #XX-encoded in request fields', () => {
  assert.equal(ev('%r', fixedRecord({ r: 'GET /a"#\x01\xe9 HTTP/1.1' })), 'GET /a#22#23#01#E9 HTTP/1.1');
  assert.equal(ev('%HU', fixedRecord({ uri: '/x"' })), '/x#22');
  assert.equal(encodeLogString('é€'), 'é€'.replace('é', '#E9').replace('€', '#E2#82#AC'));
  assert.equal(encodeLogString('{a|b}', true), '#7Ba#7Cb#7D');
  // A character outside the BMP is its four UTF-8 bytes, once (not its two UTF-16 halves).
  assert.equal(encodeLogString('a😀b'), 'a#F0#9F#98#80b');
});

test('flags: Q quotes strings and IPs but not numbers, dates or states; X hex; E escapes', () => {
  assert.equal(ev('%{+Q}ci|%{+Q}cp|%{+Q}ST|%{+Q}b|%{+Q}CC|%{+Q}r|%{+Q}HM|%{+Q}tsc|%{+Q}t|%{+Q}ID'),
    '"127.0.0.1"|49764|200|"be"|""|"GET /a/b?x=1 HTTP/1.1"|"GET"|----|22/Nov/2026:08:52:47.802|""');
  assert.equal(ev('%{+X}Ts|%{+X}ci|%{+X}cp'), `${Math.floor(T0 / 1000).toString(16).toUpperCase()}|7F000001|C264`);
  assert.equal(ev('%{+X}pid'), (process.pid).toString(16).toUpperCase().padStart(4, '0'));
  assert.equal(ev('%{+E}b %{+Q,+E}s', fixedRecord({ b: 'a"b]c\\', s: 'x"' })), 'a\\"b\\]c\\\\ "x\\""');
  assert.equal(ev('%{+E}r', fixedRecord({ r: 'GET /] HTTP/1.1' })), 'GET /\\] HTTP/1.1');
  // %o sets the defaults of every later variable; a variable may take them back.
  assert.equal(ev('x%{+Q}o %b %{-Q}s %ci'), 'x "be" s1 "127.0.0.1"');
  // Unknown flags are ignored, as in HAProxy; M (mandatory) too.
  assert.equal(ev('%{+Z,+M}b'), 'be');
});

test('separators: runs of spaces print one space, empty variables do not break a run', () => {
  assert.equal(ev('%b   %s'), 'be s1');
  assert.equal(ev('  %b'), 'be');
  assert.equal(ev('%b %hr %hs %s'), 'be s1');
  assert.equal(ev('%b %hr'), 'be ');
  assert.equal(ev('a%%b %%'), 'a%b %');
  assert.equal(ev('%b\t%s'), 'be\ts1');
  // '%' before something that is not a name is dropped, the character kept (HAProxy).
  assert.equal(ev('a%-b'), 'a-b');
});

test('sample expressions go through the callback, "-" without one', () => {
  assert.equal(ev('%[src] %{+Q}[req.hdr(host)]'), '- ""');
  const c = compileLogFormat('%[src] %{+Q}[x]', (e) => (r) => (e === 'src' ? r.ci : null));
  assert.ok(c.ok);
  assert.equal(evaluateLogFormat(c.format, fixedRecord(), { lc: 0 }), '127.0.0.1 ""');
});

test('compile errors use HAProxy wording; HTTP-only variables are listed', () => {
  const bad = (f: string): string => { const c = compileLogFormat(f); assert.ok(!c.ok, f); return c.reason; };
  assert.match(bad('%zz'), /^no such format variable 'zz'\. If you wanted to emit the '%' character verbatim, you need to use '%%'$/);
  assert.match(bad('%Tsx'), /no such format variable 'Tsx'/);
  assert.match(bad('100%'), /truncated line after '%'/);
  assert.match(bad('%1'), /unexpected variable name near '1'/);
  assert.match(bad('% x'), /unexpected variable name near ' '/);
  assert.match(bad('%{+Q}'), /parse argument modifier without variable name/);
  assert.match(bad('%{+Q'), /truncated line/);
  assert.match(bad('%[src'), /truncated line/);
  const c = compileLogFormat(HTTPLOG_FORMAT);
  assert.ok(c.ok);
  assert.deepEqual([...c.format.httpOnly].sort(), ['CC', 'CS', 'TR', 'Ta', 'Tr', 'r', 'tr', 'tsc']);
  const t = compileLogFormat(TCPLOG_FORMAT);
  assert.ok(t.ok && t.format.httpOnly.length === 0);
});

test('the built-in formats print HAProxy 2.6 lines', () => {
  assert.equal(ev(HTTPLOG_FORMAT),
    '127.0.0.1:49764 [22/Nov/2026:08:52:47.813] fe be/s1 1/0/3/9/15 200 123 - - ---- 1/1/0/0/0 0/0 "GET /a/b?x=1 HTTP/1.1"');
  assert.equal(ev(TCPLOG_FORMAT, fixedRecord({ mode: 'tcp', ST: 0, B: 148, Tw: 1, Tc: 0, Tt: 3, b: 'bt' })),
    '127.0.0.1:49764 [22/Nov/2026:08:52:47.802] fe bt/s1 1/0/3 148 -- 1/1/0/0/0 0/0');
  // CLF keeps a trailing space (the empty %hrl/%hsl after a separator), as HAProxy does.
  assert.equal(ev(CLF_FORMAT),
    '127.0.0.1 - - [22/Nov/2026:08:52:47 +0000] "GET /a/b?x=1 HTTP/1.1" 200 123 "" "" 49764 802 "fe" "be" "s1" 1 0 3 9 15 ---- 1 1 0 0 0 0 0 "" "" ');
});

test('%{+json}o: a JSON object of the named items; text, separators and unnamed items left out', () => {
  assert.equal(ev('%{+json}o %(a)ci %(b)cp %(c)ST %(d)HU %ci text %(e)hr %(f)CC %(g)Tw %(h){+X}ci'),
    '{"a": "127.0.0.1", "b": 49764, "c": 200, "d": "/a/b?x=1", "e": null, "f": null, "g": 0, "h": "7F000001"}');
  assert.equal(ev('%{+json}o plain'), '{}');
  // Request fields are JSON-escaped, not #XX-encoded; valid UTF-8 bytes become text.
  const r = fixedRecord({ uri: '/a"\\\x01\xc3\xa9', r: '' });
  assert.equal(JSON.parse(ev('%{+json}o %(u)HU %(r)r', r)).u, '/a"\\\x01é');
  assert.equal(JSON.parse(ev('%{+json}o %(r)r', r)).r, 'GET /a"\\\x01é HTTP/1.1');
  assert.equal(ev('%{+json}o %(r)r', fixedRecord({ r: '', method: '', uri: '', version: '' })), '{"r": "<BADREQ>"}');
  // Casts: (name:str|sint|bool).
  assert.equal(ev('%{+json}o %(s:str)ST %(i:sint)HV %(t:bool)ST %(rc)rc', fixedRecord({ rc: 1, redispatched: true })), '{"s": "200", "i": null, "t": true, "rc": 1}');
});

test('+json on one item, names without encoding, and the new syntax errors', () => {
  assert.equal(ev('x=%{+json}HU y=%{+json}ST z=%{+json}CC'), 'x="/a/b?x=1" y=200 z=null');
  assert.equal(ev('%(client)ci:%(port)cp'), '127.0.0.1:49764');
  const bad = (f: string): string => { const c = compileLogFormat(f); assert.ok(!c.ok, f); return c.reason; };
  assert.match(bad('%(a:zz)ci'), /unsupported type 'zz'/);
  assert.match(bad('%(a) x'), /without a variable/);
  assert.match(bad('%(a'), /missing '\)'/);
  assert.match(bad('%{+cbor}o %(a)ci'), /'cbor' encoding is not implemented/);
});

test('samples in JSON keep their type; a format says whether it needs the sample context', () => {
  const values: Record<string, import('./format.ts').LogValue> = { n: 4, b: false, s: 'a"b', m: null };
  const c = compileLogFormat('%{+json}o %(n)[n] %(b)[b] %(s)[s] %(m)[m] %(ns:str)[n]', (e) => () => values[e] ?? null);
  assert.ok(c.ok);
  assert.equal(evaluateLogFormat(c.format, fixedRecord(), { lc: 0 }), '{"n": 4, "b": false, "s": "a\\"b", "m": null, "ns": "4"}');
  assert.equal(c.format.needsSample, true);
  const t = compileLogFormat('%[b] %{+Q}[n] %[m]', (e) => () => values[e] ?? null);
  assert.ok(t.ok);
  assert.equal(evaluateLogFormat(t.format, fixedRecord(), { lc: 0 }), '0 "4" -');
  for (const [f, need] of [['%ci %ST', false], ['%ID', true], ['%rt', true]] as const) {
    const x = compileLogFormat(f);
    assert.ok(x.ok);
    assert.equal(x.format.needsSample, need, f);
  }
  // A compile error of the sample becomes the reason, with the rest of the string quoted.
  const e = compileLogFormat('a %[zz] b', () => { throw new Error('bad <{REST}>'); });
  assert.ok(!e.ok);
  assert.equal(e.reason, 'bad <zz] b>');
});
