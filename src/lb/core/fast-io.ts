/**
 * Zero-allocation reads for the hot path, and no read buffer per idle connection.
 *
 * Node's default read path allocates a 64 KiB buffer per read and runs every chunk
 * through the Readable stream machinery. With `onread` (a documented net.Socket option)
 * the kernel writes into a buffer we provide and a plain callback receives the bytes:
 * measured here, this takes a proxied request from ~23 to ~18 µs of CPU.
 *
 * One buffer serves every socket: each is given the same `onread.buffer`, so an idle
 * connection holds no read buffer of its own (10,000 idle keep-alive clients would
 * otherwise pin 10,000 buffers). It is the Buffer itself, not a function returning it:
 * with a function Node calls it after every read and registers its result with the
 * handle again (a call into C++ per read, for the same buffer each time).
 *
 * The price is a rule the forwarding code must keep: a chunk is a view of the shared
 * buffer, valid only during the callback, and the buffer must never be referenced by
 * anything that outlives it. Code that keeps bytes copies them, and chunks are written
 * only through writeOut() (direct-write.ts), which copies whatever the kernel does not
 * take at once. (Handing the buffer itself to a queued write is not enough: every idle
 * fast socket already has it registered for its next read, and would overwrite the
 * queued bytes.) The source is paused until the destination's 'drain' (backpressure);
 * destinations are created with `writableHighWaterMark: 1` so that 'drain' fires
 * whenever anything was queued.
 *
 * Accepted sockets: net.Server offers no `onread`, so acceptFast() takes over the
 * listening handle's `onconnection` hook (a long-standing internal of lib/net.js) and
 * builds the socket itself. If that hook is ever missing, the listener keeps Node's
 * ordinary path and streams use plain 'data' events (tcp-stream.ts handles both).
 */
import net from 'node:net';

/** tune.bufsize: bytes read per syscall (HAProxy's default 16384; setBufsize() at start). */
export let BUFSIZE = 16_384;

/** Where a fast socket delivers its bytes; set by the stream that owns the socket. */
export interface Inbound {
  onChunk: ((chunk: Buffer) => void) | null;
}

let shared = Buffer.allocUnsafe(BUFSIZE);

/** Applies `tune.bufsize` (before any connection: sockets made earlier keep the old buffer). */
export function setBufsize(n: number): void {
  BUFSIZE = n;
  shared = Buffer.allocUnsafe(n);
}

/** Options for a socket whose reads land in the shared buffer and go to `inbound.onChunk`. */
export function fastReadOptions(inbound: Inbound): Pick<net.SocketConstructorOpts, 'onread'> & { writableHighWaterMark: number } {
  return {
    onread: {
      buffer: shared,
      callback: (n: number, buf: Uint8Array): boolean => {
        const fn = inbound.onChunk;
        if (fn === null) return false;
        fn((buf as Buffer).subarray(0, n));
        return true;
      },
    },
    writableHighWaterMark: 1,
  };
}

type ConnectionHook = (err: number, clientHandle: unknown) => void;
interface ListeningHandle { onconnection?: ConnectionHook }

/**
 * Replaces a listening server's accept hook so that accepted sockets are created paused
 * with fast reads. Returns false (and changes nothing) when the hook is not there.
 */
export function acceptFast(server: net.Server, onSocket: (sock: net.Socket, inbound: Inbound) => void): boolean {
  const handle = (server as unknown as { _handle?: ListeningHandle })._handle;
  if (!handle || typeof handle.onconnection !== 'function') return false;
  handle.onconnection = (err: number, clientHandle: unknown): void => {
    if (err || !clientHandle) return;
    const inbound: Inbound = { onChunk: null };
    const sock = new net.Socket({
      handle: clientHandle,
      allowHalfOpen: true,
      pauseOnCreate: true,
      readable: true,
      writable: true,
      ...fastReadOptions(inbound),
    } as unknown as net.SocketConstructorOpts);
    onSocket(sock, inbound);
  };
  return true;
}
