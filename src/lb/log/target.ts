/**
 * The `log` line, shared by `global` and proxies:
 *   log ADDR [len N] [format F] [sample RANGES:SIZE] FACILITY [LEVEL [MINLEVEL]]
 * Pure parsing (no sockets), with HAProxy 2.6's wording for its errors. `len`, `format`
 * and `sample` are accepted in any order before the facility.
 *
 * Addresses served: IPv4 `A.B.C.D[:PORT]`, IPv6 `[V6][:PORT]` or `V6:PORT` (the last
 * colon splits, as HAProxy: a bare `::1` is invalid), optional `udp@` `udp4@` `udp6@`
 * `ipv4@` `ipv6@` prefixes, port 514 by default; `localhost`; `stdout` `stderr` `fd@N`;
 * UNIX datagram sockets `/PATH`, `unix@PATH`, `uxdg@PATH`. Refused as not implemented
 * yet: `ring@`, stream targets (`tcp@` `tcp4@` `tcp6@` `uxst@`), `abns@`, host names.
 */
import { isIP } from 'node:net';
import type { Parsed } from '../config/units.ts';
import type { LogAddress, LogTarget, SyslogFormat } from './types.ts';
import { FACILITIES, LEVELS, LOG_FORMATS } from './types.ts';

export type LogLineResult =
  | { ok: true; global: true }
  | { ok: true; global: false; target: LogTarget }
  | { ok: false; reason: string; notImplemented?: boolean };

const NOT_YET = ['ring@', 'tcp@', 'tcp4@', 'tcp6@', 'uxst@', 'abns@', 'sockpair@', 'quic4@', 'quic6@'];

/** Parses a log target address (after ${VAR} expansion). */
export function parseLogAddress(text: string): Parsed<LogAddress> & { notImplemented?: boolean } {
  if (text === 'stdout') return { ok: true, value: { kind: 'fd', fd: 1 } };
  if (text === 'stderr') return { ok: true, value: { kind: 'fd', fd: 2 } };
  for (const p of NOT_YET) {
    if (text.startsWith(p)) {
      return { ok: false, notImplemented: true, reason: `log target '${text}': '${p}' targets are valid in HAProxy but not implemented yet in Switchyard (supported: IP[:PORT], udp@, stdout, stderr, fd@N, UNIX datagram socket paths)` };
    }
  }
  if (text.startsWith('fd@')) {
    const n = text.slice(3);
    if (!/^\d+$/.test(n)) return { ok: false, reason: `invalid file descriptor '${n}' in '${text}'` };
    return { ok: true, value: { kind: 'fd', fd: Number(n) } };
  }
  for (const p of ['unix@', 'uxdg@']) {
    if (text.startsWith(p)) {
      const path = text.slice(p.length);
      if (!path) return { ok: false, reason: `missing path in '${text}'` };
      return { ok: true, value: { kind: 'unix', path } };
    }
  }
  if (text.startsWith('/')) return { ok: true, value: { kind: 'unix', path: text } };
  let family: 0 | 4 | 6 = 0;
  let rest = text;
  const m = /^(udp|udp4|udp6|ipv4|ipv6)@/.exec(text);
  if (m) {
    family = m[1]!.endsWith('6') ? 6 : m[1]!.endsWith('4') ? 4 : 0;
    rest = text.slice(m[0].length);
  } else if (/^[a-z0-9]+@/.test(text)) {
    return { ok: false, reason: `unknown address family '${text.slice(0, text.indexOf('@') + 1)}' in '${text}'` };
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return { ok: false, reason: `invalid address '${text}' (missing ']')` };
    host = rest.slice(1, end);
    const after = rest.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) return { ok: false, reason: `invalid address '${text}'` };
    portText = after.slice(1);
  } else {
    const colon = rest.lastIndexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? undefined : rest.slice(colon + 1);
  }
  if (host === 'localhost') host = family === 6 ? '::1' : '127.0.0.1';
  const kind = isIP(host);
  if (kind === 0) {
    if (host.includes(':') || /^[\d.]*$/.test(host)) return { ok: false, reason: `invalid address: '${host}' in '${text}'` };
    return { ok: false, notImplemented: true, reason: `log target '${text}': host names are not supported yet in log targets; use an IP address` };
  }
  if (family !== 0 && family !== kind) return { ok: false, reason: `address '${host}' is not an IPv${family} address in '${text}'` };
  let port = 514;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return { ok: false, reason: `invalid port '${portText}' in '${text}' (1 to 65535)` };
    }
    port = Number(portText);
  }
  return { ok: true, value: { kind: 'udp', host, family: kind as 4 | 6, port } };
}

