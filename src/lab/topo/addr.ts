/**
 * Address syntax checks for topologies (pure, no system calls): IPv4/IPv6 with a prefix
 * length, plain IPs (route gateways), MAC addresses. Each returns null when fine, else
 * what is wrong and what is allowed.
 */
import { isIP } from 'node:net';

export type Cidr = { ip: string; family: 4 | 6; prefix: number };

export function parseCidr(v: string): Cidr | string {
  const slash = v.indexOf('/');
  if (slash < 0) return `address '${v}' has no prefix length (write e.g. 10.0.0.1/24 or fd00::1/64)`;
  const ip = v.slice(0, slash);
  const p = v.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0) return `'${ip}' is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return `prefix length '/${p}' of '${v}' is not within /0 and /${max}`;
  return { ip: canonicalIp(ip), family: family as 4 | 6, prefix: Number(p) };
}

/** A route destination: `default` or a network in CIDR form. */
export function parseDestination(v: string): Cidr | 'default' | string {
  if (v === 'default') return 'default';
  return parseCidr(v);
}

export function ipFamily(v: string): 0 | 4 | 6 {
  return isIP(v) as 0 | 4 | 6;
}

/** Canonical text of an IP, so `fd00::0001` and `fd00::1` compare equal. */
export function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
export function checkMac(v: string): string | null {
  if (!MAC_RE.test(v)) return `'${v}' is not a MAC address (write six hex pairs, e.g. 02:00:00:00:00:01)`;
  const first = Number.parseInt(v.slice(0, 2), 16);
  if (first & 1) return `MAC address ${v} is a multicast address (the first byte must be even, e.g. 02:…)`;
  if (/^00(:00){5}$/.test(v)) return `MAC address ${v} is all zeros`;
  return null;
}
