/**
 * `http-request normalize-uri NORMALIZER` (HAProxy 2.6): rewrites of the request-target that
 * make equivalent URIs look the same before ACLs test them, so that `/admin` cannot slip
 * past a `path_beg /admin` rule as `//admin`, `/./admin`, `/x/../admin` or `/%61dmin`.
 *
 * Each normalizer is a pure function of a string; `normalizeTarget` applies one to the part
 * of the request-target it covers, as HAProxy does:
 *   - path-merge-slashes, path-strip-dot, path-strip-dotdot: the path (up to '?');
 *   - query-sort-by-name: the query (after '?');
 *   - percent-decode-unreserved, percent-to-uppercase, fragment-strip, fragment-encode:
 *     path and query together.
 * An absolute-form target (`http://host/p?q`) keeps its scheme and authority untouched.
 *
 * `strict` (the percent normalizers): a malformed escape ('%' not followed by two hex
 * digits) makes the request invalid (null here, a 400 for the client) instead of being
 * left as it is.
 */

export type NormalizeOp =
  | 'path-merge-slashes' | 'path-strip-dot' | 'path-strip-dotdot' | 'query-sort-by-name'
  | 'percent-decode-unreserved' | 'percent-to-uppercase' | 'fragment-strip' | 'fragment-encode';

export const NORMALIZE_OPS: readonly NormalizeOp[] = [
  'fragment-encode', 'fragment-strip', 'path-merge-slashes', 'path-strip-dot', 'path-strip-dotdot',
  'percent-decode-unreserved', 'percent-to-uppercase', 'query-sort-by-name',
];

/** Which normalizers take an option word, and which word. */
export const NORMALIZE_OPTION: Readonly<Partial<Record<NormalizeOp, 'full' | 'strict'>>> = {
  'path-strip-dotdot': 'full',
  'percent-decode-unreserved': 'strict',
  'percent-to-uppercase': 'strict',
};

/** `//` runs become one `/`. */
export function mergeSlashes(path: string): string {
  return path.replace(/\/{2,}/g, '/');
}

/** Segments that are exactly `.` disappear; `/.` alone becomes `/`. */
export function stripDot(path: string): string {
  if (!path.includes('.')) return path;
  const segs = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s !== '.' || i === 0) { out.push(s); continue; }
    // A dropped last segment leaves the slash before it (`/a/.` → `/a/`).
    if (i === segs.length - 1) out.push('');
  }
  return out.join('/');
}

/**
 * Each `..` segment removes itself and the segment before it (an empty one too: `/a//..`
 * is `/a/`). A `..` with nothing before it is kept, unless `full` drops it. Encoded dots
 * (`%2E%2E`) are not `..`: run percent-decode-unreserved first.
 */
export function stripDotdot(path: string, full: boolean): string {
  if (!path.includes('..')) return path;
  const segs = path.split('/');
  const abs = segs[0] === '';
  const out: string[] = [];
  // `kept` counts leading `..` kept (not full): they cannot be removed by a later `..`.
  let kept = 0;
  for (let i = abs ? 1 : 0; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    if (s !== '..') { out.push(s); continue; }
    if (out.length > kept) out.pop();
    else if (!full) { out.push('..'); kept++; }
    // The path still ends with a slash where the `..` was the last segment.
    if (last) out.push('');
  }
  return (abs ? '/' : '') + out.join('/');
}

/** Stable sort of the `&`-separated parameters by name (bytes before '='); '' stays ''. */
export function sortQuery(query: string): string {
  if (query === '') return query;
  const params = query.split('&');
  const named = params.map((p, i) => { const e = p.indexOf('='); return { p, n: e < 0 ? p : p.slice(0, e), i }; });
  named.sort((a, b) => (a.n < b.n ? -1 : a.n > b.n ? 1 : a.i - b.i));
  return named.map((x) => x.p).join('&');
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** RFC 3986 unreserved: ALPHA DIGIT - . _ ~ */
function unreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

/**
 * Walks the %XX escapes of `s`: `onEscape(hi, lo, text)` returns what replaces a valid one.
 * A '%' without two hex digits is copied as is, or (strict) makes the result null.
 */
function mapEscapes(s: string, strict: boolean, onEscape: (byte: number, text: string) => string): string | null {
  let i = s.indexOf('%');
  if (i < 0) return s;
  let out = s.slice(0, i);
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x25) { out += s[i]; i++; continue; }
    const hi = i + 1 < s.length ? hexVal(s.charCodeAt(i + 1)) : -1;
    const lo = i + 2 < s.length ? hexVal(s.charCodeAt(i + 2)) : -1;
    if (hi < 0 || lo < 0) {
      if (strict) return null;
      out += '%';
      i++;
      continue;
    }
    out += onEscape(hi * 16 + lo, s.slice(i, i + 3));
    i += 3;
  }
  return out;
}

/** %XX of an unreserved character becomes the character (`/%61dmin` → `/admin`); one pass. */
export function decodeUnreserved(s: string, strict: boolean): string | null {
  return mapEscapes(s, strict, (b, text) => (unreserved(b) ? String.fromCharCode(b) : text));
}

/** %xx hex digits in upper case (`%2f` → `%2F`). */
export function percentUpper(s: string, strict: boolean): string | null {
  return mapEscapes(s, strict, (_b, text) => text.toUpperCase());
}

/** Everything from the first '#' goes. */
export function stripFragment(s: string): string {
  const h = s.indexOf('#');
  return h < 0 ? s : s.slice(0, h);
}

/** Every '#' becomes %23 (so the server does not cut the URI there). */
export function encodeFragment(s: string): string {
  return s.includes('#') ? s.replaceAll('#', '%23') : s;
}

/** Scheme and authority of an absolute-form target ('' for origin-form). */
function authorityPrefix(target: string): string {
  if (target.charCodeAt(0) === 0x2f /* / */) return '';
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  return m ? m[0] : '';
}

/**
 * The request-target after one normalizer; null when `strict` finds a malformed escape.
 * A target that is not a path (`*`, an authority for CONNECT) is returned unchanged.
 */
export function normalizeTarget(target: string, op: NormalizeOp, option: boolean): string | null {
  const prefix = authorityPrefix(target);
  const pathq = target.slice(prefix.length);
  if (prefix === '' && pathq.charCodeAt(0) !== 0x2f) return target;
  const q = pathq.indexOf('?');
  const path = q < 0 ? pathq : pathq.slice(0, q);
  const rest = q < 0 ? '' : pathq.slice(q);
  let out: string | null;
  switch (op) {
    case 'path-merge-slashes': out = mergeSlashes(path) + rest; break;
    case 'path-strip-dot': out = stripDot(path) + rest; break;
    case 'path-strip-dotdot': out = stripDotdot(path, option) + rest; break;
    case 'query-sort-by-name': out = q < 0 ? pathq : `${path}?${sortQuery(rest.slice(1))}`; break;
    case 'percent-decode-unreserved': out = decodeUnreserved(pathq, option); break;
    case 'percent-to-uppercase': out = percentUpper(pathq, option); break;
    case 'fragment-strip': out = stripFragment(pathq); break;
    case 'fragment-encode': out = encodeFragment(pathq); break;
  }
  return out === null ? null : prefix + out;
}