/** `sample 1-3,5:6` → ranges and size. */
function parseSample(text: string): Parsed<{ ranges: Array<[number, number]>; size: number }> {
  const colon = text.indexOf(':');
  const rangesText = colon < 0 ? text : text.slice(0, colon);
  const sizeText = colon < 0 ? '' : text.slice(colon + 1);
  const ranges: Array<[number, number]> = [];
  for (const r of rangesText.split(',')) {
    const mm = /^(\d+)(?:-(\d+))?$/.exec(r);
    const lo = mm ? Number(mm[1]) : 0;
    const hi = mm ? Number(mm[2] ?? mm[1]) : 0;
    if (!mm || lo < 1 || hi < lo) return { ok: false, reason: `wrong sample range '${r}'` };
    ranges.push([lo, hi]);
  }
  if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1) return { ok: false, reason: `wrong sample size '${sizeText}' for sample range '${rangesText}'` };
  const size = Number(sizeText);
  const max = Math.max(...ranges.map((r) => r[1]));
  if (size < max) return { ok: false, reason: `sample size ${size} should be greater or equal to ${max} the maximum of the high ranges limits` };
  return { ok: true, value: { ranges, size } };
}

/**
 * Parses `log …` (args[0] is 'log'). `expand` expands ${VAR} in the address.
 * `log global` is recognised here; whether it is allowed is the caller's business.
 */
export function parseLogLine(args: string[], expand: (s: string) => string = (s) => s): LogLineResult {
  if (args[1] === 'global') {
    if (args.length > 2) return { ok: false, reason: `unknown log facility '${args[2]}'` };
    return { ok: true, global: true };
  }
  if (args.length < 3) return { ok: false, reason: `expects <address> and <facility> as arguments` };
  const text = expand(args[1]!);
  const a = parseLogAddress(text);
  if (!a.ok) return { ok: false, reason: a.reason, notImplemented: a.notImplemented };
  let maxLen = 1024;
  let format: SyslogFormat = 'local';
  let formatExplicit = false;
  let sample: LogTarget['sample'] = null;
  let i = 2;
  for (;;) {
    const w = args[i];
    if (w === 'len') {
      const v = args[i + 1] ?? '';
      if (!/^\d+$/.test(v) || Number(v) < 80 || Number(v) > 65535) return { ok: false, reason: `invalid log length '${v}', must be between 80 and 65535` };
      maxLen = Number(v);
    } else if (w === 'format') {
      const v = args[i + 1] ?? '';
      if (!(LOG_FORMATS as readonly string[]).includes(v)) return { ok: false, reason: `unknown log format '${v}' (allowed: ${LOG_FORMATS.join(', ')})` };
      format = v as SyslogFormat;
      formatExplicit = true;
    } else if (w === 'sample') {
      const s = parseSample(args[i + 1] ?? '');
      if (!s.ok) return { ok: false, reason: s.reason };
      sample = s.value;
    } else {
      break;
    }
    i += 2;
  }
  const fac = args[i];
  if (fac === undefined) return { ok: false, reason: `expects <address> and <facility> as arguments` };
  const facility = (FACILITIES as readonly string[]).indexOf(fac);
  if (facility < 0) return { ok: false, reason: `unknown log facility '${fac}'` };
  let maxLevel = 7;
  let minLevel = 0;
  if (args[i + 1] !== undefined) {
    maxLevel = (LEVELS as readonly string[]).indexOf(args[i + 1]!);
    if (maxLevel < 0) return { ok: false, reason: `unknown optional log level '${args[i + 1]}' (allowed: ${LEVELS.join(', ')})` };
  }
  if (args[i + 2] !== undefined) {
    minLevel = (LEVELS as readonly string[]).indexOf(args[i + 2]!);
    if (minLevel < 0) return { ok: false, reason: `unknown optional minimum log level '${args[i + 2]}' (allowed: ${LEVELS.join(', ')})` };
  }
  if (args[i + 3] !== undefined) return { ok: false, reason: `cannot handle unexpected argument '${args[i + 3]}'` };
  return { ok: true, global: false, target: { text: args[1]!, address: a.value, maxLen, format, formatExplicit, facility, maxLevel, minLevel, sample } };
}
