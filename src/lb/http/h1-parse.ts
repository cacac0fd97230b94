/**
 * Strict HTTP/1.x head parser (RFC 9112), the decision point for request smuggling.
 *
 * A head is parsed only once it is complete (up to the empty line), from one Buffer.
 * Field names and values stay as byte offsets into that buffer: forwarding a field costs
 * a copy of its bytes, never a string. What matters for framing (Content-Length,
 * Transfer-Encoding, Connection, Host, Expect, Upgrade) is decided here, once:
 *
 *   - lines end in CRLF; a bare LF or CR anywhere is an error (we never guess);
 *   - obs-fold, whitespace before the colon, an empty or non-token name, and any control
 *     byte (other than HTAB) in a value are errors;
 *   - requests: Content-Length and Transfer-Encoding together are refused (no CL.TE /
 *     TE.CL ambiguity can pass), Transfer-Encoding must end in exactly one `chunked`
 *     and is refused on HTTP/1.0, Content-Length must be digits and all copies equal,
 *     HTTP/1.1 needs exactly one Host, authority-form only with CONNECT, `*` only with
 *     OPTIONS, no '#' or control bytes in the target;
 *   - sizes are bounded: a request line longer than the limit is 414, a head larger
 *     than the limit or with too many fields is 431.
 * Errors carry the status the client gets and a stable reason code for tests and logs.
 */
import { CR, FIELD_VCHAR, HTAB, LF, REASON_CHAR, SP, TARGET_CHAR, TCHAR } from './chars.ts';
import { DEFAULT_LIMITS, type BodyFraming, type HeadLimits, type HttpError, type ParseOutcome, type RequestHead, type ResponseHead } from './types.ts';

const MAX_CL_DIGITS = 15; // below 2^53: exact in a JS number

// Framings without data are shared (they are never mutated): no object per message.
const NONE: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });
const CLOSE: BodyFraming = Object.freeze({ kind: 'close' });
const TUNNEL: BodyFraming = Object.freeze({ kind: 'tunnel' });

/**
 * Offsets of list elements found by semantics(): scratch reused by every parse (no
 * re-entry). Written by index with a count, never truncated: setting an array's length
 * is a call into the runtime, which showed in profiles at two per head.
 */
const parts: number[] = [];

/**
 * buf[s,e) as a string; the common methods and reason phrases come from constants
 * (no call into the buffer's decoder, no new string).
 */
function token(buf: Buffer, s: number, e: number, common: readonly string[]): string {
  for (const c of common) {
    if (c.length !== e - s) continue;
    let i = 0;
    while (i < c.length && buf[s + i] === c.charCodeAt(i)) i++;
    if (i === c.length) return c;
  }
  return buf.toString('latin1', s, e);
}
const COMMON_METHODS = ['GET', 'POST', 'HEAD', 'PUT'];
const COMMON_REASONS = ['OK', 'Not Found', 'No Content', 'Not Modified', 'Found'];

type Fail = { state: 'error'; error: HttpError };
const fail = (status: number, reason: string, at?: number): Fail => ({ state: 'error', error: at === undefined ? { status, reason } : { status, reason, at } });

/** Result of scanning the field lines of a head. */
interface Fields {
  fields: number[];
  count: number;
  end: number;
}

