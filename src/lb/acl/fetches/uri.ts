/**
 * Parts of a request-target, as HAProxy's http_get_path()/query helpers see them: the
 * path starts at the first '/' of an origin-form target, or at the first '/' after the
 * authority of an absolute-form one; "*" and authority-form have no path.
 */

/** Offset where the path starts in `target`, or -1 when the target has none. */
export function pathStart(target: string): number {
  if (target.charCodeAt(0) === 47 /* / */) return 0;
  const scheme = target.indexOf('://');
  if (scheme <= 0) return -1;
  const slash = target.indexOf('/', scheme + 3);
  return slash;
}

export function pathOf(target: string): string | null {
  const s = pathStart(target);
  if (s < 0) return null;
  const q = target.indexOf('?', s);
  return q < 0 ? target.slice(s) : target.slice(s, q);
}

export function pathqOf(target: string): string | null {
  const s = pathStart(target);
  return s < 0 ? null : target.slice(s);
}

export function queryOf(target: string): string | null {
  const q = target.indexOf('?');
  return q < 0 ? null : target.slice(q + 1);
}

/**
 * The value of parameter `name` ('' = the first parameter) in a query string whose
 * parameters are separated by `delim` (default '&'); null when absent.
 */
export function urlParam(query: string, name: string, delim: string): string | null {
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf(delim, start);
    if (end < 0) end = query.length;
    const part = query.slice(start, end);
    const eq = part.indexOf('=');
    const n = eq < 0 ? part : part.slice(0, eq);
    if (part !== '' && (name === '' || n === name)) return eq < 0 ? '' : part.slice(eq + 1);
    start = end + 1;
  }
  return null;
}

/**
 * The `url_param(name[,delim])` fetch's walk, as HAProxy 2.6 does it (http_find_param_list
 * and http_find_next_url_param): the list starts after the first `delim` ('?' by default)
 * of the whole target; parameters end at '&', ';' or `delim`; a named parameter counts
 * only when written `name=`; without a name, every value after an '=' counts. `visit`
 * gets each value in order and returns true to stop; the result is whether it stopped.
 */
export function eachUrlParam(target: string, name: string, delim: string, visit: (v: string) => boolean): boolean {
  const start = target.indexOf(delim);
  if (start < 0) return false;
  const end = target.length;
  const isDelim = (c: string): boolean => c === '&' || c === ';' || c === delim;
  let pos = start + 1;
  while (pos < end) {
    let vstart: number;
    if (name === '') {
      const eq = target.indexOf('=', pos);
      if (eq < 0) return false;
      vstart = eq + 1;
    } else {
      let p = pos;
      let found = -1;
      while (p < end) {
        const equal = p + name.length;
        if (equal >= end) return false;
        if (target[equal] === '=') {
          if (target.startsWith(name, p)) { found = p; break; }
          p = equal + 1;
        }
        while (p < end && !isDelim(target[p]!)) p++;
        if (p >= end) return false;
        p++;
      }
      if (found < 0) return false;
      vstart = found + name.length + 1;
    }
    let vend = vstart;
    while (vend < end && !isDelim(target[vend]!)) vend++;
    if (visit(target.slice(vstart, vend))) return true;
    pos = vend;
  }
  return false;
}
