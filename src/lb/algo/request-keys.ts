/**
 * What the hash algorithms read from a request: header values, the path of a target,
 * the client address as bytes. Pure functions over strings; no allocation on the
 * common paths (a plain header value, an IPv4 client).
 */
import type { HttpPickView } from './types.ts';
/**
 * The values of a header as HAProxy's header lookups see them: each field line split on
 * commas outside double quotes, each value trimmed of spaces and tabs, in order.
 */
export function headerValues(view: HttpPickView, name: string): string[] {
  const lines = view.headers ? view.headers(name) : (() => { const v = view.header(name); return v === undefined ? [] : [v]; })();
  const out: string[] = [];
  for (const line of lines) splitValues(line, out);
  return out;
}

/** The first value of header `name` (see headerValues), or undefined. */
export function firstHeaderValue(view: HttpPickView, name: string): string | undefined {
  const line = view.header(name);
  if (line === undefined) return undefined;
  // Common case: one plain value.
  if (!/[,"\t ]/.test(line)) return line;
  const out: string[] = [];
  splitValues(line, out);
  return out[0];
}

/** Appends the comma-separated values of one field line (commas in quotes do not count). */
function splitValues(line: string, out: string[]): void {
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 0x2c;
    if (c === 0x22 /* " */) quoted = !quoted;
    else if (c === 0x5c /* \ */ && quoted) i++;
    else if (c === 0x2c /* , */ && (!quoted || i === line.length)) {
      out.push(line.slice(start, i).replace(/^[ \t]+|[ \t]+$/g, ''));
      start = i + 1;
    }
  }
}

/**
 * The path part of a request-target, query included: origin-form as is; absolute-form
 * without scheme and authority ("" when it has no path); `*` and authority-form give "".
 */
export function pathOf(target: string): string {
  if (target.startsWith('/')) return target;
  const scheme = target.indexOf('://');
  if (scheme < 0) return '';
  const slash = target.indexOf('/', scheme + 3);
  return slash < 0 ? '' : target.slice(slash);
}

/** A dotted IPv4 address as one unsigned 32-bit word (network order), or -1. The hot path of `source`. */
export function ipv4Word(a: string): number {
  let word = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      part = part * 10 + c - 0x30;
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      word = (word << 8) | part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? ((word << 8) | part) >>> 0 : -1;
}

/** The four or sixteen bytes of an IP address in network order, or null (UNIX client, unparsable). */
export function addressBytes(addr: string): Uint8Array | null {
  if (addr.includes(':')) return ipv6Bytes(addr);
  const parts = addr.split('.');
  if (parts.length !== 4) return null;
  const b = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(parts[i]);
    if (!/^\d{1,3}$/.test(parts[i]!) || v > 255) return null;
    b[i] = v;
  }
  return b;
}

function ipv6Bytes(addr: string): Uint8Array | null {
  const zone = addr.indexOf('%');
  if (zone >= 0) addr = addr.slice(0, zone);
  let tail: number[] = [];
  const lastColon = addr.lastIndexOf(':');
  if (addr.slice(lastColon + 1).includes('.')) {
    const v4 = addressBytes(addr.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    addr = addr.slice(0, lastColon + 1) + '0:0';
  }
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return null;
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  if (tail.length) groups.splice(6, 2, ...tail);
  const b = new Uint8Array(16);
  groups.forEach((g, i) => { b[2 * i] = g >> 8; b[2 * i + 1] = g & 0xff; });
  return b;
}
