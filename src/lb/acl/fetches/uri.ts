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
