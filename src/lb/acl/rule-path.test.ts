/**
 * The request-path shortcuts of the ACL engine keep their answers exact: header values are
 * split on commas by char code (quotes, escapes, blanks), decoded values are cached per view,
 * and -i lower-cases through a small memo that must never answer for another string.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitValues } from './fetches/headers.ts';
import { lowerMemo } from './match.ts';
import { addAclLine, compileCondition, requestView, testContext, type AclTable, type SampleContext } from './index.ts';
import { parseRequestHead } from '../http/h1-parse.ts';

function split(v: string): string[] {
  const out: string[] = [];
  splitValues(v, (x) => { out.push(x); return false; });
  return out;
}

test('splitValues: commas outside quotes, blanks trimmed, escapes inside quotes', () => {
  assert.deepEqual(split('a'), ['a']);
  assert.deepEqual(split('a, b ,\tc'), ['a', 'b', 'c']);
  assert.deepEqual(split('a,,b'), ['a', '', 'b']);
  assert.deepEqual(split('"x, y", z'), ['"x, y"', 'z']);
  assert.deepEqual(split('"x\\", y", z'), ['"x\\", y"', 'z']);
  assert.deepEqual(split('a, '), ['a', '']);
  assert.deepEqual(split('Mozilla/5.0 (KHTML, like Gecko) Chrome'), ['Mozilla/5.0 (KHTML', 'like Gecko) Chrome']);
  // visit returning true stops the walk
  const seen: string[] = [];
  assert.equal(splitValues('a,b,c', (x) => { seen.push(x); return x === 'b'; }), true);
  assert.deepEqual(seen, ['a', 'b']);
});

test('lowerMemo answers for the string asked, also when more than four alternate', () => {
  const words = ['Host', 'HOST', 'User-Agent', 'x', 'Y', 'site1.EXAMPLE', 'Site2.Example', 'host'];
  for (let round = 0; round < 3; round++) {
    for (const w of words) assert.equal(lowerMemo(w), w.toLowerCase());
    for (const w of [...words].reverse()) assert.equal(lowerMemo(w), w.toLowerCase());
  }
  // Equal content from different instances
  assert.equal(lowerMemo(['AB', 'C'].join('')), 'abc');
  assert.equal(lowerMemo('ABC'), 'abc');
});

test('-i rules over the proxy view: many rules, same headers, exact answers', () => {
  const env = { baseDir: '.', mode: 'http' as const };
  const table: AclTable = new Map();
  addAclLine(table, 'ua', ['hdr_sub(user-agent)', '-i', 'badbot'], env);
  addAclLine(table, 'adm', ['hdr(host)', '-m', 'beg', '-i', 'admin.'], env);
  const c = (words: string[]): ((ctx: SampleContext) => boolean) => compileCondition(words, table, { env, stage: 'request' }).test;
  const site = c(['if', '{', 'hdr(host)', '-i', 'site1.example', '}']);
  const ua = c(['if', 'ua']);
  const adm = c(['if', 'adm']);
  const blocked = c(['if', '{', 'path_beg', '/blocked', '}']);
  const ctxOf = (raw: string): SampleContext => {
    const out = parseRequestHead(Buffer.from(raw, 'latin1'));
    assert.equal(out.state, 'done');
    const head = (out as Extract<typeof out, { state: 'done' }>).head;
    return { ...testContext(), req: requestView(head) };
  };
  const a = ctxOf('GET /x HTTP/1.1\r\nHost: SITE1.example\r\nUser-Agent: Mozilla (KHTML, like Gecko) BadBot/1\r\n\r\n');
  const b = ctxOf('GET /blocked/1 HTTP/1.1\r\nHost: Admin.example\r\nUser-Agent: curl/8\r\n\r\n');
  for (let i = 0; i < 3; i++) {
    assert.deepEqual([site(a), ua(a), adm(a), blocked(a)], [true, true, false, false]);
    assert.deepEqual([site(b), ua(b), adm(b), blocked(b)], [false, false, true, true]);
  }
  // The view's cached value is the decoded field value, every time.
  const view = a.req!;
  assert.equal(view.fieldValue(1), 'Mozilla (KHTML, like Gecko) BadBot/1');
  assert.equal(view.fieldValue(1), 'Mozilla (KHTML, like Gecko) BadBot/1');
  assert.equal(view.fieldValue(0), 'SITE1.example');
});
