/**
 * Where log lines are written: one sink per distinct destination, shared by every
 * proxy that logs there.
 *
 * The contract is HAProxy's: logging never blocks the event loop and never grows memory
 * without bound. A line that cannot be handed over at once is queued up to a fixed
 * budget; beyond it the line is dropped and counted (HAProxy's DroppedLogs). Send errors
 * are counted, never thrown — a dead syslog server must not take traffic down.
 *   - UDP: to an IP literal, a millisecond's lines in one sendmmsg() through FFI on a
 *     non-blocking socket (udp-ffi.ts, dgram-batch.ts);
 *     to a host name (or without koffi), one connected node:dgram socket, at most
 *     MAX_UDP_INFLIGHT sends waiting in libuv at once.
 *   - fd@N / stdout / stderr: asynchronous writes (libuv's thread pool), one write in
 *     flight per descriptor, 10 ms of pending lines batched into the next write, at most
 *     MAX_FD_BACKLOG bytes waiting. A slow reader costs dropped lines, not latency.
 *     Access-log lines are written in place into a block of the sink (its LineMemory).
 *   - UNIX datagram sockets (/dev/log): see unix-dgram.ts.
 */
import dgram from 'node:dgram';
import { writeSync, writev } from 'node:fs';
import type { LogAddress } from './types.ts';
import { openUnixDgram } from './unix-dgram.ts';
import { openUdpFfi } from './udp-ffi.ts';

export interface LogSink {
  send(line: Buffer): void;
  /**
   * Optional: the same as send(truncateLine(Buffer.from(line, 'utf8'), maxLen)), without
   * the Buffer (the UDP sink writes the string straight into its batch).
   */
  sendText?(line: string, maxLen: number): void;
  /** Optional: lines written in place into the sink's send memory (dgram-batch.ts's reserve/commit). */
  readonly lines?: LineMemory;
  close(): void;
}

/**
 * Where a line can be written in place: reserve(maxLen) makes room for up to `maxLen`
 * bytes and returns where in `mem` to write them (-1: no room now, take the string path);
 * commit(len) queues the `len` bytes written there. Nothing else may touch the sink
 * between the two calls, and `mem` is read after reserve().
 */
export interface LineMemory {
  readonly mem: Uint8Array;
  reserve(maxLen: number): number;
  commit(len: number): void;
}

/** Counters for `show info`-style reporting. */
export const logCounters = { sent: 0, dropped: 0, errors: 0 };

const MAX_UDP_INFLIGHT = 1024;
const MAX_FD_BACKLOG = 1 << 20;

class UdpSink implements LogSink {
  private readonly sock: dgram.Socket;

  constructor(host: string, port: number, family: 4 | 6) {
    this.sock = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    this.sock.on('error', () => { logCounters.errors++; });
    // Connected once: each line is then one sendmsg() with no address to resolve (Node
    // skips its per-send lookup and tick, the kernel its per-packet route lookup). Lines
    // sent before the connection is set are queued by Node.
    this.sock.connect(port, host);
    this.sock.unref();
  }

  /**
   * No per-send callback: it costs a tick per line and, when nobody listens (each ICMP
   * "port unreachable" fails the next send with ECONNREFUSED), an Error object per line.
   * So a line handed to the kernel counts as sent, and the bound on memory is libuv's
   * queue of sends waiting for a full socket buffer.
   */
  send(line: Buffer): void {
    if (this.sock.getSendQueueCount() >= MAX_UDP_INFLIGHT) { logCounters.dropped++; return; }
    this.sock.send(line);
    logCounters.sent++;
  }

  close(): void {
    try { this.sock.close(); } catch { /* already closed */ }
  }
}

/**
 * How long the first waiting line of an fd sink may wait for others (ms). Each batch is a
 * thread-pool round trip (a futex wake, a context switch to the worker and back on a
 * pinned proxy, an eventfd) plus the write: at 1 ms that was 2.2 % of the proxy's CPU at
 * 20k req/s in a profile (log-cost --target stdout), at 10 ms 0.7 %. A log reader sees
 * lines at most this late.
 */
const FD_FLUSH_MS = 10;
/** Bytes of one block of an fd sink's line memory; lines written in place go into the current block. */
const FD_BLOCK = 256 * 1024;
/** Room reserved for a line written in place to a descriptor; a longer one takes the string path. */
export const FD_LINE_ROOM = 64 * 1024;

class FdSink implements LogSink, LineMemory {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingLines = 0;
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  /** The block lines are written into in place: [sealed, used) waits to be queued; after `used` is free. */
  private block: Buffer = Buffer.allocUnsafeSlow(FD_BLOCK);
  private sealed = 0;
  private used = 0;

