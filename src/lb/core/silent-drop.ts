/**
 * `silent-drop` (http-request, tcp-request connection|session|content): the client's
 * connection disappears on our side and the client is not told — no FIN, no RST — so an
 * attacker's client keeps waiting on a connection that costs us nothing (HAProxy's
 * behaviour, useful against floods: the attacker's own sockets stay busy).
 *
 * How, in order of preference (as HAProxy does):
 *   1. TCP_REPAIR on the socket, then close(): the kernel drops the connection without
 *      sending anything. Needs CAP_NET_ADMIN (root).
 *   2. Otherwise a hop limit of 1 (IP_TTL / IPV6_UNICAST_HOPS), then close(): the FIN/RST
 *      dies at the first router. On the same host (loopback) it still arrives.
 *   3. Otherwise (no descriptor, no libc binding) a plain close.
 * setsockopt is reached through koffi (src/shared/libc.ts, the libc binding the log and
 * fd-passing code use too). silentDrop() never throws; it returns which way it went (for
 * tests and logs).
 */
import type net from 'node:net';
import { libcFunc } from '../../shared/libc.ts';

const IPPROTO_IP = 0;
const IP_TTL = 2;
const IPPROTO_TCP = 6;
const TCP_REPAIR = 19;
const IPPROTO_IPV6 = 41;
const IPV6_UNICAST_HOPS = 16;

type SetSockOpt = (fd: number, level: number, name: number, value: Int32Array, len: number) => number;

let setsockopt: SetSockOpt | null | undefined;

function bind(): SetSockOpt | null {
  try {
    return libcFunc('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)') as SetSockOpt;
  } catch {
    return null;
  }
}

export type DropMode = 'repair' | 'hop-limit' | 'close';

const ONE = new Int32Array([1]);

export function silentDrop(sock: net.Socket): DropMode {
  let mode: DropMode = 'close';
  const fd = (sock as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  if (typeof fd === 'number' && fd >= 0) {
    const set = (setsockopt ??= bind());
    if (set !== null) {
      if (set(fd, IPPROTO_TCP, TCP_REPAIR, ONE, 4) === 0) mode = 'repair';
      else if (sock.remoteFamily === 'IPv6' ? set(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ONE, 4) === 0 : set(fd, IPPROTO_IP, IP_TTL, ONE, 4) === 0) mode = 'hop-limit';
    }
  }
  sock.destroy();
  return mode;
}