/** Case-insensitive comparison of buf[s,e) with a lower-case ASCII name. */
export function bytesEqualLower(buf: Buffer, s: number, e: number, lower: string): boolean {
  if (e - s !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = buf[s + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Scans field lines from `pos` up to and including the empty line. Returns the fields,
 * 'incomplete', or an error. `headStart` bounds the total size.
 *
 * One pass per line for the usual line (token name, colon, valid value bytes, CRLF, all
 * within the size limit): no search for the LF first, no call out of JavaScript. At the
 * first byte that is anything else — including the end of the received bytes — the line
 * is handed to scanFieldsStrict(), which decides it (and the rest) with the full rules, so
 * every outcome, error reason and offset is the strict scanner's.
 */
export function scanFields(buf: Buffer, pos: number, headStart: number, limits: HeadLimits, errStatus: number): Fields | 'incomplete' | Fail {
  // A plain array of small integers lives in V8's young heap: a typed array this size
  // would get an off-heap backing store (malloc + finaliser) for every head.
  const fields: number[] = [];
  let count = 0;
  const len = buf.length;
  const limitEnd = headStart + limits.maxHeadBytes;
  // Past `stop` the fast path never reads: a line ending there is left to the strict scan.
  const stop = len < limitEnd ? len : limitEnd;
  const maxHeaders = limits.maxHeaders;
  for (;;) {
    let i = pos;
    // The empty line: the end of the head.
    if (i + 1 < stop && buf[i] === CR && buf[i + 1] === LF) return { fields, count, end: i + 2 };
    while (i < stop && TCHAR[buf[i]!] === 1) i++;
    const nameEnd = i;
    if (nameEnd === pos || i >= stop || buf[i] !== 0x3a || count >= maxHeaders) break;
    i++;
    while (i < stop && (buf[i] === SP || buf[i] === HTAB)) i++;
    const valueStart = i;
    while (i < stop && FIELD_VCHAR[buf[i]!] === 1) i++;
    // CR LF, the LF inside the limit (the strict scan's `lf + 1 > limitEnd`).
    if (i + 1 >= stop || buf[i] !== CR || buf[i + 1] !== LF) break;
    let valueEnd = i;
    while (valueEnd > valueStart && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) valueEnd--;
    fields.push(pos, nameEnd, valueStart, valueEnd);
    count++;
    pos = i + 2;
  }
  return scanFieldsStrict(buf, pos, headStart, limits, errStatus, fields, count);
}

/**
 * The full rules for field lines from `pos`, after `count` fields already in `fields`.
 * (Exported with scanFields for h1-scan.test.ts, which checks both agree on any bytes.)
 */
export function scanFieldsStrict(buf: Buffer, pos: number, headStart: number, limits: HeadLimits, errStatus: number, fields: number[], count: number): Fields | 'incomplete' | Fail {
  const limitEnd = headStart + limits.maxHeadBytes;
  for (;;) {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0) return buf.length > limitEnd ? fail(errStatus === 400 ? 431 : errStatus, 'head-too-large') : 'incomplete';
    if (lf + 1 > limitEnd) return fail(errStatus === 400 ? 431 : errStatus, 'head-too-large');
    if (lf === pos || buf[lf - 1] !== CR) return fail(errStatus, 'bare-lf', lf);
    const lineEnd = lf - 1;
    if (lineEnd === pos) return { fields, count, end: lf + 1 };
    const first = buf[pos]!;
    if (first === SP || first === HTAB) return fail(errStatus, 'obs-fold', pos);
    let i = pos;
    while (i < lineEnd && TCHAR[buf[i]!] === 1) i++;
    const nameEnd = i;
    if (nameEnd === pos) return fail(errStatus, 'bad-field-name', pos);
    const sep = buf[i];
    if (sep === SP || sep === HTAB) return fail(errStatus, 'space-before-colon', i);
    if (sep !== 0x3a) return fail(errStatus, 'bad-field-name', i);
    i++;
    while (i < lineEnd && (buf[i] === SP || buf[i] === HTAB)) i++;
    const valueStart = i;
    let valueEnd = i;
    for (; i < lineEnd; i++) {
      const c = buf[i]!;
      if (FIELD_VCHAR[c] !== 1) return fail(errStatus, 'bad-field-value', i);
      if (c !== SP && c !== HTAB) valueEnd = i + 1;
    }
    if (count >= limits.maxHeaders) return fail(errStatus === 400 ? 431 : errStatus, 'too-many-fields');
    fields.push(pos, nameEnd, valueStart, valueEnd);
    count++;
    pos = lf + 1;
  }
}

/**
 * Splits a comma-separated field value into trimmed elements: their offsets [a, b) go to
 * out[0..n) in pairs. Returns n, or -1 for an invalid list.
 */
function listElements(buf: Buffer, s: number, e: number, out: number[], allowTrailingEmpty = false): number {
  let n = 0;
  let i = s;
  while (i <= e) {
    let j = i;
    while (j < e && buf[j] !== 0x2c) j++;
    let a = i;
    let b = j;
    while (a < b && (buf[a] === SP || buf[a] === HTAB)) a++;
    while (b > a && (buf[b - 1] === SP || buf[b - 1] === HTAB)) b--;
    if (a === b) {
      // An empty list element: refused rather than guessed at, except one trailing
      // empty element where allowed (RFC 9110 §5.6.1.2; HAProxy accepts "chunked,").
      if (allowTrailingEmpty && j === e && n > 0) return n;
      return -1;
    }
    out[n++] = a;
    out[n++] = b;
    i = j + 1;
  }
  return n;
}

/** uri-host [":" port] (RFC 9110 §7.2), or empty. */
const HOST_CHAR = (() => {
  const t = new Uint8Array(256);
  for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=") t[ch.charCodeAt(0)] = 1;
  return t;
})();

function validHost(buf: Buffer, s: number, e: number): boolean {
  let i = s;
  if (buf[i] === 0x5b) { // [IP-literal]
    i++;
    while (i < e && buf[i] !== 0x5d) {
      const c = buf[i]!;
      if (!(HOST_CHAR[c] === 1 || c === 0x3a)) return false;
      i++;
    }
    if (i >= e) return false;
    i++;
  } else {
    while (i < e && HOST_CHAR[buf[i]!] === 1) i++;
  }
  if (i === e) return true;
  if (buf[i] !== 0x3a) return false;
  for (i++; i < e; i++) if (buf[i]! < 0x30 || buf[i]! > 0x39) return false;
  return true;
}

interface Semantics {
  contentLength: number; // -1 = absent
  te: boolean;
  teChunkedLast: boolean;
  close: boolean;
  keepAlive: boolean;
  connUpgrade: boolean;
  upgradeField: boolean;
  hostCount: number;
  /** Offsets of the (last) Host value. */
  hostStart: number;
  hostEnd: number;
  expectContinue: boolean;
}

/** Reads the framing-relevant fields. Returns an error reason or the semantics. */
function semantics(buf: Buffer, f: Fields): Semantics | string {
  const r: Semantics = { contentLength: -1, te: false, teChunkedLast: false, close: false, keepAlive: false, connUpgrade: false, upgradeField: false, hostCount: 0, hostStart: 0, hostEnd: 0, expectContinue: false };
  let chunkedSeen = 0;
  for (let k = 0; k < f.count; k++) {
    const ns = f.fields[k * 4]!;
    const ne = f.fields[k * 4 + 1]!;
    const vs = f.fields[k * 4 + 2]!;
    const ve = f.fields[k * 4 + 3]!;
    const len = ne - ns;
    if (len === 14 && bytesEqualLower(buf, ns, ne, 'content-length')) {
      const n = listElements(buf, vs, ve, parts);
      if (n < 0) return 'bad-content-length';
      for (let p = 0; p < n; p += 2) {
        const a = parts[p]!;
        const b = parts[p + 1]!;
        if (b - a > MAX_CL_DIGITS) return 'bad-content-length';
        let v = 0;
        for (let x = a; x < b; x++) {
          const c = buf[x]!;
          if (c < 0x30 || c > 0x39) return 'bad-content-length';
          v = v * 10 + (c - 0x30);
        }
        if (r.contentLength >= 0 && r.contentLength !== v) return 'conflicting-content-length';
        r.contentLength = v;
      }
    } else if (len === 17 && bytesEqualLower(buf, ns, ne, 'transfer-encoding')) {
      const n = listElements(buf, vs, ve, parts, true);
      if (n < 0) return 'bad-transfer-encoding';
      r.te = true;
      for (let p = 0; p < n; p += 2) {
        const a = parts[p]!;
        const b = parts[p + 1]!;
        for (let x = a; x < b; x++) if (TCHAR[buf[x]!] !== 1) return 'bad-transfer-encoding';
        const isChunked = bytesEqualLower(buf, a, b, 'chunked');
        if (isChunked) chunkedSeen++;
        r.teChunkedLast = isChunked;
      }
    } else if (len === 10 && bytesEqualLower(buf, ns, ne, 'connection')) {
      const n = listElements(buf, vs, ve, parts);
      if (n < 0) return 'bad-connection';
      for (let p = 0; p < n; p += 2) {
        const a = parts[p]!;
        const b = parts[p + 1]!;
        if (bytesEqualLower(buf, a, b, 'close')) r.close = true;
        else if (bytesEqualLower(buf, a, b, 'keep-alive')) r.keepAlive = true;
        else if (bytesEqualLower(buf, a, b, 'upgrade')) r.connUpgrade = true;
      }
    } else if (len === 4 && bytesEqualLower(buf, ns, ne, 'host')) {
      r.hostCount++;
      r.hostStart = vs;
      r.hostEnd = ve;
      if (!validHost(buf, vs, ve)) return 'bad-host';
    } else if (len === 6 && bytesEqualLower(buf, ns, ne, 'expect')) {
      if (bytesEqualLower(buf, vs, ve, '100-continue')) r.expectContinue = true;
    } else if (len === 7 && bytesEqualLower(buf, ns, ne, 'upgrade')) {
      r.upgradeField = true;
    }
  }
  if (chunkedSeen > 1) return 'chunked-twice';
  return r;
}

/** Parses "HTTP/1.x" at buf[s..s+8); returns the minor version, or an error. */
function parseVersion(buf: Buffer, s: number, e: number): 0 | 1 | Fail {
  if (e - s !== 8 || buf[s] !== 0x48 || buf[s + 1] !== 0x54 || buf[s + 2] !== 0x54 || buf[s + 3] !== 0x50 || buf[s + 4] !== 0x2f || buf[s + 6] !== 0x2e) {
    return fail(400, 'bad-version');
  }
  const major = buf[s + 5]!;
  const minor = buf[s + 7]!;
  if (major < 0x30 || major > 0x39 || minor < 0x30 || minor > 0x39) return fail(400, 'bad-version');
  if (major !== 0x31) return fail(505, 'unsupported-version');
  // RFC 9112 §2.3: a higher 1.x minor is handled as the highest we support, 1.1.
  return minor === 0x30 ? 0 : 1;
}

function skipLeadingEmptyLines(buf: Buffer): number {
  let pos = 0;
  // RFC 9112 §2.2: ignore at least one empty line before a request; we allow a few.
  for (let n = 0; n < 8 && buf[pos] === CR && buf[pos + 1] === LF; n++) pos += 2;
  return pos;
}

function targetForm(method: string, target: string): RequestHead['targetForm'] | null {
  const c = target.charCodeAt(0);
  if (method === 'CONNECT') {
    // authority-form: host:port, nothing else
    return /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+):\d{1,5}$/.test(target) ? 'authority' : null;
  }
  if (c === 0x2f) return 'origin';
  if (target === '*') return method === 'OPTIONS' ? 'asterisk' : null;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]+/.test(target)) return 'absolute';
  return null;
}

