/**
 * Writes for the hot path: what the kernel takes at once goes straight from the caller's
 * buffer, whatever it does not take is COPIED before it is queued.
 *
 * Why the copy matters: the forwarding code writes views of the shared read buffer
 * (fast-io.ts). Every idle fast socket has that same buffer registered for its next read
 * (Node fixes a socket's next read buffer when its previous read ends). Had a write left
 * a reference to it queued in libuv, the next read of any other socket would overwrite
 * the bytes still waiting to be sent. Measured before this module: 17 to 20 of 30
 * concurrent 4 MiB uploads through `mode tcp` arrived corrupted when the server read
 * slowly (test/lb/backpressure-integrity.test.ts). So no write ever hands the caller's
 * memory to libuv.
 *
 * How: when nothing is queued on the socket, one non-blocking send(2) (MSG_DONTWAIT |
 * MSG_NOSIGNAL) on its descriptor, through koffi — the usual case for proxied messages,
 * and cheaper than socket.write()'s Writable machinery. A partial send or EAGAIN queues a
 * copy of the rest with socket.write(). While anything is queued, writes go behind it as
 * copies, in order. Errors end the socket as Node's own path would (destroy(err)).
 *
 * Contract: writeOut(sock, buf) === true when the kernel took every byte; false when some
 * wait in the socket's queue: the caller pauses its source until 'drain' (fast sockets
 * are created with writableHighWaterMark 1, so 'drain' follows any queued write). `buf`
 * is never referenced after the call either way.
 *
 * Without koffi or a descriptor (TLS, a socket not connected yet) every write takes the
 * copying socket.write() path. SWITCHYARD_NO_DIRECT_WRITE=1 forces that path (A/B
 * measurements, and a way out should a platform misbehave).
 */
import type net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { EAGAIN, EINTR, MSG_DONTWAIT, MSG_NOSIGNAL, errno, libcFunc } from '../../shared/libc.ts';

type Send = (fd: number, buf: Uint8Array, len: number, flags: number) => number;

function bindSend(): Send | null {
  if (process.env.SWITCHYARD_NO_DIRECT_WRITE === '1') return null;
  try {
    return libcFunc('long send(int fd, const void *buf, unsigned long len, int flags)') as Send;
  } catch {
    return null;
  }
}

const send = bindSend();

/** Whether writeOut() sends directly at all (false: koffi missing or SWITCHYARD_NO_DIRECT_WRITE=1); its tests check which path they ran. */
export const directWrites = send !== null;

/**
 * Bytes a socket sent by send(2) here, which Node's socket.bytesWritten does not see: a
 * property of the socket itself (a WeakMap lookup and update per write cost more, on the
 * path every proxied message takes).
 */
const SENT = Symbol('switchyard.sentDirect');
type Counted = net.Socket & { [SENT]?: number };

/** Everything written to `sock` so far: Node's count plus what writeOut() sent itself. */
export function bytesWritten(sock: net.Socket): number {
  return sock.bytesWritten + ((sock as Counted)[SENT] ?? 0);
}

function count(sock: net.Socket, n: number): void {
  const c = sock as Counted;
  c[SENT] = (c[SENT] ?? 0) + n;
}

function fdOf(sock: net.Socket): number {
  const h = (sock as unknown as { _handle?: { fd?: number } | null })._handle;
  const fd = h?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/** Queues a copy of `bytes` behind whatever the socket holds; true if it all went out at once. */
function queueCopy(sock: net.Socket, bytes: Buffer): boolean {
  sock.write(Buffer.from(bytes));
  return sock.writableLength === 0;
}

export function writeOut(sock: net.Socket, buf: Buffer): boolean {
  if (buf.length === 0) return sock.writableLength === 0;
  const fd = send !== null && sock.writableLength === 0 && !sock.connecting && !sock.writableEnded && !sock.destroyed ? fdOf(sock) : -1;
  if (fd < 0) return queueCopy(sock, buf);
  for (;;) {
    const n = send!(fd, buf, buf.length, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n === buf.length) { count(sock, n); return true; }
    if (n >= 0) { count(sock, n); return queueCopy(sock, buf.subarray(n)); }
    const err = errno();
    if (err === EINTR) continue;
    if (err === EAGAIN) return queueCopy(sock, buf);
    const code = getSystemErrorName(-err);
    sock.destroy(Object.assign(new Error(`send ${code}`), { code, errno: -err, syscall: 'send' }));
    return true;
  }
}
