/**
 * The last invalid request and the last invalid response of each proxy, for the runtime
 * API's `show errors` (HAProxy's error snapshots).
 *
 * When a message head fails to parse, the stream hands over the bytes it had and the
 * parser's verdict; the capture keeps a copy. A request error belongs to the frontend
 * that received it, a response error to the backend whose server sent it. Memory is
 * bounded: one capture per proxy and direction, replacing the previous one, and at most
 * tune.bufsize bytes each (what HAProxy's buffer could hold). Every capture takes the
 * next number of one process-wide event counter, which `show errors` also prints.
 * Capturing runs only on the error path, never for a valid message.
 */
import type net from 'node:net';
import type { ProxyConfig } from '../config/types.ts';
import type { HttpError } from '../http/types.ts';
import { BUFSIZE } from './fast-io.ts';

export interface ErrorCapture {
  /** ms since the epoch. */
  readonly when: number;
  readonly dir: 'request' | 'response';
  /** The other proxy of the stream: the backend for a request (none yet), the frontend for a response. */
  readonly other: { name: string; id: number } | null;
  readonly server: { name: string; id: number } | null;
  readonly event: number;
  /** Client address as `ip:port` (or `unix`). */
  readonly src: string;
  /** The first bytes of the message, at most tune.bufsize. */
  readonly bytes: Buffer;
  /** Length of what had been received when the error was found. */
  readonly len: number;
  /** Offset of the offending byte, as far as the parser says (0 when it does not). */
  readonly at: number;
  readonly reason: string;
}

interface Slot { request?: ErrorCapture; response?: ErrorCapture }

const captures = new WeakMap<ProxyConfig, Slot>();
let events = 0;

function srcOf(sock: net.Socket): string {
  const a = sock.remoteAddress;
  if (a === undefined) return 'unix';
  const plain = a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
  return `${plain}:${sock.remotePort ?? 0}`;
}

/**
 * Records an invalid head. `px` stores it (frontend for requests, backend for
 * responses); `other` is the stream's other proxy, `server` the server (responses).
 */
export function captureError(dir: 'request' | 'response', px: ProxyConfig, other: ProxyConfig | null,
  server: { name: string; id: number } | null, client: net.Socket, buf: Buffer, err: HttpError): void {
  const bytes = Buffer.from(buf.subarray(0, BUFSIZE));
  let slot = captures.get(px);
  if (!slot) { slot = {}; captures.set(px, slot); }
  slot[dir] = {
    when: Date.now(), dir, other: other ? { name: other.name, id: other.id } : null,
    server: server ? { name: server.name, id: server.id } : null, event: events++, src: srcOf(client),
    bytes, len: buf.length, at: err.at ?? 0, reason: err.reason,
  };
}

export function capturesOf(px: ProxyConfig): Readonly<Slot> {
  return captures.get(px) ?? {};
}

/** Captures taken since start (the number of the next one). */
export function capturedEvents(): number {
  return events;
}
