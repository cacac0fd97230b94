/**
 * Non-blocking, unconnected datagram sockets from libc through koffi (prebuilt FFI),
 * shared by the UNIX (unix-dgram.ts) and UDP (udp-ffi.ts, dgram-batch.ts) log targets.
 * Each send uses MSG_DONTWAIT: a full queue (EAGAIN) drops the line and counts it, other
 * errors are counted, nothing ever blocks.
 *
 * Besides sendto(), the binding offers sendmmsg(2) (many datagrams, one system call) and
 * a block of native memory with its address, which sendmmsg's descriptors must point
 * into. Either is null when this libc or runtime cannot provide it; callers fall back to
 * one sendto() per line.
 */
import koffi from 'koffi';
import { EAGAIN, MSG_DONTWAIT, MSG_NOSIGNAL, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, errno, libcFunc } from '../../shared/libc.ts';

export { AF_INET, AF_INET6, AF_UNIX, EAGAIN, MSG_DONTWAIT, MSG_NOSIGNAL } from '../../shared/libc.ts';

export interface DgramCounters { sent: number; dropped: number; errors: number }

/** Native memory that never moves: `bytes` views it, `address` is where it starts. */
export interface NativeBlock {
  readonly bytes: Buffer;
  readonly address: bigint;
  free(): void;
}

export interface LibcDgram {
  /** A new socket of `domain` (AF_*): its descriptor, or -1 (see errno()). */
  open(domain: number): number;
  /** Sends `line` to the socket address `addr` (its first `alen` bytes) and counts the outcome. */
  send(fd: number, line: Uint8Array, addr: Uint8Array, alen: number, counters: DgramCounters): void;
  /**
   * sendmmsg(fd, msgvec, vlen, MSG_DONTWAIT|MSG_NOSIGNAL), `msgvec` the native address of
   * an array of struct mmsghdr: datagrams sent, or -1 (see errno()). Null when libc lacks it.
   */
  readonly sendmmsg: ((fd: number, msgvec: bigint, vlen: number) => number) | null;
  /** `size` bytes of native memory (malloc), or null when they cannot be had or viewed. */
  alloc(size: number): NativeBlock | null;
  close(fd: number): void;
  errno(): number;
}

let cached: LibcDgram | null | undefined;

/** The libc bindings, loaded once; null when koffi cannot load libc here. */
export function libcDgram(): LibcDgram | null {
  if (cached !== undefined) return cached;
  try {
    const socket = libcFunc('int socket(int domain, int type, int protocol)');
    const sendto = libcFunc('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, unsigned int alen)');
    const close = libcFunc('int close(int fd)');
    const optional = (decl: string): ReturnType<typeof libcFunc> | null => {
      try { return libcFunc(decl); } catch { return null; }
    };
    const mmsg = optional('int sendmmsg(int fd, void *msgvec, unsigned int vlen, int flags)');
    const malloc = optional('void *malloc(unsigned long size)');
    const free = optional('void free(void *ptr)');
    cached = {
      open: (domain) => socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number,
      send(fd, line, addr, alen, counters) {
        const n = sendto(fd, line, line.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, alen) as number;
        if (n >= 0) counters.sent++;
        else if (errno() === EAGAIN) counters.dropped++;
        else counters.errors++;
      },
      sendmmsg: mmsg ? (fd, msgvec, vlen) => mmsg(fd, msgvec, vlen, MSG_DONTWAIT | MSG_NOSIGNAL) as number : null,
      alloc(size) {
        if (!malloc || !free) return null;
        const p: unknown = malloc(size);
        if (p === null || p === 0n) return null;
        try {
          const address = koffi.address(p);
          const bytes = Buffer.from(koffi.view(p, size));
          let freed = false;
          return { bytes, address, free: () => { if (!freed) { freed = true; free(p); } } };
        } catch {
          free(p);
          return null;
        }
      },
      close: (fd) => { close(fd); },
      errno,
    };
  } catch {
    cached = null;
  }
  return cached;
}
