/**
 * One probe connection: connect within a bound, write, and wait until the bytes received
 * so far satisfy a condition, the peer closes, or the probe's whole time is up. Never
 * blocks the event loop; every path ends with the socket destroyed (close()).
 *
 * Received bytes accumulate in `data` up to MAX_BUFFER (HAProxy's check buffer is one
 * tune.bufsize); beyond that the reader sees `full` and must conclude.
 */
import net from 'node:net';
import type { ProbeTarget } from './types.ts';

export const MAX_BUFFER = 16_384;

export type ConnectOutcome = { ok: true } | { ok: false; timeout: boolean; info: string };
export type WaitOutcome = 'ready' | 'closed' | 'timeout' | 'error';

/** Node error codes → the strerror text HAProxy puts in "info". */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPIPE: 'Broken pipe',
};

export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return (code && ERRNO_TEXT[code]) ?? (e as Error | null)?.message ?? 'unknown error';
}

export class ProbeConn {
  readonly started = performance.now();
  data = Buffer.alloc(0);
  /** The peer ended its side (or the socket closed). */
  ended = false;
  /** The receive buffer is full. */
  full = false;
  /** The socket error that ended reading, if any. */
  error: unknown = null;
  private sock: net.Socket | null = null;
  private readonly target: ProbeTarget;
  private deadline: number;
  private wake: (() => void) | null = null;

  constructor(target: ProbeTarget) {
    this.target = target;
    this.deadline = this.started + target.totalTimeout;
  }

  get elapsed(): number { return Math.round(performance.now() - this.started); }

  /** Connects (bounded by the connect timeout and the total budget). */
  connect(host = this.target.host, port = this.target.port): Promise<ConnectOutcome> {
    return new Promise((resolve) => {
      const where = port === 0 && host.startsWith('/') ? { path: host } : { host, port };
      const sock = net.connect({ ...where, allowHalfOpen: true, noDelay: true });
      this.sock = sock;
      const limit = Math.max(1, Math.min(this.target.connectTimeout, this.deadline - performance.now()));
      const timer = setTimeout(() => { sock.destroy(); resolve({ ok: false, timeout: true, info: '' }); }, limit);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        if (this.target.readTimeout !== undefined) this.deadline = performance.now() + this.target.readTimeout;
        this.attach(sock);
        resolve({ ok: true });
      });
      sock.once('error', (e) => { clearTimeout(timer); resolve({ ok: false, timeout: false, info: errnoText(e) }); });
    });
  }

  private attach(sock: net.Socket): void {
    this.data = Buffer.alloc(0);
    this.ended = false;
    this.full = false;
    this.error = null;
    // Events of a socket this probe has moved away from (a later connect step) are stale.
    sock.on('data', (d: Buffer) => {
      if (this.sock !== sock) return;
      const room = MAX_BUFFER - this.data.length;
      this.data = Buffer.concat([this.data, room < d.length ? d.subarray(0, room) : d]);
      if (this.data.length >= MAX_BUFFER) this.full = true;
      this.poke();
    });
    sock.on('end', () => { if (this.sock === sock) { this.ended = true; this.poke(); } });
    sock.on('close', () => { if (this.sock === sock) { this.ended = true; this.poke(); } });
    sock.on('error', (e) => { if (this.sock === sock) { this.error = e; this.ended = true; this.poke(); } });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  write(buf: Buffer | string): void {
    if (this.sock && !this.sock.destroyed) this.sock.write(buf);
  }

  /** Drops what was received (a new send starts a new exchange). */
  reset(): void {
    this.data = Buffer.alloc(0);
    this.full = false;
  }

  /**
   * Waits until `done()` is true ('ready'), the peer closes ('closed'), a socket error
   * ('error') or the probe's time is up ('timeout'). `done` is checked first each time.
   */
  async waitFor(done: () => boolean): Promise<WaitOutcome> {
    for (;;) {
      if (done()) return 'ready';
      if (this.error) return 'error';
      if (this.ended || this.full) return 'closed';
      const left = this.deadline - performance.now();
      if (left <= 0) return 'timeout';
      const woke = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => { this.wake = null; resolve(false); }, left);
        this.wake = () => { clearTimeout(t); resolve(true); };
      });
      if (!woke) return done() ? 'ready' : 'timeout';
    }
  }

  close(): void {
    this.poke();
    this.sock?.destroy();
    this.sock = null;
  }
}
