/**
 * Pattern matching (HAProxy's `-m` methods). A list of patterns — written on the ACL line,
 * read from `-f` files, or the keys of a map — is compiled into an index whose `lookup`
 * answers the position of the pattern that matched (or -1). ACLs only test `>= 0`; maps
 * use the position to pick the value.
 *
 * Which pattern wins when several match, as HAProxy 2.6 does it:
 *  - str: exact lookup in a hash (case-sensitive or on lower-cased keys with -i); with
 *    duplicate keys the first written wins;
 *  - beg (case-sensitive): longest matching prefix (HAProxy's prefix tree); with -i, the
 *    first in written order;
 *  - ip: longest matching network (grouped by prefix length, so a lookup costs at most one
 *    hash probe per distinct prefix length, whatever the list size); non-contiguous IPv4
 *    masks are tried afterwards in order; IPv4 samples also match v4-mapped IPv6 networks
 *    and v4-mapped/6to4 IPv6 samples match IPv4 networks;
 *  - int, len: a hash of exact values plus the ranges in order;
 *  - sub, end, dir, dom, reg, bin: first in written order;
 *  - meth (the `method` fetch): a pattern spelled exactly as a known method (GET, HEAD,
 *    POST, PUT, DELETE, OPTIONS, CONNECT, TRACE) matches only that method, case-sensitive
 *    even with -i; any other pattern is compared as a string (-i honoured) with methods
 *    that are not known ones — so `method -i get` does not match GET (HAProxy 2.6).
 * Regexes are JavaScript RegExp, not PCRE: look-behind, named groups and Unicode classes
 * behave as in JS; possessive quantifiers, atomic groups and \Q…\E are not supported.
 */
import type { Sample, SampleTypeSpec } from './types.ts';
import { SampleError } from './types.ts';
import { parseIpPattern, maskV6, v4mapped, v6key, v6tov4 } from './ip.ts';

export type MatchMethod = 'found' | 'bool' | 'int' | 'ip' | 'bin' | 'len' | 'str' | 'beg' | 'end' | 'sub' | 'reg' | 'dir' | 'dom' | 'meth';

/** Methods accepted after `-m` ('meth' is only the default of the `method` fetch). */
export const MATCH_METHODS: readonly MatchMethod[] = ['found', 'bool', 'int', 'ip', 'bin', 'len', 'str', 'beg', 'end', 'sub', 'reg', 'dir', 'dom'];

/** The sample type a method compares (the sample is cast to it first). */
export function matchInput(m: MatchMethod): SampleTypeSpec {
  switch (m) {
    case 'found': return 'any';
    case 'bool': return 'bool';
    case 'int': return 'sint';
    case 'ip': return 'addr';
    case 'bin': return 'bin';
    case 'meth': return 'meth';
    default: return 'str';
  }
}

export interface PatternIndex {
  /** Position (in the written order) of the pattern that matches, or -1. */
  lookup(s: Sample): number;
  readonly size: number;
}

/** Integer range written as N, N:M, :M, N: (or produced by eq/ge/gt/le/lt). */
interface Range { lo: number; hi: number }

export function parseIntPattern(text: string): Range {
  const m = /^([-+]?[0-9]+)?(:)?([-+]?[0-9]+)?$/.exec(text);
  if (!m || (!m[1] && !m[3])) throw new SampleError(`'${text}' is not a valid integer or range`, 'SY_ERR_CFG_ACL');
  const lo = m[1] !== undefined ? Number(m[1]) : -Infinity;
  const hi = m[3] !== undefined ? Number(m[3]) : m[2] ? Infinity : lo;
  return { lo, hi };
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);
const DIR_DELIMS = '/?';
const DOM_DELIMS = '/?.:';

/** HAProxy's match_word: `pat` occurs in `s` bounded by delimiters (or the ends). */
function matchWord(s: string, pat: string, delims: string): boolean {
  let a = 0;
  let b = pat.length;
  while (a < b && delims.includes(pat[a]!)) a++;
  while (b > a && delims.includes(pat[b - 1]!)) b--;
  const p = pat.slice(a, b);
  if (p.length === 0) return false;
  let from = 0;
  for (;;) {
    const i = s.indexOf(p, from);
    if (i < 0) return false;
    const before = i === 0 || delims.includes(s[i - 1]!);
    const after = i + p.length === s.length || delims.includes(s[i + p.length]!);
    if (before && after) return true;
    from = i + 1;
  }
}

