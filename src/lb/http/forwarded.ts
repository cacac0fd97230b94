/**
 * `option forwardfor`: the field that tells the server who the client is.
 *
 * HAProxy's rules: the option may be set on the frontend or the backend; the backend's
 * settings win when both have it; a client inside either one's `except` network gets
 * no field; with `if-none` the field is added only when the request has none.
 */
import net from 'node:net';
import { bytesEqualLower } from './h1-parse.ts';
import type { ForwardFor } from '../config/types.ts';
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

/** The "name: ip" line to append, or null. `remote` is the client socket's address. */
export function forwardedForLine(fe: ForwardFor | null, be: ForwardFor | null, req: RequestHead, remote: string | undefined): string | null {
  const ff = be ?? fe;
  if (!ff || !remote) return null;
  // IPv4 clients on a dual-stack listener appear as ::ffff:a.b.c.d; servers expect a.b.c.d.
  const ip = remote.startsWith('::ffff:') && net.isIPv4(remote.slice(7)) ? remote.slice(7) : remote;
  const family = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
  if (excepted(fe, ip, family) || excepted(be, ip, family)) return null;
  if (ff.ifNone && hasField(req, ff.header)) return null;
  return `${ff.header}: ${ip}`;
}
