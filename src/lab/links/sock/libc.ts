/**
 * The few libc calls the sock cable needs and Node core does not offer (ioctl, ppoll,
 * eventfd, raw read/write on a non-blocking fd without the libuv threadpool), bound
 * through koffi (prebuilt FFI, no compiler) from src/shared/libc.ts. Loaded lazily, per
 * thread: each worker thread that imports this module gets its own bindings.
 *
 * Contract: every function returns the raw libc result (-1 on error); `errno()` reads the
 * calling thread's errno right after. Buffers passed as `void *` are used in place (no copy)
 * for the duration of the synchronous call only.
 */
import { errno, libcFunc } from '../../../shared/libc.ts';

export type Libc = {
  open(path: string, flags: number): number;
  close(fd: number): number;
  read(fd: number, buf: Uint8Array, len: number): number;
  write(fd: number, buf: Uint8Array, len: number): number;
  ioctlPtr(fd: number, req: number, arg: Uint8Array): number;
  ioctlVal(fd: number, req: number, arg: number): number;
  ppoll(fds: Uint8Array, nfds: number, ts: Uint8Array | null, sigmask: null): number;
  eventfd(init: number, flags: number): number;
  errno(): number;
};

let cached: Libc | undefined;

export function libc(): Libc {
  if (cached) return cached;
  const f = {
    open: libcFunc('int open(const char *path, int flags)'),
    close: libcFunc('int close(int fd)'),
    read: libcFunc('long read(int fd, void *buf, unsigned long len)'),
    write: libcFunc('long write(int fd, const void *buf, unsigned long len)'),
    ioctlPtr: libcFunc('ioctl', 'int', ['int', 'unsigned long', 'void *']),
    ioctlVal: libcFunc('ioctl', 'int', ['int', 'unsigned long', 'unsigned long']),
    ppoll: libcFunc('int ppoll(void *fds, unsigned long nfds, const void *ts, const void *sigmask)'),
    eventfd: libcFunc('int eventfd(unsigned int initval, int flags)'),
  };
  cached = {
    open: (p, fl) => f.open(p, fl) as number,
    close: (fd) => f.close(fd) as number,
    read: f.read as (fd: number, b: Uint8Array, n: number) => number,
    write: f.write as (fd: number, b: Uint8Array, n: number) => number,
    ioctlPtr: f.ioctlPtr as (fd: number, r: number, a: Uint8Array) => number,
    ioctlVal: f.ioctlVal as (fd: number, r: number, a: number) => number,
    ppoll: f.ppoll as (fds: Uint8Array, n: number, ts: Uint8Array | null, m: null) => number,
    eventfd: (i, fl) => f.eventfd(i, fl) as number,
    errno,
  };
  return cached;
}

/** open(2) and eventfd(2) flags (Linux x86-64 / aarch64 generic values). */
export const O_RDWR = 0o2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
/** The errno values, poll event and errno naming the cable's callers share with the rest. */
export { EAGAIN, EINTR, POLLIN, errnoName } from '../../../shared/libc.ts';
