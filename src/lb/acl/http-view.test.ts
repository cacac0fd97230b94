import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead, parseResponseHead } from '../http/h1-parse.ts';
import { requestView, responseView } from './http-view.ts';
import { compileExpr } from './expr.ts';
import { sampleToString } from './casts.ts';
import { testContext } from './test-context.ts';
import type { SampleContext } from './types.ts';

test('views over parsed heads feed the fetches', () => {
  const r = parseRequestHead(Buffer.from('POST /p?x=1 HTTP/1.0\r\nHost: Ex.com\r\nX-A: 1, 2\r\nContent-Length: 2\r\n\r\nhi', 'latin1'));
  assert.equal(r.state, 'done');
  const s = parseResponseHead(Buffer.from('HTTP/1.1 404 Not Found\r\nX-R: a\r\nContent-Length: 0\r\n\r\n', 'latin1'), 'POST');
  assert.equal(s.state, 'done');
  if (r.state !== 'done' || s.state !== 'done') return;
  const ctx: SampleContext = { ...testContext(), req: requestView(r.head, () => Buffer.from('hi')), res: responseView(s.head) };
  const v = (e: string): string | null => { const x = compileExpr(e, { baseDir: '.' }).eval(ctx); const t = x && sampleToString(x); return t && t.type === 'str' ? t.v : null; };
  assert.equal(v('method'), 'POST');
  assert.equal(v('req.ver'), '1.0');
  assert.equal(v('path'), '/p');
  assert.equal(v('hdr(host),lower'), 'ex.com');
  assert.equal(v('req.hdr(x-a,1)'), '1');
  assert.equal(v('req.hdr_cnt(x-a)'), '2');
  assert.equal(v('req.body'), 'hi');
  assert.equal(v('status'), '404');
  assert.equal(v('res.hdr(x-r)'), 'a');
});