/**
 * Lower-case for -i, remembering the last four answers: a request's rules with -i on the
 * same headers (Host, User-Agent…) see the same string instances again and again (the views
 * cache decoded values), so each is lower-cased once per request instead of once per rule.
 * Exact: the memo is keyed by the string itself.
 */
const lowIn = ['', '', '', ''];
const lowOut = ['', '', '', ''];
let lowNext = 0;
export function lowerMemo(v: string): string {
  for (let i = 0; i < 4; i++) if (lowIn[i] === v) return lowOut[i]!;
  const out = v.toLowerCase();
  lowIn[lowNext] = v;
  lowOut[lowNext] = out;
  lowNext = (lowNext + 1) & 3;
  return out;
}

function strOf(s: Sample): string {
  return s.type === 'str' || s.type === 'meth' ? s.v : s.type === 'bin' ? s.v.toString('latin1') : String(s.v);
}

/**
 * Builds the index of `patterns` for `method`. `icase` is -i. Throws SampleError on a
 * pattern the method cannot parse (bad integer, bad address, bad regex, odd hex).
 */
export function buildIndex(method: MatchMethod, patterns: readonly string[], icase: boolean): PatternIndex {
  const size = patterns.length;
  switch (method) {
    case 'found':
      return { size, lookup: () => 0 };
    case 'bool':
      return { size, lookup: (s) => (s.type === 'bool' ? (s.v ? 0 : -1) : s.type === 'sint' && s.v !== 0 ? 0 : -1) };
    case 'str': {
      const map = new Map<string, number>();
      patterns.forEach((p, i) => {
        const k = icase ? p.toLowerCase() : p;
        if (!map.has(k)) map.set(k, i);
      });
      return { size, lookup: (s) => map.get(icase ? lowerMemo(strOf(s)) : strOf(s)) ?? -1 };
    }
    case 'beg': {
      if (icase) {
        const low = patterns.map((p) => p.toLowerCase());
        return {
          size,
          lookup: (s) => {
            const v = lowerMemo(strOf(s));
            for (let i = 0; i < low.length; i++) if (v.startsWith(low[i]!)) return i;
            return -1;
          },
        };
      }
      const map = new Map<string, number>();
      patterns.forEach((p, i) => { if (!map.has(p)) map.set(p, i); });
      const lens = [...new Set(patterns.map((p) => p.length))].sort((a, b) => b - a);
      return {
        size,
        lookup: (s) => {
          const v = strOf(s);
          for (const l of lens) {
            if (l > v.length) continue;
            const hit = map.get(l === v.length ? v : v.slice(0, l));
            if (hit !== undefined) return hit;
          }
          return -1;
        },
      };
    }
    case 'end':
    case 'sub':
    case 'dir':
    case 'dom': {
      const low = icase ? patterns.map((p) => p.toLowerCase()) : patterns.slice();
      const test: (v: string, p: string) => boolean =
        method === 'end' ? (v, p) => v.endsWith(p)
        : method === 'sub' ? (v, p) => v.includes(p)
        : method === 'dir' ? (v, p) => matchWord(v, p, DIR_DELIMS)
        : (v, p) => matchWord(v, p, DOM_DELIMS);
      return {
        size,
        lookup: (s) => {
          const v = icase ? lowerMemo(strOf(s)) : strOf(s);
          for (let i = 0; i < low.length; i++) if (test(v, low[i]!)) return i;
          return -1;
        },
      };
    }
    case 'len':
    case 'int': {
      const exact = new Map<number, number>();
      const ranges: { r: Range; i: number }[] = [];
      patterns.forEach((p, i) => {
        const r = parseIntPattern(p);
        if (r.lo === r.hi) { if (!exact.has(r.lo)) exact.set(r.lo, i); } else ranges.push({ r, i });
      });
      const num = method === 'len'
        ? (s: Sample): number => strOf(s).length
        : (s: Sample): number => (s.type === 'sint' ? s.v : s.type === 'bool' ? Number(s.v) : NaN);
      return {
        size,
        lookup: (s) => {
          const n = num(s);
          let best = exact.get(n) ?? -1;
          for (const { r, i } of ranges) {
            if (best >= 0 && i > best) break;
            if (n >= r.lo && n <= r.hi) { best = i; break; }
          }
          return best;
        },
      };
    }
    case 'reg': {
      const res = patterns.map((p) => {
        try {
          return new RegExp(p, icase ? 'si' : 's');
        } catch (e) {
          throw new SampleError(`regex '${p}' is invalid: ${(e as Error).message}`, 'SY_ERR_CFG_ACL');
        }
      });
      return { size, lookup: (s) => { const v = strOf(s); for (let i = 0; i < res.length; i++) if (res[i]!.test(v)) return i; return -1; } };
    }
    case 'bin': {
      const bins = patterns.map((p) => {
        if (!/^([0-9a-fA-F]{2})*$/.test(p)) throw new SampleError(`'${p}' is not a valid hexadecimal binary string`, 'SY_ERR_CFG_ACL');
        return Buffer.from(p, 'hex');
      });
      return {
        size,
        lookup: (s) => {
          const v = s.type === 'bin' ? s.v : Buffer.from(strOf(s), 'latin1');
          for (let i = 0; i < bins.length; i++) if (bins[i]!.equals(v)) return i;
          return -1;
        },
      };
    }
    case 'ip':
      return buildIpIndex(patterns);
    case 'meth': {
      const low = patterns.map((p) => (KNOWN_METHODS.has(p) ? null : icase ? p.toLowerCase() : p));
      return {
        size,
        lookup: (s) => {
          const v = strOf(s);
          const known = KNOWN_METHODS.has(v);
          const lv = icase && !known ? lowerMemo(v) : v;
          for (let i = 0; i < patterns.length; i++) {
            const o = low[i];
            if (o === null ? patterns[i] === v : !known && o === lv) return i;
          }
          return -1;
        },
      };
    }
  }
}

