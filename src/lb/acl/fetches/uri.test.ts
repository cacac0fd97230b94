/**
 * url_param's walk against what HAProxy 2.6 answers (checked with haproxy 2.6.12:
 * `http-request return ... hdr X "%[url_param(...)]"`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachUrlParam } from './uri.ts';

function all(target: string, name: string, delim = '?'): string[] {
  const out: string[] = [];
  eachUrlParam(target, name, delim, (v) => { out.push(v); return false; });
  return out;
}

test('url_param: by name, every occurrence in order; first without a name', () => {
  assert.deepEqual(all('/a?a=1&b=two&a=3', 'a'), ['1', '3']);
  assert.deepEqual(all('/a?a=1&b=two&a=3', 'b'), ['two']);
  assert.deepEqual(all('/a?a=1&b=two&a=3', ''), ['1', 'two', '3']);
  assert.deepEqual(all('/plain', 'a'), []);
  assert.deepEqual(all('/e?', ''), []);
});

test("url_param: ';' always separates; a delimiter argument also starts the list at its first occurrence", () => {
  assert.deepEqual(all('/semi?c=x;c=9;d=4', ''), ['x', '9', '4']);
  assert.deepEqual(all('/semi?c=x;c=9;d=4', 'c'), ['x', '9']);
  assert.deepEqual(all('/semi?c=x;c=9;d=4', 'c', ';'), ['9']);
});

test("url_param: a name counts only written 'name=', and must be a whole parameter name", () => {
  assert.deepEqual(all('/p?flag&a=1', 'flag'), []);
  assert.deepEqual(all('/p?flag&a=1', ''), ['1']);
  assert.deepEqual(all('/p?xa=1&a=2', 'a'), ['2']);
  assert.deepEqual(all('http://h/p?q=1', 'q'), ['1']);
});
