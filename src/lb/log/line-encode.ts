/**
 * The byte encoders of log values: each writes one value from `p` in `buf` as the string
 * path (format.ts) prints it, UTF-8 encoded, and returns the end. They do not check room:
 * the caller makes sure of it, against the most bytes each can write (NUM_MAX, UTF8_MAX
 * per character, reqMax(), DATE_LEN). Used by the compiled lines (line-compile.ts) and by
 * the exact writer (line-bytes.ts LineWriter), so the encoding rules live here only.
 */
import { encodeLogString } from './format.ts';
import type { LogRecord } from './record.ts';
import { logDateMs } from './dates.ts';

/** Most characters of String(n) for any number ("-0.0000012345678901234567" is 25). */
export const NUM_MAX = 32;
/** Most bytes per UTF-16 unit as UTF-8. */
export const UTF8_MAX = 3;
/** A %t date: "22/Nov/2026:08:52:47.802" for dates from 1970 to 9999. */
export const DATE_LEN = 24;
const DATE_END = 253402300800000; // 10000-01-01T00:00:00Z

/** Whether wdate() prints `ms` (else: logDateMs(), as a string). */
export function plainDate(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms < DATE_END;
}

/** `s` as UTF-8 from `p` (a lone surrogate as U+FFFD, as Buffer.write); returns the end. */
export function wstr(buf: Uint8Array, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) { buf[p++] = c; continue; }
    if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[p++] = 0xf0 | (cp >> 18);
        buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[p++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    buf[p++] = 0xe0 | (c >> 12);
    buf[p++] = 0x80 | ((c >> 6) & 0x3f);
    buf[p++] = 0x80 | (c & 0x3f);
  }
  return p;
}

/** A number as String(n) prints it; returns the end. */
export function wnum(buf: Uint8Array, p: number, n: number): number {
  if (n >= 0 && n <= 9 && (n | 0) === n) { buf[p] = 0x30 + n; return p + 1; }
  if (!Number.isInteger(n) || n >= 0x80000000 || n <= -0x80000000) return wstr(buf, p, String(n));
  if (n < 0) { buf[p++] = 0x2d; n = -n; }
  let len = 1;
  for (let x = n; x >= 10; x = (x / 10) | 0) len++;
  const end = p + len;
  let q = end;
  do {
    const d = (n / 10) | 0;
    buf[--q] = 0x30 + n - d * 10;
    n = d;
  } while (n !== 0);
  return end;
}

/** lf_text without E: '-' (or `""` quoted) when empty. */
export function wtext(buf: Uint8Array, p: number, v: string, q: boolean): number {
  if (!v) {
    if (!q) { buf[p] = 0x2d; return p + 1; }
    buf[p] = 0x22; buf[p + 1] = 0x22;
    return p + 2;
  }
  if (q) buf[p++] = 0x22;
  p = wstr(buf, p, v);
  if (q) buf[p++] = 0x22;
  return p;
}

const HEX = '0123456789ABCDEF';

/**
 * One part of the request line: §8.6 #XX encoding, and with E a backslash before '\\' and
 * ']'. A character above latin1 (never in a parsed request: its strings are latin1 bytes)
 * is #XX of its UTF-8 bytes when `wide`, else ends the write: -1.
 */
function wreqText(buf: Uint8Array, p: number, v: string, e: boolean, wide: boolean): number {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x23) {
      if (e && (c === 0x5c || c === 0x5d)) buf[p++] = 0x5c;
      buf[p++] = c;
    } else if (c <= 0xff) {
      buf[p++] = 0x23;
      buf[p++] = HEX.charCodeAt(c >> 4);
      buf[p++] = HEX.charCodeAt(c & 15);
    } else if (!wide) return -1;
    else {
      const cp = v.codePointAt(i)!;
      p = wstr(buf, p, encodeLogString(String.fromCodePoint(cp)));
      if (cp > 0xffff) i++;
    }
  }
  return p;
}

/**
 * The most bytes %r can take for `r` (quotes, spaces and <BADREQ> included): 3 per
 * character (#XX) without `wide`, 9 with it (#XX of up to three UTF-8 bytes).
 */
export function reqMax(r: LogRecord, wide: boolean): number {
  return (wide ? 9 : 3) * (r.r !== '' ? r.r.length : r.method.length + r.uri.length + r.version.length) + 12;
}

/**
 * %r: the request line (record.ts requestLine(), written from its three parts when `r.r`
 * is ''), #XX-encoded, then E and Q as format.ts's %r; returns the end, or -1 (wreqText).
 */
export function wreq(buf: Uint8Array, p: number, r: LogRecord, q: boolean, e: boolean, wide: boolean): number {
  if (q) buf[p++] = 0x22;
  if (r.r !== '') p = wreqText(buf, p, r.r, e, wide);
  else if (r.method === '') p = wstr(buf, p, '<BADREQ>');
  else {
    p = wreqText(buf, p, r.method, e, wide);
    if (p < 0) return -1;
    buf[p++] = 0x20;
    p = wreqText(buf, p, r.uri, e, wide);
    if (p < 0) return -1;
    buf[p++] = 0x20;
    p = wreqText(buf, p, r.version, e, wide);
  }
  if (p < 0) return -1;
  if (q) buf[p++] = 0x22;
  return p;
}

/** The date up to and with the '.', for the second last printed (it changes once a second). */
let dateSec = NaN;
const dateHead = new Uint8Array(DATE_LEN - 3);

/** A %t date of `ms` (plainDate(ms) holds), as logDateMs() prints it; returns the end. */
export function wdate(buf: Uint8Array, p: number, ms: number): number {
  const sec = Math.floor(ms / 1000);
  if (sec !== dateSec) {
    const t = logDateMs(sec * 1000);
    for (let i = 0; i < dateHead.length; i++) dateHead[i] = t.charCodeAt(i);
    dateSec = sec;
  }
  for (let i = 0; i < dateHead.length; i++) buf[p + i] = dateHead[i]!;
  p += dateHead.length;
  const m = ms - sec * 1000;
  buf[p] = 0x30 + ((m / 100) | 0);
  buf[p + 1] = 0x30 + (((m / 10) | 0) % 10);
  buf[p + 2] = 0x30 + (m % 10);
  return p + 3;
}
