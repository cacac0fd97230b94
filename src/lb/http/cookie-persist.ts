/**
 * Cookie-based server persistence (`cookie NAME insert|rewrite|prefix …` with server
 * `cookie VALUE`), HAProxy's semantics:
 *   - a request whose cookie NAME carries a server's value goes to that server (if it
 *     can take traffic, or is only down and `option persist` is set) — "direct";
 *   - insert: the proxy adds `Set-Cookie: NAME=VALUE; path=/` to a response when the
 *     request was not directed to the server that answered (and, with `postonly`, only
 *     for POST; with `preserve`, not when the server set NAME itself); `nocache` adds
 *     `cache-control: private` when the response could otherwise be cached (see cacheable()); `indirect` also removes NAME from requests and from
 *     the server's own Set-Cookie (unless `preserve`);
 *   - rewrite: the server sets NAME itself; its value is replaced by the server's value;
 *   - prefix: the server's NAME value is prefixed with "VALUE~" on the way out, and the
 *     prefix is removed from requests on the way in;
 *   - maxidle / maxlife (insert): the cookie carries dates, "VALUE|LAST[|FIRST]", each a
 *     30-bit count of 4-second units since the epoch in 5 base64 characters (HAProxy's
 *     layout, so cookies survive a switch between the two). A cookie idle longer than
 *     maxidle, or older than maxlife, is ignored (the client is balanced again); a valid
 *     one is re-stamped when its LAST date is behind. The dates never reach the server.
 * Pure functions over parsed heads: they return field edits and extra lines for the
 * head writer (h1-write.ts), never strings for fields they leave alone.
 */
import type { CookieConfig } from '../config/types.ts';
import type { RequestHead, ResponseHead } from './types.ts';
import { bytesEqualLower } from './h1-parse.ts';

export interface PersistCookie {
  /** The server cookie value the request carries ('' when it expired: balance again). */
  value: string;
  /** Date stamps it carried (4-second units), 0 when absent. */
  last: number;
  first: number;
  /** Edits to apply to the request's Cookie fields before forwarding (may be empty). */
  edits: Map<number, string | null>;
}

