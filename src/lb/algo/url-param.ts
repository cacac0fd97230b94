/**
 * `balance url_param NAME`: the value of query-string parameter NAME picks the server
 * (a user id, a session id). As HAProxy: the first `NAME=` that starts the query string
 * or follows a `&`, the value up to the next `&`; case-sensitive. No such parameter, or
 * TCP mode: round-robin. (`check_post`, which looks into a POST body, is refused by the
 * config parser: there is no body buffering yet.)
 */
import { hashAlgorithm } from './hashing.ts';

/** The value of parameter `name` in the query string of `target`, or null. */
export function urlParamValue(target: string, name: string): string | null {
  const q = target.indexOf('?');
  if (q < 0 || name === '') return null;
  let p = q + 1;
  const plen = name.length;
  while (target.length - p > plen) {
    if (target.charCodeAt(p + plen) === 0x3d /* = */ && target.startsWith(name, p)) {
      const from = p + plen + 1;
      const amp = target.indexOf('&', from);
      return target.slice(from, amp < 0 ? target.length : amp);
    }
    const amp = target.indexOf('&', p);
    if (amp < 0) return null;
    p = amp + 1;
  }
  return null;
}

export const urlParam = hashAlgorithm('url_param', 'http', (st, req) => {
  if (!req.http) return null;
  const v = urlParamValue(req.http.target, st.cfg.urlParam ?? '');
  return v === null ? null : st.fn(v);
});
