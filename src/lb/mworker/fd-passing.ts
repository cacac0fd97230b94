/**
 * Passing open descriptors between processes over a UNIX stream socket (SCM_RIGHTS), the
 * one thing Node's net.Socket cannot do. libc is bound through koffi, as for the master's
 * listen(2) (listeners.ts) and the log sockets (src/lb/log/libc-dgram.ts).
 *
 * Contract: every function is synchronous and returns plain values; failures come back as
 * an errno name (`ECONNREFUSED`, `EAGAIN`, …) or null, never as a thrown error, so callers
 * decide what is fatal. Received descriptors are close-on-exec (MSG_CMSG_CLOEXEC): a child
 * we spawn later (daemon, worker) must not hold a listener by accident. Each descriptor a
 * caller receives is its own to close.
 *
 * The message headers (msghdr, iovec, cmsghdr) are laid out by hand in one block of native
 * memory, for Linux x86-64 and aarch64 (LP64: 8-byte pointers and size_t). Passing JS
 * objects with nested pointers through the FFI would copy them, and recvmsg's answers
 * (msg_controllen, the descriptors) would be lost.
 */
import koffi from 'koffi';
import { getSystemErrorName } from 'node:util';
import {
  AF_INET, AF_INET6, AF_UNIX, EINTR, MSG_DONTWAIT, MSG_NOSIGNAL, SOCK_CLOEXEC, SOCK_STREAM, SOL_SOCKET, errno, libcFunc, sockaddrUn,
} from '../../shared/libc.ts';

const SCM_RIGHTS = 1;
const SO_TYPE = 3;
const SO_RCVTIMEO = 20;
const SO_SNDTIMEO = 21;
const MSG_WAITALL = 0x100;
const MSG_CMSG_CLOEXEC = 0x40000000;

/** LP64 layout: struct msghdr is 56 bytes, struct iovec 16, struct cmsghdr 16. */
const MSGHDR = 56;
const IOVEC = 16;
const CMSGHDR = 16;
const align8 = (n: number): number => (n + 7) & ~7;

/** Where a socket is bound, decoded from getsockname(2). */
export type SockName =
  | { family: 'unix'; path: string }
  | { family: 'inet' | 'inet6'; address: string; port: number };

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, addr: Uint8Array, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Uint8Array, len: number): number;
  getsockopt(fd: number, level: number, name: number, val: Uint8Array, len: Uint8Array): number;
  getsockname(fd: number, addr: Uint8Array, len: Uint8Array): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  sendmsg(fd: number, msg: unknown, flags: number): number;
  recvmsg(fd: number, msg: unknown, flags: number): number;
  close(fd: number): number;
}

let libc: Libc | undefined;

function lib(): Libc {
  libc ??= {
    socket: libcFunc('int socket(int domain, int type, int protocol)'),
    connect: libcFunc('int connect(int fd, const void *addr, uint32_t len)'),
    setsockopt: libcFunc('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)'),
    getsockopt: libcFunc('int getsockopt(int fd, int level, int name, _Inout_ void *val, _Inout_ void *len)'),
    getsockname: libcFunc('int getsockname(int fd, _Inout_ void *addr, _Inout_ void *len)'),
    send: libcFunc('long send(int fd, const void *buf, unsigned long len, int flags)'),
    recv: libcFunc('long recv(int fd, _Inout_ void *buf, unsigned long len, int flags)'),
    sendmsg: libcFunc('long sendmsg(int fd, void *msg, int flags)'),
    recvmsg: libcFunc('long recvmsg(int fd, void *msg, int flags)'),
    close: libcFunc('int close(int fd)'),
  } as unknown as Libc;
  return libc;
}

function lastError(): string {
  return getSystemErrorName(-errno());
}

/** Retries a call interrupted by a signal (EINTR), as a blocking caller must. */
function retry(call: () => number): number {
  let r: number;
  do r = call(); while (r < 0 && errno() === EINTR);
  return r;
}

/**
 * A blocking UNIX stream socket connected to `path`, whose reads and writes give up after
 * `timeoutMs` (SO_RCVTIMEO/SO_SNDTIMEO), so a silent peer cannot hang start-up.
 */
export function connectUnix(path: string, timeoutMs: number): { fd: number } | { error: string } {
  let c: Libc;
  try {
    c = lib();
  } catch (e) {
    return { error: `cannot load libc through koffi: ${(e as Error).message}` };
  }
  const sa = sockaddrUn(path);
  if (sa === null) return { error: 'ENAMETOOLONG' };
  const fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return { error: lastError() };
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(BigInt(Math.floor(timeoutMs / 1000)), 0);
  tv.writeBigInt64LE(BigInt((timeoutMs % 1000) * 1000), 8);
  c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
  c.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, 16);
  if (retry(() => c.connect(fd, sa.addr, sa.len)) < 0) {
    const error = lastError();
    c.close(fd);
    return { error };
  }
  return { fd };
}

/** Writes all of `data` on a blocking socket; null or an errno name. */
export function sendAll(fd: number, data: Uint8Array): string | null {
  let off = 0;
  while (off < data.length) {
    const n = retry(() => lib().send(fd, data.subarray(off), data.length - off, MSG_NOSIGNAL));
    if (n < 0) return lastError();
    off += n;
  }
  return null;
}

/** Reads exactly `n` bytes (MSG_WAITALL); fewer means the peer closed or timed out. */
export function recvExact(fd: number, n: number): Buffer | string {
  const buf = Buffer.alloc(n);
  const got = retry(() => lib().recv(fd, buf, n, MSG_WAITALL));
  if (got < 0) return lastError();
  return buf.subarray(0, got);
}

