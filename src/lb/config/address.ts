/**
 * Addresses in `bind` and `server` lines (HAProxy's str2sa_range, the parts we serve).
 *
 *   bind:   [ipv4@|ipv6@]HOST:PORT[-PORT]   HOST may be empty, '*', '::', an IP or a name
 *           [ipv6@][IPV6]:PORT, IPV6:PORT (last colon splits)
 *           unix@/path, /path               a UNIX stream socket
 *           fd@N                            an already-open listening descriptor
 *   server: [ipv4@|ipv6@]HOST[:PORT]        no port (or 0) = the client's destination port;
 *           HOST:+N / HOST:-N               destination port shifted by N
 *           unix@/path, /path
 * `${VAR}` and `$VAR` inside an address are expanded by expandAddressEnv(), as HAProxy's str2sa_range does.
 * Unsupported families (abns@, sockpair@, udp@, quic4@ …) are reported as such.
 */
import type { Parsed } from './units.ts';

export type Family = 4 | 6 | 0;

export type ListenAddress =
  | { kind: 'inet'; host: string; family: Family; portLow: number; portHigh: number }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number };

export type ServerAddress =
  | { kind: 'inet'; host: string; family: Family; port: number | null; portOffset: number }
  | { kind: 'unix'; path: string };

const UNSUPPORTED_PREFIXES = ['abns@', 'sockpair@', 'udp@', 'udp4@', 'udp6@', 'quic4@', 'quic6@', 'uxdg@', 'uxst@', 'tcp@', 'tcp4@', 'tcp6@'];

function prefix(text: string): { family: Family; rest: string } | { unsupported: string } | { unix: string } | { fd: string } {
  for (const p of UNSUPPORTED_PREFIXES) {
    if (text.startsWith(p)) return { unsupported: p };
  }
  if (text.startsWith('ipv4@')) return { family: 4, rest: text.slice(5) };
  if (text.startsWith('ipv6@')) return { family: 6, rest: text.slice(5) };
  if (text.startsWith('unix@')) return { unix: text.slice(5) };
  if (text.startsWith('fd@')) return { fd: text.slice(3) };
  if (text.startsWith('/')) return { unix: text };
  if (/^[a-z0-9]+@/.test(text)) return { unsupported: text.slice(0, text.indexOf('@') + 1) };
  return { family: 0, rest: text };
}

/** Splits HOST:PORT where HOST may be an IPv6 literal, with or without brackets. */
function splitHostPort(rest: string): { host: string; port: string | null } | null {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return null;
    const host = rest.slice(1, close);
    const tail = rest.slice(close + 1);
    if (tail === '') return { host, port: null };
    if (!tail.startsWith(':')) return null;
    return { host, port: tail.slice(1) };
  }
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return { host: rest, port: null };
  return { host: rest.slice(0, colon), port: rest.slice(colon + 1) };
}

function validHost(host: string): boolean {
  return /^[A-Za-z0-9._:%-]*$/.test(host) && host.length <= 253;
}

/** `ipv4@` needs an IPv4 literal or a name, `ipv6@` an IPv6 literal or a name. */
/**
 * A host made only of digits and dots must be an IPv4 address in inet_aton's forms
 * (1.2.3.4, 1.2.3, 127.1, 0x7f.1, 012.0.0.1), as HAProxy and getaddrinfo read it.
 */
export function invalidNumericHost(host: string): boolean {
  if (!/^[0-9.xXa-fA-F]+$/.test(host) || !/^\d/.test(host) || /[g-wyzG-WYZ]/.test(host)) return false;
  if (!/^[0-9.]+$/.test(host) && !/0[xX]/.test(host)) return false;
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return true;
  const values = parts.map((p) => (/^0[xX][0-9a-fA-F]+$/.test(p) ? parseInt(p, 16) : /^0[0-7]*$/.test(p) ? parseInt(p, 8) : /^[1-9]\d*$/.test(p) ? Number(p) : NaN));
  if (values.some((v) => Number.isNaN(v))) return true;
  const last = values[values.length - 1]!;
  const lead = values.slice(0, -1);
  if (lead.some((v) => v > 255)) return true;
  return last >= 2 ** (8 * (5 - values.length));
}

function familyMismatch(host: string, family: Family): boolean {
  if (family === 4) return host.includes(':');
  if (family === 6) return /^\d+\.\d+\.\d+\.\d+$/.test(host);
  return false;
}

/**
 * HAProxy expands `${VAR}` and `$VAR` inside addresses itself (even unquoted: its
 * env_expand()), without the `${VAR-default}` form and with the closing brace optional;
 * an unset variable expands to nothing.
 */
