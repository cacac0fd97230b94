// Log lines as bytes (line-bytes.ts) against the string path (format.ts + syslog.ts +
// truncateLine), which stays the reference: for generated formats (every variable, every
// flag, text with non-ASCII characters), generated records (control characters, '#', '"',
// latin1 and astral characters, lone surrogates, negative and huge numbers, empty
// fields) and every syslog format the byte path serves, at any `len`, the bytes must be
// identical.
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileLogFormat, evaluateLogFormat } from './format.ts';
import { byteFormat, headerBytes, LineWriter, writeMessage } from './line-bytes.ts';
import { syslogFramer, truncateLine } from './syslog.ts';
import { CLF_FORMAT, HTTPLOG_FORMAT, TCPLOG_FORMAT } from './defaults.ts';
import { fixedRecord, T0 } from './test-record.ts';
import type { LogRecord } from './record.ts';
import type { SyslogFormat } from './types.ts';

const VARS = ['ci', 'cp', 'fi', 'fp', 'bi', 'bp', 'si', 'sp', 'f', 'ft', 'b', 's', 't', 'tr', 'trg', 'trl', 'T', 'Tl', 'Ts', 'ms',
  'Th', 'Ti', 'TR', 'Tw', 'Tc', 'Tr', 'Ta', 'Tt', 'Tq', 'Td', 'Tu', 'ST', 'B', 'U', 'CC', 'CS', 'ts', 'tsc', 'ac', 'fc', 'bc', 'sc',
  'rc', 'sq', 'bq', 'hr', 'hs', 'hrl', 'hsl', 'r', 'HM', 'HU', 'HP', 'HPO', 'HQ', 'HV', 'ID', 'pid', 'lc', 'sslc', 'sslv'];
const FLAGS = ['', '{+Q}', '{+X}', '{+E}', '{+Q,+E}', '{+Q,+X}', '{+E,+X}'];
const SERVED: SyslogFormat[] = ['local', 'rfc3164', 'raw', 'short', 'priority'];

// Well-formed strings: a lone surrogate at the end of one field and another at the start of
// the next would pair up in the string path's joined message (never in a record: its
// strings come from latin1 bytes or UTF-8 text); lone surrogates have their own test below.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '#', '"', '\\', ']', '|', '{', '\x01', '\x7f', '\xe9', '\xff', '€', '😀'), maxLength: 24 }),
  fc.constantFrom('', '127.0.0.1', '::1', '10.0.0.255', 'GET / HTTP/1.1'),
).map((s) => s.toWellFormed());
const int = fc.oneof(fc.integer({ min: -2, max: 100_000 }), fc.constantFrom(-1, 0, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 40, 1e21, 2.5));

const record = fc.record({
  ci: nasty, fi: nasty, bi: nasty, si: nasty, f: nasty, b: nasty, s: nasty, r: nasty, method: nasty, uri: nasty, version: nasty,
  cp: int, fp: int, bp: int, sp: int, Th: int, Ti: int, TR: int, Tw: int, Tc: int, Tr: int, Ta: int, Tt: int, ST: int, B: int, U: int,
  ac: int, fc: int, bc: int, sc: int, rc: int, sq: int, bq: int,
  ts: fc.constantFrom('--', 'CD', 'sH', 'PR'), cookieFlags: fc.constantFrom('--', 'NI', 'VN'), redispatched: fc.boolean(),
  hr: fc.array(nasty, { maxLength: 3 }), hs: fc.array(nasty, { maxLength: 2 }),
  acceptDate: fc.integer({ min: T0 - 1e9, max: T0 + 1e9 }),
}).map((o): LogRecord => fixedRecord({ ...o, requestDate: o.acceptDate + 7, rt: 5, ID: 'id"#1' }));

const format = fc.array(fc.oneof(
  fc.tuple(fc.constantFrom(...FLAGS), fc.constantFrom(...VARS)).map(([f, v]) => '%' + f + v),
  fc.constantFrom(' ', '  ', '/', ':', '"', 'é', '€', '[', '%%', '-x'),
), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));

const ctx = { tag: 'haproxy', pid: 4242, hostname: undefined };

