/**
 * Where log lines are written: one sink per distinct destination, shared by every
 * proxy that logs there.
 *
 * The contract is HAProxy's: logging never blocks the event loop and never grows memory
 * without bound. A line that cannot be handed over at once is queued up to a fixed
 * budget; beyond it the line is dropped and counted (HAProxy's DroppedLogs). Send errors
 * are counted, never thrown — a dead syslog server must not take traffic down.
 *   - UDP: one unconnected dgram socket per target; at most MAX_UDP_INFLIGHT sends may
 *     wait in libuv at once.
 *   - fd@N / stdout / stderr: asynchronous writes (libuv's thread pool), one write in
 *     flight per descriptor, pending lines batched into the next write, at most
 *     MAX_FD_BACKLOG bytes waiting. A slow reader costs dropped lines, not latency.
 *   - UNIX datagram sockets (/dev/log): see unix-dgram.ts.
 */
import dgram from 'node:dgram';
import { writev } from 'node:fs';
import type { LogAddress } from './types.ts';
import { openUnixDgram } from './unix-dgram.ts';

export interface LogSink {
  send(line: Buffer): void;
  close(): void;
}

/** Counters for `show info`-style reporting. */
export const logCounters = { sent: 0, dropped: 0, errors: 0 };

const MAX_UDP_INFLIGHT = 1024;
const MAX_FD_BACKLOG = 1 << 20;

class UdpSink implements LogSink {
  private readonly sock: dgram.Socket;
  private inflight = 0;
  private readonly done = (err: Error | null): void => {
    this.inflight--;
    if (err) logCounters.errors++;
    else logCounters.sent++;
  };

  private readonly host: string;
  private readonly port: number;

  constructor(host: string, port: number, family: 4 | 6) {
    this.host = host;
    this.port = port;
    this.sock = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    // ICMP unreachable and the like arrive here; counting them is all we do.
    this.sock.on('error', () => { logCounters.errors++; });
    this.sock.unref();
  }

  send(line: Buffer): void {
    if (this.inflight >= MAX_UDP_INFLIGHT) { logCounters.dropped++; return; }
    this.inflight++;
    this.sock.send(line, this.port, this.host, this.done);
  }

  close(): void {
    try { this.sock.close(); } catch { /* already closed */ }
  }
}

class FdSink implements LogSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writing = false;

  private readonly fd: number;

  constructor(fd: number) {
    this.fd = fd;
  }

  send(line: Buffer): void {
    if (this.pendingBytes + line.length > MAX_FD_BACKLOG) { logCounters.dropped++; return; }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (!this.writing) this.flush();
  }

  private flush(): void {
    const batch = this.pending;
    const lines = batch.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.writing = true;
    writev(this.fd, batch, (err) => {
      this.writing = false;
      if (err) {
        logCounters.errors++;
        logCounters.dropped += lines;
      } else {
        logCounters.sent += lines;
      }
      if (this.pending.length > 0) this.flush();
    });
  }

  close(): void { /* the descriptor belongs to the process */ }
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
    s = a.kind === 'udp' ? new UdpSink(a.host, a.port, a.family) : a.kind === 'fd' ? new FdSink(a.fd) : openUnixDgram(a.path, logCounters);
    sinks.set(k, s);
  }
  return s;
}

/** Closes every sink (at shutdown or between tests). */
export function closeLogSinks(): void {
  for (const s of sinks.values()) s.close();
  sinks.clear();
}
