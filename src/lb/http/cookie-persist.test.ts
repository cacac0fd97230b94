/**
 * Cookie persistence as pure functions over parsed heads: which server a Cookie field
 * designates, what the server sees, and what the response carries — including the
 * maxidle/maxlife date stamps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead, parseResponseHead } from './h1-parse.ts';
import { readPersistCookie, responseCookie, stampNow } from './cookie-persist.ts';
import type { CookieConfig } from '../config/types.ts';
import type { RequestHead, ResponseHead } from './types.ts';

function req(cookie: string): RequestHead {
  const r = parseRequestHead(Buffer.from(`GET / HTTP/1.1\r\nhost: x\r\ncookie: ${cookie}\r\n\r\n`, 'latin1'));
  assert.equal(r.state, 'done');
  return (r as { head: RequestHead }).head;
}

function resp(extra = ''): ResponseHead {
  const r = parseResponseHead(Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: 0\r\n${extra}\r\n`, 'latin1'), 'GET');
  assert.equal(r.state, 'done');
  return (r as { head: ResponseHead }).head;
}

const base: CookieConfig = { name: 'SRV', mode: 'insert', indirect: false, nocache: false, postonly: false, preserve: false, httponly: false, secure: false, domains: [], attrs: [], maxidle: 0, maxlife: 0 };

test('the persistence cookie is found among others; indirect removes it from the forwarded field', () => {
  assert.equal(readPersistCookie(req('a=1; SRV=s2; b=2'), base)?.value, 's2');
  const ind = readPersistCookie(req('a=1; SRV=s2; b=2'), { ...base, indirect: true })!;
  assert.deepEqual([...ind.edits.values()], ['cookie: a=1; b=2']);
  assert.equal(readPersistCookie(req('a=1'), base), null);
});

test('maxidle: a fresh stamp is honoured and re-stamped once behind; an old one is ignored', () => {
  const cfg = { ...base, maxidle: 60_000 };
  const now = stampNow(Date.UTC(2026, 10, 22, 8, 0, 0));
  const first = responseCookie(resp(), cfg, 's1', false, 'GET', null, now)!;
  const value = /^set-cookie: SRV=([^;]+);/.exec(first.extra[0]!)![1]!;
  assert.match(value, /^s1\|[A-Za-z0-9+/]{5}$/);
  const back = readPersistCookie(req(`SRV=${value}`), cfg, now + 5)!; // 20 s later
  assert.equal(back.value, 's1');
  assert.equal(back.last, now);
  assert.deepEqual([...back.edits.values()], ['cookie: SRV=s1'], 'the server never sees the dates');
  const again = responseCookie(resp(), cfg, 's1', true, 'GET', back, now + 5)!;
  assert.match(again.extra[0]!, /^set-cookie: SRV=s1\|[A-Za-z0-9+/]{5}; path=\//, 're-stamped');
  assert.equal(responseCookie(resp(), cfg, 's1', true, 'GET', back, now), null, 'not re-stamped while current');
  assert.equal(readPersistCookie(req(`SRV=${value}`), cfg, now + 16)!.value, '', 'idle for 64 s > 60 s: ignored');
});

test('maxlife: the first date is kept across re-stamps and bounds the cookie\'s life', () => {
  const cfg = { ...base, maxidle: 3_600_000, maxlife: 120_000 };
  const t0 = stampNow(Date.UTC(2026, 10, 22, 8, 0, 0));
  const v0 = /=([^;]+);/.exec(responseCookie(resp(), cfg, 's1', false, 'GET', null, t0)!.extra[0]!)![1]!;
  const seen = readPersistCookie(req(`SRV=${v0}`), cfg, t0 + 10)!;
  assert.equal(seen.value, 's1');
  const v1 = /=([^;]+);/.exec(responseCookie(resp(), cfg, 's1', true, 'GET', seen, t0 + 10)!.extra[0]!)![1]!;
  assert.equal(v1.split('|')[2], v0.split('|')[2], 'FIRST unchanged');
  assert.equal(readPersistCookie(req(`SRV=${v1}`), cfg, t0 + 31)!.value, '', '124 s after the first use: expired');
});

test('rewrite and prefix change the server\'s own Set-Cookie', () => {
  const r = responseCookie(resp('set-cookie: SRV=abc; Path=/x\r\n'), { ...base, mode: 'rewrite' }, 's1', false, 'GET')!;
  assert.deepEqual([...r.edits!.values()], ['set-cookie: SRV=s1; Path=/x']);
  const p = responseCookie(resp('set-cookie: SRV=abc\r\n'), { ...base, mode: 'prefix' }, 's1', false, 'GET')!;
  assert.deepEqual([...p.edits!.values()], ['set-cookie: SRV=s1~abc']);
});
