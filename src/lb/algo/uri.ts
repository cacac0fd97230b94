/**
 * `balance uri [whole] [len N] [depth N] [path-only]`: the request-target picks the
 * server (a cache farm keeps each object on one cache). What is hashed, as in HAProxy:
 * the target as received (`path-only`: without scheme and authority), cut to `len`
 * characters, then up to the `?` (unless `whole`) and up to the slash that starts
 * directory level `depth + 1`. TCP mode: round-robin.
 */
import { hashAlgorithm } from './hashing.ts';
import { pathOf } from './request-keys.ts';
import type { UriOptions } from './config.ts';

const NO_OPTIONS: UriOptions = { whole: false, len: 0, depth: 0, pathOnly: false };

/** The part of `target` that `balance uri` hashes. */
export function uriKey(target: string, o: UriOptions): string {
  let uri = o.pathOnly ? pathOf(target) : target;
  if (o.len > 0 && o.len < uri.length) uri = uri.slice(0, o.len);
  let slashes = 0;
  let end = 0;
  for (; end < uri.length; end++) {
    const c = uri.charCodeAt(end);
    if (c === 0x2f /* / */) {
      if (++slashes === o.depth + 1 && o.depth > 0) break;
    } else if (c === 0x3f /* ? */ && !o.whole) {
      break;
    }
  }
  return uri.slice(0, end);
}

export const uri = hashAlgorithm('uri', 'http', (st, req) =>
  req.http ? st.fn(uriKey(req.http.target, st.cfg.uri ?? NO_OPTIONS)) : null);
