/**
 * Header and cookie extraction over the request/response views. `hdr` forms split field
 * values on commas (outside double quotes, blanks around each value trimmed), `fhdr`
 * forms keep each field line whole. Occurrences: n > 0 is the n-th from the first, n < 0
 * the n-th from the last; 0 or absent (in an expression) means the last one.
 */
import type { HttpRequestView, HttpResponseView } from '../types.ts';

type Fields = Pick<HttpRequestView, 'fieldCount' | 'fieldName' | 'fieldValue'> | Pick<HttpResponseView, 'fieldCount' | 'fieldName' | 'fieldValue'>;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Splits one field value on commas outside quotes, trimming blanks; calls visit per value. */
export function splitValues(v: string, visit: (x: string) => boolean): boolean {
  // Common case: one value (field values arrive OWS-trimmed).
  if (v.indexOf(',') < 0) return visit(v);
  // Char codes, not v[i]: this runs once per header value per ACL term on the request path.
  const n = v.length;
  let start = 0;
  let inq = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? v.charCodeAt(i) : 44; /* the end closes the last value like a ',' */
    if (c === 34 /* " */) inq = !inq;
    else if (c === 92 /* \ */ && inq) i++;
    else if ((c === 44 /* , */ && !inq) || i >= n) {
      let a = start;
      let b = Math.min(i, n);
      while (a < b && isBlank(v.charCodeAt(a))) a++;
      while (b > a && isBlank(v.charCodeAt(b - 1))) b--;
      if (visit(v.slice(a, b))) return true;
      start = i + 1;
    }
  }
  return false;
}

/** Visits every value (full=false) or field line (full=true) of `name` ('' = all fields), in order. */
export function eachHeader(m: Fields, name: string, full: boolean, visit: (x: string) => boolean): boolean {
  for (let i = 0; i < m.fieldCount; i++) {
    if (name !== '' && m.fieldName(i) !== name) continue;
    const v = m.fieldValue(i);
    if (full ? visit(v) : splitValues(v, visit)) return true;
  }
  return false;
}

/** The occurrence `occ` (see module comment) of a header value, or null. */
export function headerOcc(m: Fields, name: string, full: boolean, occ: number): string | null {
  if (occ > 0) {
    let n = 0;
    let out: string | null = null;
    eachHeader(m, name, full, (x) => (++n === occ ? ((out = x), true) : false));
    return out;
  }
  const all: string[] = [];
  eachHeader(m, name, full, (x) => { all.push(x); return false; });
  const k = occ === 0 ? 1 : -occ;
  return k <= all.length ? all[all.length - k]! : null;
}

export function headerCount(m: Fields, name: string, full: boolean): number {
  let n = 0;
  eachHeader(m, name, full, () => { n++; return false; });
  return n;
}

/**
 * Visits the values of cookie `name` in Cookie fields ('' = every cookie): pairs are
 * separated by ';' (and blanks), the value is what follows the first '=' up to ';'.
 * Returns true when visit stopped the walk.
 */
export function eachCookie(m: Fields, field: string, name: string, visit: (value: string) => boolean): boolean {
  for (let i = 0; i < m.fieldCount; i++) {
    if (m.fieldName(i) !== field) continue;
    const v = m.fieldValue(i);
    let p = 0;
    while (p < v.length) {
      while (p < v.length && (v.charCodeAt(p) === 32 || v.charCodeAt(p) === 9 || v.charCodeAt(p) === 59)) p++;
      if (p >= v.length) break;
      let end = v.indexOf(';', p);
      if (end < 0) end = v.length;
      const eq = v.indexOf('=', p);
      if (eq >= 0 && eq < end) {
        let ne = eq;
        while (ne > p && (v.charCodeAt(ne - 1) === 32 || v.charCodeAt(ne - 1) === 9)) ne--;
        if (name === '' || (ne - p === name.length && v.startsWith(name, p))) {
          let vs = eq + 1;
          while (vs < end && (v.charCodeAt(vs) === 32 || v.charCodeAt(vs) === 9)) vs++;
          let ve = end;
          while (ve > vs && (v.charCodeAt(ve - 1) === 32 || v.charCodeAt(ve - 1) === 9)) ve--;
          if (visit(v.slice(vs, ve))) return true;
        }
      }
      p = end + 1;
    }
  }
  return false;
}
