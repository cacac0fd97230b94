/**
 * libc through koffi (prebuilt FFI, no compiler), for everything Node core cannot do on a
 * descriptor: listen(2) without accepting, SCM_RIGHTS, send(2) from the caller's buffer,
 * AF_PACKET, TCP_REPAIR, ppoll/eventfd, datagram batches. The one place that loads libc,
 * binds its functions and names the constants and errno values those callers share, so a
 * binding or a value is written once, not once per module.
 *
 * Contract:
 *   - libc is loaded lazily, on the first libcFunc() call, once per thread: module state is
 *     per worker thread, so each thread that imports this gets its own library handle and
 *     bindings (the lab's sock cable pumps rely on it). Importing costs nothing more than
 *     importing koffi.
 *   - libcFunc(decl) / libcFunc(name, ret, args) return koffi's own function (no wrapper:
 *     hot paths call it directly), memoized per declaration, so every module asking for
 *     `int close(int fd)` gets the same function. They throw koffi's error when libc cannot
 *     be loaded or lacks the symbol; nothing is cached then, the next call tries again.
 *     Callers catch and fall back as each of them sees fit.
 *   - errno() is the errno of the calling thread's last koffi call (koffi saves it right
 *     after the call), so it must be read before the next FFI call.
 *   - The constants are the Linux values, identical on x86-64 and aarch64 (the generic ABI).
 */
import koffi, { type LibraryHandle } from 'koffi';
import { constants as osConstants } from 'node:os';

export type LibcFunction = ReturnType<LibraryHandle['func']>;

/** Address families (socket(2) domain). */
export const AF_UNIX = 1; // local sockets (sockaddr_un)
export const AF_INET = 2; // IPv4 (sockaddr_in)
export const AF_INET6 = 10; // IPv6 (sockaddr_in6)
/** Socket types and type flags (socket(2) type). */
export const SOCK_STREAM = 1; // connected byte stream
export const SOCK_DGRAM = 2; // datagrams
export const SOCK_RAW = 3; // raw frames/packets
export const SOCK_NONBLOCK = 0o4000; // O_NONBLOCK on the new descriptor
export const SOCK_CLOEXEC = 0o2000000; // O_CLOEXEC on the new descriptor
/** setsockopt/getsockopt level for socket-wide options. */
export const SOL_SOCKET = 1; // socket-level options (SO_*)
/** send/recv flags. */
export const MSG_DONTWAIT = 0x40; // this call only: non-blocking, EAGAIN instead of waiting
export const MSG_NOSIGNAL = 0x4000; // a closed peer is EPIPE, never SIGPIPE
/** poll(2)/ppoll(2) events. */
export const POLLIN = 0x1; // data to read
/** errno values. */
export const EINTR = 4; // interrupted by a signal: retry
export const EAGAIN = 11; // would block (also EWOULDBLOCK)

let lib: LibraryHandle | undefined;
const funcs = new Map<string, LibcFunction>();

/** This thread's libc handle, loaded on first use; throws (uncached) when it cannot be loaded. */
function libcHandle(): LibraryHandle {
  return (lib ??= koffi.load('libc.so.6'));
}

/**
 * A libc function by its C prototype (`int close(int fd)`), or by name, return type and
 * argument types (koffi's 3-argument form, for a second signature of one symbol such as
 * ioctl's pointer and integer variants). Memoized; throws when libc or the symbol is missing.
 */
export function libcFunc(decl: string): LibcFunction;
export function libcFunc(name: string, ret: string, args: readonly string[]): LibcFunction;
export function libcFunc(declOrName: string, ret?: string, args?: readonly string[]): LibcFunction {
  const key = ret === undefined ? declOrName : `${ret} ${declOrName}(${args!.join(', ')})`;
  let f = funcs.get(key);
  if (f === undefined) {
    f = ret === undefined ? libcHandle().func(declOrName) : libcHandle().func(declOrName, ret, [...args!]);
    funcs.set(key, f);
  }
  return f;
}

/** sizeof(struct sockaddr_un) on Linux: 2 bytes of family + 108 of path. */
export const SUN_LEN = 110;

/**
 * struct sockaddr_un for `path` and the length to pass with it (family, path, its NUL), or
 * null when the path does not fit (107 bytes at most). With `abstract`, a leading '@' names
 * a Linux abstract socket (systemd's NOTIFY_SOCKET often is one): the name starts with a NUL
 * byte and the length counts no terminating NUL; without it '@' is an ordinary character.
 */
export function sockaddrUn(path: string, abstract = false): { addr: Buffer; len: number } | null {
  const p = Buffer.from(path, 'utf8');
  if (p.length >= SUN_LEN - 2) return null;
  const addr = Buffer.alloc(SUN_LEN);
  addr.writeUInt16LE(AF_UNIX, 0);
  p.copy(addr, 2);
  const isAbstract = abstract && path.startsWith('@');
  if (isAbstract) addr[2] = 0;
  return { addr, len: 2 + p.length + (isAbstract ? 0 : 1) };
}

/** The errno left by this thread's last koffi call. */
export function errno(): number {
  return koffi.errno();
}

/** Symbolic name of an errno (EIO, EBUSY…), via Node's own table; `errno N` when unknown. */
export function errnoName(e: number): string {
  for (const [k, v] of Object.entries(osConstants.errno)) if (v === e) return k;
  return `errno ${e}`;
}
