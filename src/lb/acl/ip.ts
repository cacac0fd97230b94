/**
 * IP address text <-> binary forms used by samples and patterns. IPv4 is an unsigned
 * 32-bit number, IPv6 16 bytes. Parsing is strict (inet_pton rules: dotted quad with four
 * decimal parts, IPv6 with at most one "::" and an optional trailing dotted quad);
 * formatting follows inet_ntop (RFC 5952 zero compression, lower-case hex).
 */

/** Dotted quad to number; a char loop (no split/regex): `src`/`dst` parse it per evaluation. */
export function parseIPv4(s: string): number | null {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return null;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return null;
      part = part * 10 + (c - 48);
      if (part > 255) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return (v * 256 + part) >>> 0;
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function parseIPv6(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  let tail: number | null = null;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > 0) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (tail === null) return null;
    text = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return null;
  const parse = (t: string): number[] | null => {
    if (t === '') return [];
    const out: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const a = parse(text.slice(0, dbl));
    const b = parse(text.slice(dbl + 2));
    if (!a || !b || a.length + b.length > 7) return null;
    groups = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  } else {
    const a = parse(text);
    if (!a || a.length !== 8) return null;
    groups = a;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 255;
  }
  if (tail !== null) {
    out[12] = tail >>> 24;
    out[13] = (tail >>> 16) & 255;
    out[14] = (tail >>> 8) & 255;
    out[15] = tail & 255;
  }
  return out;
}

export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  // glibc's inet_ntop prints ::ffff:a.b.c.d, and ::a.b.c.d only when exactly the first six
  // groups are zero (::2 stays ::2, ::1:2 is ::0.1.0.2)
  const v4tail =
    g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 &&
    (g[5] === 0xffff || (g[5] === 0 && g[6] !== 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (from: number, to: number): string[] => g.slice(from, to).map((x) => x.toString(16));
  const limit = v4tail ? 6 : 8;
  let s: string;
  if (bestStart >= 0 && bestStart < limit) {
    const end = Math.min(bestStart + bestLen, limit);
    s = hex(0, bestStart).join(':') + '::' + hex(end, limit).join(':');
  } else {
    s = hex(0, limit).join(':');
  }
  if (v4tail) {
    const t = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    s = s.endsWith(':') ? s + t : s + ':' + t;
  }
  return s;
}

/** ::ffff:a.b.c.d of an IPv4 value. */
export function v4mapped(v: number): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out[12] = v >>> 24;
  out[13] = (v >>> 16) & 255;
  out[14] = (v >>> 8) & 255;
  out[15] = v & 255;
  return out;
}

/** The IPv4 address inside a v4-mapped (::ffff:x) or 6to4 (2002:XXXX:XXXX::/48) address, else null. */
export function v6tov4(b: Uint8Array): number | null {
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[i] !== 0) mapped = false;
  if (mapped) return ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
  if (b[0] === 0x20 && b[1] === 0x02) return ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0;
  return null;
}

/** Netmask of a prefix length as an unsigned 32-bit number. */
export function maskV4(prefix: number): number {
  return prefix <= 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** A copy of `b` with the bits beyond `prefix` cleared. */
export function maskV6(b: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = b[i]! & ((0xff00 >> bits) & 0xff);
  }
  return out;
}

/** A string key for a 16-byte address (latin1 chars), for Map/Set lookups. */
export function v6key(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

/**
 * Parses "addr", "addr/len", "addr/dotted-mask" (IPv4) or "v6/len". Returns null when not
 * an address. Non-contiguous IPv4 masks are accepted (matched by a linear list).
 */
export type IpPattern =
  | { family: 4; addr: number; mask: number; prefix: number | null }
  | { family: 6; addr: Uint8Array; prefix: number };

export function parseIpPattern(text: string): IpPattern | null {
  const slash = text.indexOf('/');
  const a = slash < 0 ? text : text.slice(0, slash);
  const m = slash < 0 ? null : text.slice(slash + 1);
  const v4 = parseIPv4(a);
  if (v4 !== null) {
    if (m === null) return { family: 4, addr: v4, mask: 0xffffffff, prefix: 32 };
    if (/^[0-9]{1,2}$/.test(m)) {
      const p = Number(m);
      if (p > 32) return null;
      const mask = maskV4(p);
      return { family: 4, addr: (v4 & mask) >>> 0, mask, prefix: p };
    }
    const mv = parseIPv4(m);
    if (mv === null) return null;
    let prefix: number | null = null;
    for (let p = 0; p <= 32; p++) if (maskV4(p) === mv) prefix = p;
    return { family: 4, addr: (v4 & mv) >>> 0, mask: mv, prefix };
  }
  const v6 = parseIPv6(a);
  if (v6 === null) return null;
  let prefix = 128;
  if (m !== null) {
    if (!/^[0-9]{1,3}$/.test(m) || Number(m) > 128) return null;
    prefix = Number(m);
  }
  return { family: 6, addr: maskV6(v6, prefix), prefix };
}
