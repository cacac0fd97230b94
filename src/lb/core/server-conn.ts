/**
 * What TCP and HTTP streams share when they talk to a server: opening the connection
 * (fast reads or Node's ordinary ones, see fast-io.ts) and HAProxy's retry policy.
 */
import net from 'node:net';
import type { Backend } from './backend.ts';
import type { Server } from './server.ts';
import { fastReadOptions, type Inbound } from './fast-io.ts';

/**
 * Connects to `server`. A server without a port gets the port the client connected to
 * (`clientPort`). With `onChunk`, reads land in the socket's own buffer and go there
 * (the caller must then follow fast-io's backpressure rule); without, the caller reads
 * 'data' events.
 */
export function connectToServer(server: Server, clientPort: number, onChunk: ((chunk: Buffer) => void) | null): net.Socket {
  const a = server.cfg.address;
  const where = a.kind === 'unix' ? { path: a.path } : { host: server.host, port: server.portFor(clientPort), noDelay: true };
  if (onChunk === null) return net.connect({ ...where, allowHalfOpen: true });
  const inbound: Inbound = { onChunk };
  return net.connect({ ...where, allowHalfOpen: true, ...fastReadOptions(inbound) });
}

/** Longest wait before retrying the same server (HAProxy: min(timeout connect, 1 s)). */
const MAX_TURNAROUND_MS = 1000;

export function turnaroundMs(be: Backend): number {
  return Math.min(be.cfg.timeouts.connect || MAX_TURNAROUND_MS, MAX_TURNAROUND_MS);
}

/**
 * HAProxy's redispatch rule (back_handle_st_cer), for retry number `n` (1-based) under
 * `option redispatch`: change server when the interval says so, or — whatever the
 * interval — when there is no persistence, the algorithm is round-robin-like and more
 * than one server is usable.
 */
export function shouldRedispatch(be: Backend, n: number): boolean {
  if (!be.cfg.options.redispatchOn) return false;
  const interval = be.cfg.options.redispatch;
  if (interval > 0 && n % interval === 0) return true;
  if (interval < 0) {
    const period = be.cfg.retries + 1 + interval;
    if (period > 0 && n % period === 0) return true;
  }
  return be.usableCount() > 1;
}