  private readonly fd: number;

  constructor(fd: number) {
    this.fd = fd;
  }

  /**
   * In-place lines (this sink is its own LineMemory): written after `used` in the current
   * block, never over bytes already queued (a queued write holds a view of its part of the
   * block until it is done; a full block is left to those views and a new one is taken).
   */
  readonly lines: LineMemory = this;

  /** The current block; read after reserve(), which may have replaced it. */
  get mem(): Uint8Array {
    return this.block;
  }

  reserve(maxLen: number): number {
    if (this.pendingBytes + (this.used - this.sealed) + maxLen > MAX_FD_BACKLOG) return -1; // the string path counts the drop
    if (this.block.length - this.used < maxLen) {
      this.seal();
      this.block = Buffer.allocUnsafeSlow(Math.max(FD_BLOCK, maxLen));
      this.sealed = this.used = 0;
    }
    return this.used;
  }

  commit(len: number): void {
    this.used += len;
    this.pendingLines++;
    this.schedule();
  }

  /**
   * Lines leave FD_FLUSH_MS after the first one waiting (or when the write in flight ends
   * after that): each write is a round trip to libuv's thread pool, so writing every line
   * as soon as the previous write ends made one thread-pool write per line or two at load.
   * (A full block is sealed and a new one taken: 10 ms of lines need not fit in one block;
   * only MAX_FD_BACKLOG, 1 MiB — some 7,000 lines per batch — drops lines.)
   */
  private schedule(): void {
    if (this.timer !== null || this.writing) return;
    this.timer = setTimeout(() => { this.timer = null; this.flush(); }, FD_FLUSH_MS);
    this.timer.unref();
  }

  /** Queues the lines written in place since the last seal. */
  private seal(): void {
    if (this.used === this.sealed) return;
    const part = this.block.subarray(this.sealed, this.used);
    this.sealed = this.used;
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  send(line: Buffer): void {
    this.seal(); // keep the order of in-place lines and this one
    if (this.pendingBytes + line.length > MAX_FD_BACKLOG) { logCounters.dropped++; return; }
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.pendingLines++;
    this.schedule();
  }

  private flush(): void {
    this.seal();
    const batch = this.pending;
    if (batch.length === 0) return;
    const lines = this.pendingLines;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingLines = 0;
    this.writing = true;
    writev(this.fd, batch, (err) => {
      this.writing = false;
      if (err) {
        logCounters.errors++;
        logCounters.dropped += lines;
      } else {
        logCounters.sent += lines;
      }
      if (this.pendingLines > 0) this.schedule();
    });
  }

  /**
   * Writes what waits, synchronously: close() runs when the process exits (or between
   * tests), when an asynchronous write would be lost. A descriptor that refuses the bytes
   * (EAGAIN on a full non-blocking pipe, an error) loses them, counted: exit must not hang
   * on a stuck reader. (A write still in flight in the thread pool may land after these
   * lines.) The descriptor itself belongs to the process and stays open.
   */
  close(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    this.seal();
    const lines = this.pendingLines;
    if (this.pending.length === 0) return;
    const all = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingLines = 0;
    let off = 0;
    try {
      while (off < all.length) off += writeSync(this.fd, all, off, all.length - off);
      logCounters.sent += lines;
    } catch {
      logCounters.errors++;
      logCounters.dropped += lines;
    }
  }
}

const sinks = new Map<string, LogSink>();

function key(a: LogAddress): string {
  return a.kind === 'udp' ? `udp:${a.family}:[${a.host}]:${a.port}` : a.kind === 'fd' ? `fd:${a.fd}` : `unix:${a.path}`;
}

/**
 * The shared sink for an address (created on first use). Throws an Error with a readable
 * message when the destination cannot be opened (only UNIX sockets can fail here).
 */
export function getLogSink(a: LogAddress): LogSink {
  const k = key(a);
  let s = sinks.get(k);
  if (!s) {
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', closeLogSinks); // the last lines of a stopping process are not lost
    }
    s = a.kind === 'udp' ? openUdpFfi(a.host, a.port, logCounters) ?? new UdpSink(a.host, a.port, a.family) : a.kind === 'fd' ? new FdSink(a.fd) : openUnixDgram(a.path, logCounters);
    sinks.set(k, s);
  }
  return s;
}

let exitHooked = false;

/**
 * Closes every sink (at exit, or between tests): what was logged is written first,
 * synchronously where a sink buffers (fd, datagram batches).
 */
export function closeLogSinks(): void {
  for (const s of sinks.values()) s.close();
  sinks.clear();
}
