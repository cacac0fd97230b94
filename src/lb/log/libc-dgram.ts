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

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const EAGAIN = 11;

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
    const lib = koffi.load('libc.so.6');
    const socket = lib.func('int socket(int domain, int type, int protocol)');
    const sendto = lib.func('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, unsigned int alen)');
    const close = lib.func('int close(int fd)');
    const optional = (decl: string): ReturnType<typeof lib.func> | null => {
      try { return lib.func(decl); } catch { return null; }
    };
    const mmsg = optional('int sendmmsg(int fd, void *msgvec, unsigned int vlen, int flags)');
    const malloc = optional('void *malloc(unsigned long size)');
    const free = optional('void free(void *ptr)');
    cached = {
      open: (domain) => socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number,
      send(fd, line, addr, alen, counters) {
        const n = sendto(fd, line, line.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, alen) as number;
        if (n >= 0) counters.sent++;
        else if (koffi.errno() === EAGAIN) counters.dropped++;
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
      errno: () => koffi.errno(),
    };
  } catch {
    cached = null;
  }
  return cached;
}