function viaStrings(src: string, r: LogRecord, fmt: SyslogFormat, level: number, now: number, maxLen: number): Buffer {
  const c = compileLogFormat(src);
  if (!c.ok) throw new Error(c.reason);
  const msg = evaluateLogFormat(c.format, r, { lc: 3 });
  return truncateLine(Buffer.from(syslogFramer(fmt, 16, ctx)(level, now, msg, ''), 'utf8'), maxLen);
}

function viaBytes(src: string, r: LogRecord, fmt: SyslogFormat, level: number, now: number, maxLen: number): Buffer {
  const c = compileLogFormat(src);
  if (!c.ok) throw new Error(c.reason);
  const bf = byteFormat(c.format)!;
  const head = headerBytes(fmt, 16, ctx)!;
  const mem = Buffer.alloc(maxLen + 16, 0xee);
  const w = new LineWriter();
  w.begin(mem, 8, maxLen);
  w.bytes(head(level, now));
  writeMessage(bf, r, { lc: 3 }, w);
  w.byte(0x0a);
  const len = w.finish();
  assert.ok(mem.subarray(0, 8).every((b) => b === 0xee) && mem.subarray(8 + maxLen).every((b) => b === 0xee), 'wrote outside its room');
  return mem.subarray(8, 8 + len);
}

test('generated formats and records: the byte path writes exactly the string path\'s bytes', () => {
  fc.assert(fc.property(format, record, fc.constantFrom(...SERVED), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 20, max: 400 }),
    (src, r, fmt, level, maxLen) => {
      const now = r.acceptDate + 123.456;
      assert.deepEqual(viaBytes(src, r, fmt, level, now, maxLen), viaStrings(src, r, fmt, level, now, maxLen), `format '${src}'`);
    }), { numRuns: 3000 });
});

/** The compiled line (line-compile.ts) in a room of `room` bytes: its bytes, or null when it declined (-1). */
function viaFast(src: string, r: LogRecord, room: number): Buffer | null {
  const c = compileLogFormat(src);
  if (!c.ok) throw new Error(c.reason);
  const mem = Buffer.alloc(room + 16, 0xee);
  const end = byteFormat(c.format)!.fast(r, { lc: 3 }, mem, 8, 8 + room);
  assert.ok(mem.subarray(0, 8).every((b) => b === 0xee) && mem.subarray(8 + room).every((b) => b === 0xee), 'wrote outside its room');
  if (end < 0) return null;
  assert.ok(end >= 8 && end <= 8 + room);
  return mem.subarray(8, end);
}

test('generated formats and records: the compiled line writes the string path\'s message (or declines: the interpreter writes it)', () => {
  let served = 0;
  fc.assert(fc.property(format, record, fc.integer({ min: 0, max: 1200 }), (src, r, room) => {
    const c = compileLogFormat(src);
    assert.ok(c.ok);
    const want = Buffer.from(evaluateLogFormat(c.format, r, { lc: 3 }), 'utf8');
    const got = viaFast(src, r, room);
    if (got === null) return; // allowed: the interpreter then writes the line
    served++;
    assert.deepEqual(got, want, `format '${src}'`);
  }), { numRuns: 4000 });
  assert.ok(served > 1000, `the compiled path served only ${served} of 4000 lines`);
});

