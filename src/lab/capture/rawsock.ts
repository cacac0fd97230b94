/**
 * An AF_PACKET raw socket through koffi (Node core has no packet sockets): the capture
 * helper's only window on the wire. It sees every frame of one interface of the calling
 * process's network namespace, both directions (outgoing ones are looped back to packet
 * sockets by the kernel), as the interface carries them — veth GRO/TSO super-frames
 * included. Loaded lazily: importing this module costs nothing until `rawSocket()`.
 *
 * Contract: `open(ifname)` returns a non-blocking-readable socket bound to that interface
 * (SY_ERR_LAB_CAPTURE naming the failing call otherwise); `wait(ms)` blocks at most `ms`
 * for a frame; `recv(buf)` returns the frame's length on the wire (it may exceed the buffer: snaplen), 0 when nothing is waiting, or -errno
 * for a real error. `dieWithParent()` asks the kernel to SIGTERM us when the process that
 * started us dies (kill -9 of the CLI leaves no capture behind).
 */
import { SyError } from '../../shared/errors.ts';
import { EAGAIN, EINTR, MSG_DONTWAIT, POLLIN, SOCK_CLOEXEC, SOCK_RAW, SOL_SOCKET, errno, errnoName, libcFunc } from '../../shared/libc.ts';

export { errnoName } from '../../shared/libc.ts';

const AF_PACKET = 17;
/** htons(ETH_P_ALL): every protocol. */
const ETH_P_ALL_BE = 0x0300;
/** recv returns the frame's real length even when the buffer is shorter (snaplen). */
const MSG_TRUNC = 0x20;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
const PR_SET_PDEATHSIG = 1;

type Ffi = {
  socket(domain: number, type: number, proto: number): number;
  bind(fd: number, addr: Uint8Array, len: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  poll(fds: Uint8Array, nfds: number, timeout: number): number;
  setsockopt(fd: number, level: number, name: number, val: Uint8Array, len: number): number;
  ifNameToIndex(name: string): number;
  prctl(op: number, a2: number, a3: number, a4: number, a5: number): number;
  close(fd: number): number;
};

let ffi: Ffi | undefined;
function load(): Ffi {
  ffi ??= {
    socket: libcFunc('int socket(int domain, int type, int protocol)') as Ffi['socket'],
    bind: libcFunc('int bind(int fd, const void *addr, unsigned int len)') as Ffi['bind'],
    recv: libcFunc('long recv(int fd, void *buf, unsigned long len, int flags)') as Ffi['recv'],
    poll: libcFunc('int poll(void *fds, unsigned long nfds, int timeout)') as Ffi['poll'],
    setsockopt: libcFunc('int setsockopt(int fd, int level, int name, const void *val, unsigned int len)') as Ffi['setsockopt'],
    ifNameToIndex: libcFunc('unsigned int if_nametoindex(const char *name)') as Ffi['ifNameToIndex'],
    prctl: libcFunc('int prctl(int op, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)') as Ffi['prctl'],
    close: libcFunc('int close(int fd)') as Ffi['close'],
  };
  return ffi;
}

export type RawSocket = {
  readonly fd: number;
  readonly ifindex: number;
  wait(ms: number): boolean;
  recv(buf: Uint8Array): number;
  close(): void;
};

export function openRawSocket(ifname: string): RawSocket {
  const f = load();
  const fail = (what: string): never => {
    throw new SyError('SY_ERR_LAB_CAPTURE', `${what} on ${ifname}: ${errnoName(errno())}`);
  };
  const ifindex = f.ifNameToIndex(ifname);
  if (!ifindex) fail('if_nametoindex');
  const fd = f.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_ALL_BE);
  if (fd < 0) fail('socket(AF_PACKET)');
  // a roomy receive buffer: the helper is a JS loop, bursts must not overflow it
  const size = Buffer.alloc(4);
  size.writeInt32LE(8 << 20, 0);
  if (f.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) < 0) f.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
  // struct sockaddr_ll: family, protocol (BE), ifindex, hatype, pkttype, halen, addr[8]
  const sll = Buffer.alloc(20);
  sll.writeUInt16LE(AF_PACKET, 0);
  sll.writeUInt16LE(ETH_P_ALL_BE, 2);
  sll.writeInt32LE(ifindex, 4);
  if (f.bind(fd, sll, sll.length) < 0) {
    const e = errno();
    f.close(fd);
    throw new SyError('SY_ERR_LAB_CAPTURE', `bind(AF_PACKET) on ${ifname}: ${errnoName(e)}`);
  }
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(POLLIN, 4);
  let open = true;
  return {
    fd,
    ifindex,
    wait(ms) {
      pfd.writeInt16LE(0, 6);
      return f.poll(pfd, 1, ms) > 0;
    },
    recv(buf) {
      const n = f.recv(fd, buf, buf.length, MSG_DONTWAIT | MSG_TRUNC);
      if (n >= 0) return n;
      const e = errno();
      return e === EAGAIN || e === EINTR ? 0 : -e;
    },
    close() {
      if (open) f.close(fd);
      open = false;
    },
  };
}

/** SIGTERM this process when its parent dies (prctl PR_SET_PDEATHSIG). */
export function dieWithParent(): void {
  load().prctl(PR_SET_PDEATHSIG, 15, 0, 0, 0);
}
