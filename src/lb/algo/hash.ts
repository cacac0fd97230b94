/**
 * `balance hash <expr>`: the value of a sample expression picks the server. Until the
 * sample-fetch engine (issue 5) lands, the config parser accepts a fixed set of fetches
 * (config.ts HashExpr): `src` (the address bytes: 4 or 16, network order), `path` (no
 * query string), `url` (the target as received) and `req.hdr(NAME[,OCC])` / `hdr(…)`
 * (one comma-separated value; the last one by default, as HAProxy). The bytes go
 * through the `hash-type` function. A fetch that finds nothing: round-robin.
 */
import { hashAlgorithm } from './hashing.ts';
import { addressBytes, headerValues, pathOf } from './request-keys.ts';
import type { HashExpr } from './config.ts';
import type { PickRequest } from './types.ts';
import type { Bytes } from './hash-fn.ts';

/** The sample's bytes, or null when the fetch finds nothing. */
export function sample(expr: HashExpr, req: PickRequest): Bytes | null {
  switch (expr.fetch) {
    case 'src':
      return addressBytes(req.srcAddr);
    case 'path': {
      if (!req.http) return null;
      const p = pathOf(req.http.target);
      if (p === '') return null;
      const q = p.indexOf('?');
      return q < 0 ? p : p.slice(0, q);
    }
    case 'url':
      return req.http ? req.http.target : null;
    case 'req.hdr': {
      if (!req.http) return null;
      const values = headerValues(req.http, expr.name);
      const i = expr.occ > 0 ? expr.occ - 1 : values.length + expr.occ;
      return values[i] ?? null;
    }
  }
}

// `needs: 'http'` covers `src` too: every PickRequest carries the client address.
export const hash = hashAlgorithm('hash', 'http', (st, req) => {
  const b = st.cfg.expr ? sample(st.cfg.expr, req) : null;
  return b === null ? null : st.fn(b);
});
