/**
 * Non-blocking, unconnected datagram sockets from libc through koffi (prebuilt FFI),
 * shared by the UNIX (unix-dgram.ts) and UDP (udp-ffi.ts) log targets. Each line is one
 * sendto() with MSG_DONTWAIT: a full queue (EAGAIN) drops the line and counts it, other
 * errors are counted, nothing ever blocks.
 */
import koffi from 'koffi';

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;

export interface DgramCounters { sent: number; dropped: number; errors: number }

export interface LibcDgram {
  /** A new socket of `domain` (AF_*): its descriptor, or -1 (see errno()). */
  open(domain: number): number;
  /** Sends `line` to the socket address `addr` (its first `alen` bytes) and counts the outcome. */
  send(fd: number, line: Uint8Array, addr: Uint8Array, alen: number, counters: DgramCounters): void;
  close(fd: number): void;
  errno(): number;
}

let cached: LibcDgram | null | undefined;

/** The libc bindings, loaded once; null when koffi cannot load libc here. */
export function libcDgram(): LibcDgram | null {
  if (cached !== undefined) return cached;
  try {
    const lib = koffi.load('libc.so.6');
    const socket = lib.func('int socket(int domain, int type, int protocol)');
    const sendto = lib.func('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, unsigned int alen)');
    const close = lib.func('int close(int fd)');
    cached = {
      open: (domain) => socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number,
      send(fd, line, addr, alen, counters) {
        const n = sendto(fd, line, line.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, alen) as number;
        if (n >= 0) counters.sent++;
        else if (koffi.errno() === EAGAIN) counters.dropped++;
        else counters.errors++;
      },
      close: (fd) => { close(fd); },
      errno: () => koffi.errno(),
    };
  } catch {
    cached = null;
  }
  return cached;
}