export function parseRequestHead(buf: Buffer, limits: HeadLimits = DEFAULT_LIMITS): ParseOutcome<RequestHead> {
  const start = skipLeadingEmptyLines(buf);
  const lf = buf.indexOf(LF, start);
  if (lf < 0) return buf.length - start > limits.maxHeadBytes ? fail(414, 'request-line-too-long') : { state: 'incomplete' };
  if (lf - start > limits.maxHeadBytes) return fail(414, 'request-line-too-long');
  if (lf === start || buf[lf - 1] !== CR) return fail(400, 'bare-lf', lf);
  const lineEnd = lf - 1;
  let i = start;
  while (i < lineEnd && TCHAR[buf[i]!] === 1) i++;
  if (i === start || buf[i] !== SP) return fail(400, 'bad-method', i);
  const method = token(buf, start, i, COMMON_METHODS);
  const ts = ++i;
  while (i < lineEnd && TARGET_CHAR[buf[i]!] === 1) i++;
  if (i === ts || buf[i] !== SP) return fail(400, 'bad-target', i);
  const target = buf.toString('latin1', ts, i);
  const version = parseVersion(buf, i + 1, lineEnd);
  if (typeof version === 'object') return version;
  const form = targetForm(method, target);
  if (form === null) return fail(400, 'bad-target');
  const f = scanFields(buf, lf + 1, start, limits, 400);
  if (f === 'incomplete') return { state: 'incomplete' };
  if ('state' in f) return f;
  const sem = semantics(buf, f);
  if (typeof sem === 'string') return fail(400, sem);
  if (sem.te && sem.contentLength >= 0) return fail(400, 'cl-and-te');
  if (sem.te && version === 0) return fail(400, 'te-on-http10');
  if (sem.te && !sem.teChunkedLast) return fail(400, 'te-not-chunked');
  if (version === 1 && sem.hostCount !== 1) return fail(400, sem.hostCount === 0 ? 'missing-host' : 'duplicate-host');
  if (sem.hostCount > 1) return fail(400, 'duplicate-host');
  if (form === 'absolute' && sem.hostCount === 1) {
    // The target's authority wins over Host (RFC 9112 §3.2.2); a disagreement is refused
    // so that no hop can route by one and another by the other.
    const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/.exec(target)![1]!;
    if (authority.toLowerCase() !== buf.toString('latin1', sem.hostStart, sem.hostEnd).toLowerCase()) return fail(400, 'host-mismatch');
  }
  let framing: BodyFraming;
  if (sem.te) framing = CHUNKED;
  else if (sem.contentLength > 0) framing = { kind: 'length', length: sem.contentLength };
  else framing = NONE;
  return {
    state: 'done',
    head: {
      kind: 'request', buf, start, end: f.end, minor: version, fields: f.fields, fieldCount: f.count, framing,
      close: version === 0 ? !sem.keepAlive : sem.close,
      upgrade: sem.connUpgrade && sem.upgradeField,
      method, target, targetForm: form, expectContinue: sem.expectContinue,
    },
  };
}