function fieldText(h: RequestHead | ResponseHead, k: number): { name: string; value: string } {
  const f = h.fields;
  return { name: h.buf.toString('latin1', f[k * 4]!, f[k * 4 + 1]!), value: h.buf.toString('latin1', f[k * 4 + 2]!, f[k * 4 + 3]!) };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Now as a date stamp: seconds / 4, rounded up. */
export function stampNow(nowMs = Date.now()): number {
  return Math.floor((Math.floor(nowMs / 1000) + 3) / 4);
}

function encodeStamp(v: number): string {
  let out = '';
  for (let shift = 24; shift >= 0; shift -= 6) out += B64[(v >>> shift) & 63];
  return out;
}

function decodeStamp(t: string): number {
  if (t.length !== 5) return 0;
  let v = 0;
  for (const ch of t) {
    const d = B64.indexOf(ch);
    if (d < 0) return 0;
    v = v * 64 + d;
  }
  return v;
}

/** Splits "VALUE|LAST|FIRST" and applies maxidle/maxlife: '' as value when expired. */
function dated(raw: string, cfg: CookieConfig, now: number): { value: string; last: number; first: number } {
  const [value = '', lastT, firstT] = raw.split('|');
  if (cfg.maxidle === 0 && cfg.maxlife === 0) return { value, last: 0, first: 0 };
  const last = lastT ? decodeStamp(lastT) : 0;
  const first = firstT ? decodeStamp(firstT) : 0;
  const idle = Math.ceil(cfg.maxidle / 4000);
  const life = Math.ceil(cfg.maxlife / 4000);
  if (idle > 0 && (last === 0 || now - last > idle || last - now > idle)) return { value: '', last, first };
  if (life > 0 && first !== 0 && (now - first > life || first - now > life)) return { value: '', last, first };
  return { value, last, first };
}

/** Finds cookie NAME in the request's Cookie fields; null when absent. */
export function readPersistCookie(req: RequestHead, cfg: CookieConfig, now = stampNow()): PersistCookie | null {
  const edits = new Map<number, string | null>();
  let found: string | null = null;
  let stamps = { last: 0, first: 0 };
  for (let k = 0; k < req.fieldCount; k++) {
    if (!bytesEqualLower(req.buf, req.fields[k * 4]!, req.fields[k * 4 + 1]!, 'cookie')) continue;
    const { name, value } = fieldText(req, k);
    const pairs = value.split(';').map((p) => p.trim()).filter((p) => p !== '');
    let changed = false;
    const kept: string[] = [];
    for (const p of pairs) {
      const eq = p.indexOf('=');
      const n = eq < 0 ? p : p.slice(0, eq);
      if (n !== cfg.name || found !== null) { kept.push(p); continue; }
      const v = eq < 0 ? '' : p.slice(eq + 1);
      if (cfg.mode === 'prefix') {
        const tilde = v.indexOf('~');
        found = tilde < 0 ? v : v.slice(0, tilde);
        kept.push(tilde < 0 ? p : `${n}=${v.slice(tilde + 1)}`);
        changed = tilde >= 0;
      } else {
        const d = dated(v, cfg, now);
        found = d.value;
        stamps = d;
        if (cfg.mode === 'insert' && cfg.indirect) changed = true; // removed
        else if (v.includes('|')) { kept.push(`${n}=${d.value || v.slice(0, v.indexOf('|'))}`); changed = true; } // dates stay here
        else kept.push(p);
      }
    }
    if (changed) edits.set(k, kept.length > 0 ? `${name}: ${kept.join('; ')}` : null);
  }
  return found === null ? null : { value: found, last: stamps.last, first: stamps.first, edits };
}

/** Statuses a cache may store by default (RFC 9111 §4.2.2's heuristically cacheable set). */
const CACHEABLE_STATUSES = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

/**
 * Whether a shared cache could store this response (as observed from HAProxy 2.6's
 * `nocache`): a GET/HEAD answer with a cacheable status and explicit freshness or a
 * validator (max-age, s-maxage, public, Expires, Last-Modified, ETag), and nothing
 * forbidding it (no-cache, no-store, private, Pragma: no-cache).
 */
function cacheable(resp: ResponseHead, method: string): boolean {
  if ((method !== 'GET' && method !== 'HEAD') || !CACHEABLE_STATUSES.has(resp.status)) return false;
  let explicit = false;
  for (let k = 0; k < resp.fieldCount; k++) {
    const ns = resp.fields[k * 4]!;
    const ne = resp.fields[k * 4 + 1]!;
    const is = (n: string): boolean => bytesEqualLower(resp.buf, ns, ne, n);
    if (is('cache-control') || is('pragma')) {
      const v = resp.buf.toString('latin1', resp.fields[k * 4 + 2]!, resp.fields[k * 4 + 3]!).toLowerCase();
      if (/(^|[\s,])(no-cache|no-store|private)\b/.test(v)) return false;
      if (/(^|[\s,])(max-age|s-maxage|public)\b/.test(v)) explicit = true;
    } else if (is('expires') || is('last-modified') || is('etag')) {
      explicit = true;
    }
  }
  return explicit;
}

/** Index of the first Set-Cookie field setting NAME, or -1. */
function setCookieIndex(resp: ResponseHead, cookieName: string): number {
  for (let k = 0; k < resp.fieldCount; k++) {
    if (!bytesEqualLower(resp.buf, resp.fields[k * 4]!, resp.fields[k * 4 + 1]!, 'set-cookie')) continue;
    const { value } = fieldText(resp, k);
    if (value.slice(0, value.indexOf('=')).trim() === cookieName) return k;
  }
  return -1;
}

export interface ResponseCookieChange {
  extra: string[];
  edits: Map<number, string | null> | null;
}

/**
 * What the response to a request needs: `serverValue` is the answering server's cookie
 * value ('' when it has none: nothing is done), `direct` whether the request's cookie
 * chose that server.
 */
export function responseCookie(resp: ResponseHead, cfg: CookieConfig, serverValue: string, direct: boolean, method: string, sent: PersistCookie | null = null, now = stampNow()): ResponseCookieChange | null {
  if (serverValue === '') return null;
  const own = setCookieIndex(resp, cfg.name);
  if (cfg.mode === 'insert') {
    const edits = own >= 0 && cfg.indirect && !cfg.preserve ? new Map<number, string | null>([[own, null]]) : null;
    const dates = cfg.maxidle > 0 || cfg.maxlife > 0;
    // With dates, a directed client is re-stamped once its LAST date is behind (or FIRST is missing).
    const restamp = dates && direct && sent !== null && (sent.last < now || (cfg.maxlife > 0 && sent.first === 0));
    const insert = (!direct || restamp) && (!cfg.postonly || method === 'POST') && !(cfg.preserve && own >= 0);
    if (!insert) return edits ? { extra: [], edits } : null;
    let value = serverValue;
    if (dates) {
      value += `|${encodeStamp(now)}`;
      if (cfg.maxlife > 0) value += `|${encodeStamp(direct && sent && sent.first > 0 ? sent.first : now)}`;
    }
    let line = `set-cookie: ${cfg.name}=${value}; path=/`;
    for (const d of cfg.domains) line += `; domain=${d}`;
    if (cfg.httponly) line += '; HttpOnly';
    if (cfg.secure) line += '; Secure';
    for (const a of cfg.attrs) line += `; ${a}`;
    return { extra: cfg.nocache && cacheable(resp, method) ? [line, 'cache-control: private'] : [line], edits };
  }
  if (own < 0) return null;
  const { name, value } = fieldText(resp, own);
  const eq = value.indexOf('=');
  const semi = value.indexOf(';', eq);
  const old = value.slice(eq + 1, semi < 0 ? undefined : semi);
  const next = cfg.mode === 'rewrite' ? serverValue : `${serverValue}~${old}`;
  const line = `${name}: ${value.slice(0, eq + 1)}${next}${semi < 0 ? '' : value.slice(semi)}`;
  return { extra: [], edits: new Map([[own, line]]) };
}
