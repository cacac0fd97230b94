/**
 * `balance hdr(NAME) [use_domain_only]`: the first value of header NAME picks the server
 * (first field line, up to its first comma outside quotes, trimmed — as HAProxy's header
 * lookup). `use_domain_only` (meant for Host) hashes only the label before the last dot:
 * "www.example.com" → "example". Header absent, or TCP mode: round-robin.
 */
import { hashAlgorithm } from './hashing.ts';
import { firstHeaderValue } from './request-keys.ts';

/**
 * The domain part HAProxy hashes with `use_domain_only`: scanning back from the end,
 * the label between the last dot and the dot before it (or the start). A value without
 * a dot is kept whole. The first character is never taken for a dot (as in HAProxy).
 */
export function domainOnly(v: string): string {
  let end = v.length;
  let p = v.length;
  let inDomain = false;
  for (let len = v.length; len > 0; len--, p--) {
    if (inDomain) {
      if (v.charCodeAt(p - 1) === 0x2e) break;
    } else if (p < v.length && v.charCodeAt(p) === 0x2e) {
      end = p;
      inDomain = true;
    }
  }
  return v.slice(p, end);
}

export const hdr = hashAlgorithm('hdr', 'http', (st, req) => {
  if (!req.http || !st.cfg.hdr) return null;
  const v = firstHeaderValue(req.http, st.cfg.hdr.name);
  if (v === undefined) return null;
  return st.fn(st.cfg.hdr.useDomainOnly ? domainOnly(v) : v);
});