/**
 * Parses a response head. Framing follows RFC 9112 §6.3 given the request method:
 * HEAD, 1xx, 204 and 304 have no body; 2xx to CONNECT and 101 become tunnels; a
 * Transfer-Encoding ending in chunked is chunked, any other is close-delimited; else
 * Content-Length; else close-delimited. Errors (CL with TE included) map to 502.
 */
export function parseResponseHead(buf: Buffer, requestMethod: string, limits: HeadLimits = DEFAULT_LIMITS): ParseOutcome<ResponseHead> {
  const start = 0;
  const lf = buf.indexOf(LF, start);
  if (lf < 0) return buf.length > limits.maxHeadBytes ? fail(502, 'head-too-large') : { state: 'incomplete' };
  if (lf === start || buf[lf - 1] !== CR) return fail(502, 'bare-lf', lf);
  const lineEnd = lf - 1;
  const version = parseVersion(buf, start, Math.min(start + 8, lineEnd));
  if (typeof version === 'object') return fail(502, version.error.reason);
  let i = start + 8;
  if (buf[i] !== SP) return fail(502, 'bad-status-line', i);
  i++;
  let status = 0;
  for (let k = 0; k < 3; k++, i++) {
    const c = buf[i]!;
    if (i >= lineEnd || c < 0x30 || c > 0x39) return fail(502, 'bad-status-code', i);
    status = status * 10 + (c - 0x30);
  }
  if (status < 100) return fail(502, 'bad-status-code');
  let reason = '';
  if (i < lineEnd) {
    if (buf[i] !== SP) return fail(502, 'bad-status-line', i);
    for (let k = i + 1; k < lineEnd; k++) if (REASON_CHAR[buf[k]!] !== 1) return fail(502, 'bad-reason', k);
    reason = token(buf, i + 1, lineEnd, COMMON_REASONS);
  }
  const f = scanFields(buf, lf + 1, start, limits, 502);
  if (f === 'incomplete') return { state: 'incomplete' };
  if ('state' in f) return f;
  const sem = semantics(buf, f);
  if (typeof sem === 'string') return fail(502, sem);
  if (sem.te && sem.contentLength >= 0) return fail(502, 'cl-and-te');
  let framing: BodyFraming;
  if (requestMethod === 'CONNECT' && status >= 200 && status < 300) framing = TUNNEL;
  else if (status === 101) framing = TUNNEL;
  else if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) framing = NONE;
  else if (sem.te) framing = sem.teChunkedLast && version === 1 ? CHUNKED : CLOSE;
  else if (sem.contentLength >= 0) framing = sem.contentLength === 0 ? NONE : { kind: 'length', length: sem.contentLength };
  else framing = CLOSE;
  return {
    state: 'done',
    head: {
      kind: 'response', buf, start, end: f.end, minor: version, fields: f.fields, fieldCount: f.count, framing,
      close: version === 0 ? !sem.keepAlive : sem.close || framing.kind === 'close',
      upgrade: sem.connUpgrade && sem.upgradeField,
      status, reason,
    },
  };
}