function buildIpIndex(patterns: readonly string[]): PatternIndex {
  // v4: prefix length -> (network -> position); v6: prefix length -> (masked key -> position)
  const v4 = new Map<number, Map<number, number>>();
  const v6 = new Map<number, Map<string, number>>();
  const odd: { addr: number; mask: number; i: number }[] = [];
  patterns.forEach((p, i) => {
    const ip = parseIpPattern(p);
    if (!ip) throw new SampleError(`'${p}' is not a valid IPv4 or IPv6 address (host names are not resolved)`, 'SY_ERR_CFG_ACL');
    if (ip.family === 4) {
      if (ip.prefix === null) { odd.push({ addr: ip.addr, mask: ip.mask, i }); return; }
      let m = v4.get(ip.prefix);
      if (!m) v4.set(ip.prefix, (m = new Map()));
      if (!m.has(ip.addr)) m.set(ip.addr, i);
    } else {
      let m = v6.get(ip.prefix);
      if (!m) v6.set(ip.prefix, (m = new Map()));
      const k = v6key(ip.addr);
      if (!m.has(k)) m.set(k, i);
    }
  });
  const v4lens = [...v4.keys()].sort((a, b) => b - a).map((l) => ({ l, m: v4.get(l)!, mask: l === 0 ? 0 : (0xffffffff << (32 - l)) >>> 0 }));
  const v6lens = [...v6.keys()].sort((a, b) => b - a).map((l) => ({ l, m: v6.get(l)! }));
  const look4 = (a: number): number => {
    for (const { m, mask } of v4lens) {
      const hit = m.get((a & mask) >>> 0);
      if (hit !== undefined) return hit;
    }
    for (const o of odd) if (((a & o.mask) >>> 0) === o.addr) return o.i;
    return -1;
  };
  const look6 = (b: Uint8Array): number => {
    for (const { l, m } of v6lens) {
      const hit = m.get(v6key(maskV6(b, l)));
      if (hit !== undefined) return hit;
    }
    return -1;
  };
  return {
    size: patterns.length,
    lookup: (s) => {
      if (s.type === 'ipv4') {
        const r = look4(s.v);
        return r >= 0 || v6lens.length === 0 ? r : look6(v4mapped(s.v));
      }
      if (s.type === 'ipv6') {
        const r = v6lens.length ? look6(s.v) : -1;
        if (r >= 0) return r;
        const a = v6tov4(s.v);
        return a === null ? -1 : look4(a);
      }
      return -1;
    },
  };
}
