/**
 * Runs the request-smuggling corpus (test/http/smuggling-corpus.ts) through the HTTP/1
 * request parser and, for chunked bodies, the chunked scanner: every case must end in
 * exactly the expected status, or be accepted with exactly the expected framing and a
 * body that ends where the raw bytes end (a message that is "accepted" but delimited one
 * byte off is a smuggling bug too).
 *
 * Two more properties are checked over the same cases, because bytes arrive split:
 *   - the chunked scanner reaches the same verdict when fed one byte at a time;
 *   - every proper prefix of a head is either 'incomplete' or already the expected
 *     error, never 'done' and never another error (small cases only, to stay fast).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SMUGGLING_CORPUS, CORPUS_LIMITS, type SmugglingCase } from '../../../test/http/smuggling-corpus.ts';
import { ChunkedScanner } from './chunked.ts';
import { parseRequestHead } from './h1-parse.ts';
import { DEFAULT_LIMITS, type BodyFraming } from './types.ts';

/** What the codec made of a whole message. */
type Verdict =
  | { kind: 'error'; status: number; reason: string; where: 'head' | 'body' }
  | { kind: 'ok'; framing: BodyFraming; headEnd: number; bodyEnd: number }
  | { kind: 'incomplete'; where: 'head' | 'body' };

type Feeder = (scanner: ChunkedScanner, body: Buffer) => { consumed: number; done: boolean; error?: { status: number; reason: string } };

/** The whole body in one feed() call. */
const feedAll: Feeder = (scanner, body) => scanner.feed(body, 0);

/**
 * One byte per feed() call. Unconsumed bytes are kept and offered again with the next
 * one, so this works whether the scanner keeps partial state or asks for a re-feed.
 */
const feedBytewise: Feeder = (scanner, body) => {
  let pending = Buffer.alloc(0);
  let consumed = 0;
  for (let i = 0; i < body.length; i++) {
    pending = Buffer.concat([pending, body.subarray(i, i + 1)]);
    const r = scanner.feed(pending, 0);
    if (r.error) return { consumed: consumed + r.consumed, done: false, error: r.error };
    consumed += r.consumed;
    pending = pending.subarray(r.consumed);
    if (r.done) return { consumed, done: true };
  }
  return { consumed, done: false };
};

function run(c: SmugglingCase, feeder: Feeder = feedAll): Verdict {
  const buf = Buffer.from(c.raw, 'latin1');
  const out = parseRequestHead(buf, DEFAULT_LIMITS);
  if (out.state === 'incomplete') return { kind: 'incomplete', where: 'head' };
  if (out.state === 'error') return { kind: 'error', status: out.error.status, reason: out.error.reason, where: 'head' };
  const { head } = out;
  const f = head.framing;
  if (f.kind === 'length') return { kind: 'ok', framing: f, headEnd: head.end, bodyEnd: head.end + f.length };
  if (f.kind !== 'chunked') return { kind: 'ok', framing: f, headEnd: head.end, bodyEnd: head.end };
  const r = feeder(new ChunkedScanner(), buf.subarray(head.end));
  if (r.error) return { kind: 'error', status: r.error.status, reason: r.error.reason, where: 'body' };
  if (!r.done) return { kind: 'incomplete', where: 'body' };
  return { kind: 'ok', framing: f, headEnd: head.end, bodyEnd: head.end + r.consumed };
}

function describeVerdict(v: Verdict): string {
  switch (v.kind) {
    case 'error': return `${v.status} (${v.reason}, in the ${v.where})`;
    case 'incomplete': return `incomplete (${v.where})`;
    case 'ok': return `ok, framing ${JSON.stringify(v.framing)}, body ends at ${v.bodyEnd}`;
  }
}

function describeExpect(c: SmugglingCase): string {
  const e = c.expect;
  return 'status' in e ? String(e.status) : `ok, framing ${e.framing}${e.length === undefined ? '' : ` length ${e.length}`}`;
}

/** Does a verdict satisfy the case? Returns the complaint, or null. */
function mismatch(c: SmugglingCase, v: Verdict): string | null {
  const e = c.expect;
  const got = describeVerdict(v);
  if ('status' in e) {
    return v.kind === 'error' && v.status === e.status ? null : `expected ${e.status}, got ${got}`;
  }
  if (v.kind !== 'ok') return `expected ${describeExpect(c)}, got ${got}`;
  const f = v.framing;
  // "Content-Length: 0" and "no body" delimit the same zero bytes; either report is fine.
  const zeroLength = e.framing === 'length' && e.length === 0 && f.kind === 'none';
  if (f.kind !== e.framing && !zeroLength) return `expected ${describeExpect(c)}, got ${got}`;
  if (e.length !== undefined && f.kind === 'length' && f.length !== e.length) return `expected ${describeExpect(c)}, got ${got}`;
  const total = Buffer.byteLength(c.raw, 'latin1');
  if (v.bodyEnd !== total) return `expected the message to end at byte ${total}, got ${got}`;
  return null;
}

test('the corpus is large enough, names are unique and limits match DEFAULT_LIMITS', () => {
  assert.ok(SMUGGLING_CORPUS.length >= 70, `only ${SMUGGLING_CORPUS.length} cases`);
  const names = new Set<string>();
  for (const c of SMUGGLING_CORPUS) {
    assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
    names.add(c.name);
    assert.ok(c.why.length > 0, `${c.name} has no why`);
  }
  assert.deepEqual({ ...CORPUS_LIMITS }, { ...DEFAULT_LIMITS });
});

describe('smuggling corpus: whole message', () => {
  for (const c of SMUGGLING_CORPUS) {
    test(c.name, () => {
      const why = mismatch(c, run(c));
      assert.equal(why, null, `${c.name}: ${why} — ${c.why}`);
    });
  }
});

describe('smuggling corpus: chunked body fed one byte at a time', () => {
  for (const c of SMUGGLING_CORPUS) {
    const v = run(c);
    if (v.kind === 'error' && v.where === 'head') continue;
    if (!(v.kind === 'ok' && v.framing.kind === 'chunked') && !(v.kind === 'error' && v.where === 'body')) continue;
    test(c.name, () => {
      const split = run(c, feedBytewise);
      assert.equal(describeVerdict(split).replace(/ \(.*\)$/, ''), describeVerdict(v).replace(/ \(.*\)$/, ''),
        `${c.name}: byte-wise feeding gave ${describeVerdict(split)}, whole-buffer gave ${describeVerdict(v)}`);
    });
  }
});

describe('smuggling corpus: prefixes of the head', () => {
  const MAX_RAW = 4096;
  for (const c of SMUGGLING_CORPUS) {
    const buf = Buffer.from(c.raw, 'latin1');
    if (buf.length > MAX_RAW) continue;
    const full = parseRequestHead(buf, DEFAULT_LIMITS);
    // Only the head is parsed here; once the full head is there, 'done' is right.
    const headLen = full.state === 'done' ? full.head.end : buf.length;
    test(c.name, () => {
      for (let n = 0; n < headLen; n++) {
        const out = parseRequestHead(buf.subarray(0, n), DEFAULT_LIMITS);
        if (out.state === 'incomplete') continue;
        if (out.state === 'error' && full.state === 'error' && out.error.status === full.error.status) continue;
        const got = out.state === 'error' ? `${out.error.status} (${out.error.reason})` : 'done';
        const want = full.state === 'error' ? `incomplete or ${full.error.status}` : 'incomplete';
        assert.fail(`${c.name}: the first ${n} bytes gave ${got}, expected ${want}`);
      }
    });
  }
});
