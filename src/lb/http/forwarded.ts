/**
 * Fields that tell the server who the client is and where it connected:
 *   - `option forwardfor` (x-forwarded-for: client ip) and `option originalto`
 *     (x-original-to: the address the client connected to). HAProxy's rules: the option
 *     may be set on the frontend or the backend; the backend's settings win when both
 *     have it; a client (forwardfor) or destination (originalto) inside either one's
 *     `except` network gets no field; with `if-none` (forwardfor only) the field is added
 *     only when the request has none.
 *   - `option forwarded` (RFC 7239): one `forwarded:` field with the chosen parameters,
 *     appended after any the client sent (RFC 7239 §4: a proxy adds its own element).
 */
import net from 'node:net';
import { bytesEqualLower } from './h1-parse.ts';
import type { ForwardFor, Rfc7239 } from '../config/types.ts';
import type { RequestHead } from './types.ts';

const lists = new WeakMap<ForwardFor, net.BlockList>();

function excepted(ff: ForwardFor | null, ip: string, family: 'ipv4' | 'ipv6'): boolean {
  if (!ff || !ff.except) return false;
  let list = lists.get(ff);
  if (!list) {
    list = new net.BlockList();
    list.addSubnet(ff.except.address, ff.except.prefix, ff.except.family);
    lists.set(ff, list);
  }
  return list.check(ip, family);
}

function hasField(req: RequestHead, lowerName: string): boolean {
  for (let k = 0; k < req.fieldCount; k++) {
    if (bytesEqualLower(req.buf, req.fields[k * 4]!, req.fields[k * 4 + 1]!, lowerName)) return true;
  }
  return false;
}

/** IPv4 peers on a dual-stack socket appear as ::ffff:a.b.c.d; servers expect a.b.c.d. */
function plainIp(addr: string): string {
  return addr.startsWith('::ffff:') && net.isIPv4(addr.slice(7)) ? addr.slice(7) : addr;
}

/**
 * The "name: ip" line to append, or null. `addr` is the client's address for forwardfor,
 * the local (destination) address for originalto.
 */
export function forwardedForLine(fe: ForwardFor | null, be: ForwardFor | null, req: RequestHead, addr: string | undefined): string | null {
  const ff = be ?? fe;
  if (!ff || !addr) return null;
  const ip = plainIp(addr);
  const family = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
  if (excepted(fe, ip, family) || excepted(be, ip, family)) return null;
  if (ff.ifNone && hasField(req, ff.header)) return null;
  return `${ff.header}: ${ip}`;
}

/** An RFC 7239 node: IPv4 bare, IPv6 in brackets, with an optional port — quoted when needed. */
function node(addr: string, port: number | undefined): string {
  const ip = plainIp(addr);
  const base = net.isIPv6(ip) ? `[${ip}]` : ip;
  const text = port === undefined ? base : `${base}:${port}`;
  return net.isIPv6(ip) || port !== undefined ? `"${text}"` : text;
}

/** The request's Host value as an RFC 7239 value (a token, else a quoted string), or null. */
function hostValue(req: RequestHead): string | null {
  for (let k = 0; k < req.fieldCount; k++) {
    if (!bytesEqualLower(req.buf, req.fields[k * 4]!, req.fields[k * 4 + 1]!, 'host')) continue;
    const v = req.buf.toString('latin1', req.fields[k * 4 + 2]!, req.fields[k * 4 + 3]!);
    return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
  }
  return null;
}

export interface Endpoints {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

/** The `forwarded:` line for `option forwarded`, or null when not set. */
export function rfc7239Line(f: Rfc7239 | null, req: RequestHead, ends: Endpoints): string | null {
  if (!f) return null;
  const parts: string[] = [];
  if (f.proto) parts.push('proto=http');
  if (f.host) {
    const h = hostValue(req);
    if (h !== null) parts.push(`host=${h}`);
  }
  if (f.by && ends.localAddress) parts.push(`by=${node(ends.localAddress, f.byPort ? ends.localPort : undefined)}`);
  if (f.for && ends.remoteAddress) parts.push(`for=${node(ends.remoteAddress, f.forPort ? ends.remotePort : undefined)}`);
  return parts.length > 0 ? `forwarded: ${parts.join(';')}` : null;
}