test('the built-in formats, whole and cut at every length', () => {
  const r = fixedRecord({ r: 'GET /x?a="b"#c HTTP/1.1', hr: ['h|1'], f: 'frönt' });
  for (const src of [HTTPLOG_FORMAT, TCPLOG_FORMAT, CLF_FORMAT]) {
    const whole = viaStrings(src, r, 'local', 6, T0, 65535);
    assert.deepEqual(viaBytes(src, r, 'local', 6, T0, 65535), whole);
    const c = compileLogFormat(src);
    assert.ok(c.ok);
    assert.deepEqual(viaFast(src, r, 65535), Buffer.from(evaluateLogFormat(c.format, r, { lc: 3 }), 'utf8'), 'the compiled line');
    // A long URI in a UDP target's default room (len 1024) is still served by the compiled line.
    const long = fixedRecord({ r: '', method: 'GET', uri: '/' + 'p/'.repeat(100) + '?q=1', version: 'HTTP/1.1', hr: ['h|1'] });
    assert.deepEqual(viaFast(src, long, 1024), Buffer.from(evaluateLogFormat(c.format, long, { lc: 3 }), 'utf8'), 'the compiled line, long URI');
    // Values longer than the writer's first scratch array, in a short room: the scratch grows.
    const huge = fixedRecord({ r: '', method: 'GET', uri: '/' + 'é€'.repeat(3000), version: 'HTTP/1.1', f: 'f'.repeat(5000) });
    for (const len of [60, 300, 9000, 65535]) assert.deepEqual(viaBytes(src, huge, 'raw', 6, T0, len), viaStrings(src, huge, 'raw', 6, T0, len), `huge, len ${len}`);
    for (let len = 1; len <= whole.length + 1; len++) assert.deepEqual(viaBytes(src, r, 'rfc3164', 3, T0, len), viaStrings(src, r, 'rfc3164', 3, T0, len), `len ${len}`);
  }
});

test('a lone surrogate inside a field is written as U+FFFD by every path', () => {
  for (const v of ['a\ud800b', 'a\udc00', '\ud800', 'x\udbff\udbffy']) {
    const r = fixedRecord({ f: v, b: v, s: v });
    for (const src of ['[%f] %b/%s', '%{+Q}f.']) {
      const c = compileLogFormat(src);
      assert.ok(c.ok);
      const want = Buffer.from(evaluateLogFormat(c.format, r, { lc: 3 }), 'utf8');
      assert.ok(want.includes(Buffer.from('\ufffd', 'utf8')));
      assert.deepEqual(viaFast(src, r, 400), want, src);
      assert.deepEqual(viaBytes(src, r, 'raw', 6, T0, 400), Buffer.concat([want, Buffer.from('\n')]), src);
    }
  }
});

test('%t outside 1970–9999 or with a fraction of a millisecond: the compiled line declines, the interpreter writes it', () => {
  for (const d of [-1000, 3e14, T0 + 0.5]) {
    const r = fixedRecord({ acceptDate: d });
    assert.equal(viaFast('[%t]', r, 400), null, String(d));
    assert.deepEqual(viaBytes('[%t]', r, 'raw', 6, T0, 400), viaStrings('[%t]', r, 'raw', 6, T0, 400), String(d));
  }
  assert.deepEqual(viaFast('[%t]', fixedRecord(), 400), Buffer.from('[22/Nov/2026:08:52:47.802]'));
});

test('JSON lines and sub-second syslog headers are left to the string path', () => {
  const c = compileLogFormat('%{+json}o %(a)ST');
  assert.ok(c.ok);
  assert.equal(byteFormat(c.format), null);
  for (const f of ['rfc5424', 'iso', 'timed'] as const) assert.equal(headerBytes(f, 16, ctx), null);
});

test('with code generation refused (node --disallow-code-generation-from-strings) the interpreter writes every line', async () => {
  const { execFileSync } = await import('node:child_process');
  const here = new URL('./line-bytes.ts', import.meta.url).href;
  const fmt = new URL('./format.ts', import.meta.url).href;
  const rec = new URL('./test-record.ts', import.meta.url).href;
  const script = `process.env.TZ = 'UTC';
    const { byteFormat, LineWriter, writeMessage } = await import(${JSON.stringify(here)});
    const { compileLogFormat, evaluateLogFormat } = await import(${JSON.stringify(fmt)});
    const { fixedRecord } = await import(${JSON.stringify(rec)});
    const c = compileLogFormat('%ci [%t] %{+Q}r %ST');
    const bf = byteFormat(c.format);
    const mem = Buffer.alloc(400);
    const r = fixedRecord();
    const fast = bf.fast(r, { lc: 0 }, mem, 0, 400);
    const w = new LineWriter(); w.begin(mem, 0, 400); writeMessage(bf, r, { lc: 0 }, w);
    const same = mem.subarray(0, w.finish()).equals(Buffer.from(evaluateLogFormat(c.format, r, { lc: 0 })));
    process.stdout.write(JSON.stringify({ fast, same }));`;
  const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { fast: -1, same: true });
});
