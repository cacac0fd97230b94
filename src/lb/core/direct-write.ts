/**
 * Writes for the hot path that skip Node's Writable stream layer.
 *
 * socket.write() runs every buffer through the Writable machinery (state, callbacks, a
 * process.nextTick per write batch) before the handle's writeBuffer() hands it to
 * libuv; measured here that is ~1 µs of CPU per write, two writes per proxied request.
 * writeOut() calls the socket's stream handle directly when that is safe, and falls
 * back to socket.write() otherwise, with one contract for both:
 *
 *   writeOut(sock, buf) === true   the kernel took every byte; `buf` is free again;
 *   writeOut(sock, buf) === false  bytes wait (in libuv or in the Writable): `buf` must
 *                                  stay untouched (fast-io.ts: retainReadBuffer()), and
 *                                  'drain' is emitted on `sock` once all is written.
 *
 * Ordering stays right because libuv writes a handle's requests in order, and the
 * direct path is taken only when the Writable holds nothing of its own (writableLength
 * 0): a direct write never overtakes bytes queued in JS. end() after direct writes is
 * safe: libuv's shutdown waits for the pending writes; destroy() cancels them (their
 * completion is then ignored). Errors end the socket as Node's own path would:
 * destroy(err), so the owner sees 'error' then 'close'.
 *
 * The handle API (WriteWrap, writeBuffer, streamBaseState) is Node's internal stream
 * binding, reached through process.binding('stream_wrap'), which Node keeps on its
 * allow list. Everything is feature-checked once; if any piece is missing, or the
 * socket is not a plain TCP or UNIX stream (TLS goes through its own layer), the
 * ordinary socket.write() path is used. SWITCHYARD_NO_DIRECT_WRITE=1 forces it (A/B
 * measurements and a way out should a Node release change the internals).
 */
import type net from 'node:net';

interface WriteReq {
  handle: unknown;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | null;
  sock: net.Socket | null;
}
interface StreamHandle {
  writeBuffer(req: WriteReq, buf: Buffer): number;
  constructor: { name: string };
}
interface StreamBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

function loadBinding(): StreamBinding | null {
  if (process.env.SWITCHYARD_NO_DIRECT_WRITE === '1') return null;
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || !(b.streamBaseState instanceof Int32Array) || typeof b.kLastWriteWasAsync !== 'number') return null;
    return b as StreamBinding;
  } catch {
    return null;
  }
}

const binding = loadBinding();

/** Whether writeOut() takes the direct path at all (for the benches' reports). */
export const directWrites = binding !== null;

/** Direct writes still in libuv, per socket; 'drain' is emitted when the count returns to 0. */
const inFlight = new WeakMap<net.Socket, number>();

function onComplete(this: WriteReq, status: number): void {
  const sock = this.sock;
  this.sock = null;
  this.buffer = null;
  if (sock === null || sock.destroyed) return;
  if (status < 0) {
    sock.destroy(Object.assign(new Error(`write failed (${status})`), { errno: status, syscall: 'write' }));
    return;
  }
  const n = (inFlight.get(sock) ?? 1) - 1;
  if (n > 0) { inFlight.set(sock, n); return; }
  inFlight.delete(sock);
  sock.emit('drain');
}

function handleOf(sock: net.Socket): StreamHandle | null {
  const h = (sock as unknown as { _handle: StreamHandle | null })._handle;
  if (h === null || typeof h.writeBuffer !== 'function') return null;
  const kind = h.constructor.name;
  return kind === 'TCP' || kind === 'Pipe' ? h : null;
}

export function writeOut(sock: net.Socket, buf: Buffer): boolean {
  const handle = binding !== null && sock.writableLength === 0 && !sock.connecting && !sock.writableEnded && !sock.destroyed ? handleOf(sock) : null;
  if (handle === null) {
    sock.write(buf);
    return sock.writableLength === 0 && !inFlight.has(sock);
  }
  const req = new binding!.WriteWrap();
  req.handle = handle;
  req.oncomplete = onComplete;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  req.sock = null;
  const err = handle.writeBuffer(req, buf);
  if (err !== 0) {
    sock.destroy(Object.assign(new Error(`write failed (${err})`), { errno: err, syscall: 'write' }));
    return true;
  }
  // Written at once: libuv made no request of it (no completion will come). Earlier
  // direct writes may still be reported pending; their completion emits the 'drain'.
  if (binding!.streamBaseState[binding!.kLastWriteWasAsync] === 0) return !inFlight.has(sock);
  // Part of it waits in libuv: keep the buffer alive until libuv reports completion.
  req.async = true;
  req.buffer = buf;
  req.sock = sock;
  inFlight.set(sock, (inFlight.get(sock) ?? 0) + 1);
  return false;
}
