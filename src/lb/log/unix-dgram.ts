/**
 * UNIX datagram log targets (`log /dev/log local0`, `unix@PATH`). Node core has no
 * AF_UNIX SOCK_DGRAM sockets, so this binds socket(2) and sendto(2) from libc through
 * koffi (prebuilt FFI). The socket is non-blocking and unconnected: each line is one
 * sendto() to the path, so a syslog daemon that restarts (and recreates its socket) is
 * found again, as HAProxy does. A full receive queue (EAGAIN) drops the line and counts
 * it; other errors (no such socket, refused) are counted. Nothing here ever blocks.
 */
import koffi from 'koffi';
import type { LogSink } from './sinks.ts';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;
/** sizeof(struct sockaddr_un) on Linux: 2 bytes of family + 108 of path. */
const SUN_LEN = 110;

type Fns = {
  socket(domain: number, type: number, proto: number): number;
  sendto(fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, alen: number): number;
  close(fd: number): number;
};

let fns: Fns | undefined;

function libc(): Fns {
  if (fns) return fns;
  const lib = koffi.load('libc.so.6');
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const sendto = lib.func('long sendto(int fd, const void *buf, unsigned long len, int flags, const void *addr, unsigned int alen)');
  const close = lib.func('int close(int fd)');
  fns = {
    socket: (d, t, p) => socket(d, t, p) as number,
    sendto: (fd, b, n, f, a, l) => sendto(fd, b, n, f, a, l) as number,
    close: (fd) => close(fd) as number,
  };
  return fns;
}

/** Opens the sink. Throws when the path cannot be a socket address or no socket can be made. */
export function openUnixDgram(path: string, counters: { sent: number; dropped: number; errors: number }): LogSink {
  const p = Buffer.from(path, 'utf8');
  if (p.length >= SUN_LEN - 2) throw new Error(`UNIX socket path '${path}' is too long (at most ${SUN_LEN - 3} bytes)`);
  const addr = Buffer.alloc(SUN_LEN);
  addr.writeUInt16LE(AF_UNIX, 0);
  p.copy(addr, 2);
  // A leading '@' names a Linux abstract socket (systemd's NOTIFY_SOCKET often is one):
  // its name starts with a NUL byte and its length counts no terminating NUL.
  const abstract = path.startsWith('@');
  if (abstract) addr[2] = 0;
  const alen = 2 + p.length + (abstract ? 0 : 1);
  const c = libc();
  let fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`cannot create a UNIX datagram socket for '${path}' (errno ${koffi.errno()})`);
  return {
    send(line: Buffer): void {
      if (fd < 0) return;
      const n = c.sendto(fd, line, line.length, MSG_DONTWAIT | MSG_NOSIGNAL, addr, alen);
      if (n >= 0) counters.sent++;
      else if (koffi.errno() === EAGAIN) counters.dropped++;
      else counters.errors++;
    },
    close(): void {
      if (fd >= 0) c.close(fd);
      fd = -1;
    },
  };
}