/** Native memory laid out as msghdr → one iovec → data, plus room for `maxFds` descriptors. */
function message(dataLen: number, maxFds: number): { ptr: unknown; view: DataView; bytes: Uint8Array; data: number; cmsg: number; cmsgSpace: number } {
  const cmsgSpace = maxFds > 0 ? CMSGHDR + align8(4 * maxFds) : 0;
  const cmsg = MSGHDR + IOVEC;
  const data = cmsg + cmsgSpace;
  const size = data + Math.max(dataLen, 1);
  const ptr = koffi.alloc('uint8_t', size);
  const ab = koffi.view(ptr, size);
  const view = new DataView(ab);
  const bytes = new Uint8Array(ab);
  bytes.fill(0);
  const base = koffi.address(ptr);
  view.setBigUint64(16, base + BigInt(MSGHDR), true); // msg_iov
  view.setBigUint64(24, 1n, true); // msg_iovlen
  if (maxFds > 0) {
    view.setBigUint64(32, base + BigInt(cmsg), true); // msg_control
    view.setBigUint64(40, BigInt(cmsgSpace), true); // msg_controllen
  }
  view.setBigUint64(MSGHDR, base + BigInt(data), true); // iov_base
  view.setBigUint64(MSGHDR + 8, BigInt(dataLen), true); // iov_len
  return { ptr, view, bytes, data, cmsg, cmsgSpace };
}

/**
 * One sendmsg(2): `data` with `fds` attached as SCM_RIGHTS. Non-blocking (MSG_DONTWAIT), so
 * it may be called on a socket Node's event loop owns; returns the bytes sent or an errno
 * name. A stream socket may take fewer bytes than given: the caller checks.
 */
export function sendWithFds(fd: number, data: Uint8Array, fds: readonly number[]): number | string {
  const m = message(data.length, fds.length);
  try {
    m.bytes.set(data, m.data);
    if (fds.length > 0) {
      m.view.setBigUint64(m.cmsg, BigInt(CMSGHDR + 4 * fds.length), true); // cmsg_len = CMSG_LEN
      m.view.setInt32(m.cmsg + 8, SOL_SOCKET, true);
      m.view.setInt32(m.cmsg + 12, SCM_RIGHTS, true);
      fds.forEach((d, i) => m.view.setInt32(m.cmsg + CMSGHDR + 4 * i, d, true));
    }
    const n = retry(() => lib().sendmsg(fd, m.ptr, MSG_DONTWAIT | MSG_NOSIGNAL));
    return n < 0 ? lastError() : n;
  } finally {
    koffi.free(m.ptr);
  }
}

/**
 * One blocking recvmsg(2) of at most `maxData` bytes and `maxFds` descriptors. `data` is
 * empty when the peer closed. `truncated` says the kernel dropped descriptors for lack of
 * room (MSG_CTRUNC): they are gone, the caller should give up.
 */
export function recvWithFds(fd: number, maxData: number, maxFds: number): { data: Buffer; fds: number[]; truncated: boolean } | string {
  const m = message(maxData, maxFds);
  try {
    const n = retry(() => lib().recvmsg(fd, m.ptr, MSG_CMSG_CLOEXEC));
    if (n < 0) return lastError();
    const fds: number[] = [];
    const controlLen = Number(m.view.getBigUint64(40, true));
    // Walk the control messages (CMSG_FIRSTHDR / CMSG_NXTHDR).
    for (let off = 0; off + CMSGHDR <= controlLen;) {
      const len = Number(m.view.getBigUint64(m.cmsg + off, true));
      if (len < CMSGHDR) break;
      const level = m.view.getInt32(m.cmsg + off + 8, true);
      const type = m.view.getInt32(m.cmsg + off + 12, true);
      if (level === SOL_SOCKET && type === SCM_RIGHTS) {
        for (let i = CMSGHDR; i + 4 <= len; i += 4) fds.push(m.view.getInt32(m.cmsg + off + i, true));
      }
      off += align8(len);
    }
    const flags = m.view.getInt32(48, true);
    return { data: Buffer.from(m.bytes.subarray(m.data, m.data + n)), fds, truncated: (flags & 0x8) !== 0 };
  } finally {
    koffi.free(m.ptr);
  }
}

/** Where `fd` is bound, or null when it is not a socket of a family we know. */
export function sockName(fd: number): SockName | null {
  const addr = Buffer.alloc(128);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(addr.length, 0);
  if (lib().getsockname(fd, addr, len) < 0) return null;
  const n = len.readUInt32LE(0);
  const family = addr.readUInt16LE(0);
  if (family === AF_UNIX) {
    const raw = addr.subarray(2, n);
    const end = raw.indexOf(0);
    return { family: 'unix', path: raw.subarray(0, end < 0 ? raw.length : end).toString() };
  }
  if (family === AF_INET) {
    return { family: 'inet', address: [...addr.subarray(4, 8)].join('.'), port: addr.readUInt16BE(2) };
  }
  if (family === AF_INET6) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(addr.readUInt16BE(8 + 2 * i).toString(16));
    return { family: 'inet6', address: groups.join(':'), port: addr.readUInt16BE(2) };
  }
  return null;
}

/** True when `fd` is a stream socket (SO_TYPE), the only kind a bind line listens on. */
export function isStreamSocket(fd: number): boolean {
  const val = Buffer.alloc(4);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(4, 0);
  if (lib().getsockopt(fd, SOL_SOCKET, SO_TYPE, val, len) < 0) return false;
  return val.readInt32LE(0) === SOCK_STREAM;
}

export function closeFd(fd: number): void {
  lib().close(fd);
}
