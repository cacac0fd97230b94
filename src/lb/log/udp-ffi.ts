/**
 * UDP log targets through libc's socket(2) and sendmmsg(2) (koffi), the hot path of access
 * logging: one datagram per line, as HAProxy sends them.
 *
 * Why not node:dgram: each dgram send costs about 3 µs of JavaScript and C++ besides the
 * system call (argument checks, a SendWrap object per datagram, async-id bookkeeping, and
 * with a callback a tick per line and an Error object per failed send) — more than the
 * formatting of the line itself (measured by bench/micro/log-line.ts). Here the lines of
 * about a millisecond leave in one sendmmsg() (dgram-batch.ts; one sendto() per line where
 * libc lacks it) on a non-blocking, unconnected socket: the destination is in every message, so
 * a syslog server that comes and goes costs nothing to track, and ICMP errors are not
 * reported to an unconnected socket at all. A full socket buffer (EAGAIN) drops the line
 * and counts it; other errors are counted. Nothing here ever blocks.
 *
 * Only IP literals are served here (the address is built by hand); openUdpFfi() returns
 * null when the host is a name or koffi cannot load libc, and the caller uses node:dgram.
 */
import { isIP } from 'node:net';
import type { LogSink } from './sinks.ts';
import { AF_INET, AF_INET6, libcDgram, type DgramCounters } from './libc-dgram.ts';
import { batchedDgramSink } from './dgram-batch.ts';

/** struct sockaddr_in / sockaddr_in6 for an IP literal (family in host order, port big-endian). */
export function sockaddr(host: string, port: number): Buffer | null {
  const v = isIP(host);
  if (v === 4) {
    const a = Buffer.alloc(16);
    a.writeUInt16LE(AF_INET, 0);
    a.writeUInt16BE(port, 2);
    host.split('.').forEach((o, i) => { a[4 + i] = Number(o); });
    return a;
  }
  if (v === 6) {
    const a = Buffer.alloc(28);
    a.writeUInt16LE(AF_INET6, 0);
    a.writeUInt16BE(port, 2);
    ipv6Bytes(host).copy(a, 8);
    return a;
  }
  return null;
}

/** The 16 bytes of an IPv6 literal (with `::` and an embedded IPv4 tail). */
function ipv6Bytes(host: string): Buffer {
  const out = Buffer.alloc(16);
  let h = host.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    h = h.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = h.includes('::') ? h.split('::') as [string, string] : [h, null];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === null ? hs : [...hs, ...new Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** A sink sending to host:port, or null when this path cannot serve it (see above). */
export function openUdpFfi(host: string, port: number, counters: DgramCounters): LogSink | null {
  const addr = sockaddr(host, port);
  const c = libcDgram();
  if (!addr || !c) return null;
  const fd = c.open(addr.length === 16 ? AF_INET : AF_INET6);
  if (fd < 0) return null;
  return batchedDgramSink(c, fd, addr, counters);
}