export function expandAddressEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$(\{?)([A-Za-z0-9_]*)(\}?)/g, (_m, open: string, name: string, close: string) =>
    // A '}' only belongs to the reference when a '{' opened it.
    (env[name] ?? '') + (open ? '' : close));
}

function parsePort(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const p = Number(text);
  return p >= 1 && p <= 65535 ? p : null;
}

function familyOf(host: string, declared: Family): Family {
  if (declared !== 0) return declared;
  return host.includes(':') ? 6 : 0;
}

export function parseListenAddress(text: string): Parsed<ListenAddress[]> {
  const pre = prefix(text);
  if ('unsupported' in pre) return { ok: false, reason: `address family '${pre.unsupported}' is not supported yet in '${text}'` };
  if ('unix' in pre) {
    if (pre.unix === '') return { ok: false, reason: `missing path in '${text}'` };
    return { ok: true, value: [{ kind: 'unix', path: pre.unix }] };
  }
  if ('fd' in pre) {
    if (!/^\d+$/.test(pre.fd)) return { ok: false, reason: `invalid file descriptor in '${text}' (expected fd@<number>)` };
    return { ok: true, value: [{ kind: 'fd', fd: Number(pre.fd) }] };
  }
  const hp = splitHostPort(pre.rest);
  if (hp && hp.host === '*') hp.host = '';
  if (!hp || !validHost(hp.host)) return { ok: false, reason: `invalid address: '${text}'` };
  if (familyMismatch(hp.host, pre.family) || invalidNumericHost(hp.host)) return { ok: false, reason: `invalid address: '${hp.host}' in '${text}'` };
  if (hp.port === null || hp.port === '') return { ok: false, reason: `missing port number: '${text}'` };
  const range = /^(\d+)(?:-(\d+))?$/.exec(hp.port);
  if (!range) return { ok: false, reason: `invalid port '${hp.port}'` };
  const low = parsePort(range[1]!);
  const high = range[2] !== undefined ? parsePort(range[2]) : low;
  if (low === null) return { ok: false, reason: `invalid port '${range[1]}'` };
  if (high === null) return { ok: false, reason: `invalid port '${range[2]}'` };
  if (high < low) return { ok: false, reason: `invalid port range '${hp.port}'` };
  return { ok: true, value: [{ kind: 'inet', host: hp.host, family: familyOf(hp.host, pre.family), portLow: low, portHigh: high }] };
}

/**
 * A bind's first argument may be a comma-separated list of addresses; as in HAProxy, one
 * trailing comma is ignored but any other empty item is an error.
 */
export function parseListenList(text: string, env: NodeJS.ProcessEnv = {}): Parsed<ListenAddress[]> {
  const out: ListenAddress[] = [];
  const parts = text.split(',');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  // Split first, expand after: a variable holding "a,b" is one (bad) address, as in HAProxy.
  for (const part of parts) {
    if (part === '') return { ok: false, reason: `empty address in list '${text}'` };
    const r = parseListenAddress(expandAddressEnv(part, env));
    if (!r.ok) return r;
    out.push(...r.value);
  }
  if (out.length === 0) return { ok: false, reason: `no address in '${text}'` };
  return { ok: true, value: out };
}

export function parseServerAddress(text: string): Parsed<ServerAddress> {
  const pre = prefix(text);
  if ('unsupported' in pre) return { ok: false, reason: `address family '${pre.unsupported}' is not supported yet in '${text}'` };
  if ('fd' in pre) return { ok: false, reason: `'fd@' is not allowed for a server address: '${text}'` };
  if ('unix' in pre) {
    if (pre.unix === '') return { ok: false, reason: `missing path in '${text}'` };
    return { ok: true, value: { kind: 'unix', path: pre.unix } };
  }
  const hp = splitHostPort(pre.rest);
  if (!hp || hp.host === '' || !validHost(hp.host)) return { ok: false, reason: `invalid address: '${text}'` };
  if (familyMismatch(hp.host, pre.family)) return { ok: false, reason: `invalid address: '${hp.host}' in '${text}'` };
  let port: number | null = null;
  let portOffset = 0;
  if (hp.port !== null) {
    const off = /^([+-])(\d+)$/.exec(hp.port);
    if (off) {
      portOffset = Number(off[2]) * (off[1] === '-' ? -1 : 1);
      if (Math.abs(portOffset) > 65535) return { ok: false, reason: `invalid port offset '${hp.port}'` };
    } else if (hp.port !== '0' && hp.port !== '') {
      // Port 0 (or none) on a server means "the port the client connected to".
      const p = parsePort(hp.port);
      if (p === null) return { ok: false, reason: `invalid port '${hp.port}'` };
      port = p;
    }
  }
  return { ok: true, value: { kind: 'inet', host: hp.host, family: familyOf(hp.host, pre.family), port, portOffset } };
}
