/**
 * A tiny HTTP/1.1 backend for black-box tests, on raw TCP at 127.0.0.1 (an ephemeral port),
 * so a test sees exactly the bytes the proxy sent and controls exactly the bytes it answers.
 *
 * Contract: requests are read on keep-alive connections, pipelined ones too, and answered
 * in order, one answer per request. A request is its head only: it ends at the first blank
 * line (`\r\n\r\n`); bodies are not read, so it suits GET/HEAD-style traffic (a test that
 * needs bodies, dying servers or junk answers keeps its own server). For each head (request
 * line and header lines, latin1, without the blank line) the backend appends it to `heads`,
 * then writes `answer(head, conn)` verbatim: a complete response, latin1; `conn` numbers the
 * connection (1 for the first accepted). With `delayMs` each answer is written that much
 * later (still in order). close() stops listening, destroys the open connections and
 * resolves once the server is closed.
 */
import net from 'node:net';

export interface HttpBackend {
  readonly port: number;
  /** The heads received so far, in arrival order; a test may empty it (`heads.length = 0`). */
  readonly heads: string[];
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections open now. */
  open(): number;
  close(): Promise<void>;
}

export interface HttpBackendOptions {
  /** Milliseconds between reading a head and writing its answer (default 0: at once). */
  readonly delayMs?: number;
}

/** A complete `200 OK` response with `body` and a content-length; `extraHead`: more header lines, each ending in CRLF. */
export function ok(body: string, extraHead = ''): string {
  return `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body, 'latin1')}\r\n${extraHead}\r\n${body}`;
}

export async function httpBackend(answer: (head: string, conn: number) => string, opts: HttpBackendOptions = {}): Promise<HttpBackend> {
  const heads: string[] = [];
  const socks = new Set<net.Socket>();
  let accepted = 0;
  const srv = net.createServer((s) => {
    const conn = ++accepted;
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => {});
    s.setEncoding('latin1');
    let buf = '';
    s.on('data', (d: string) => {
      buf += d;
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        heads.push(head);
        const res = answer(head, conn);
        if (opts.delayMs) setTimeout(() => { if (!s.destroyed) s.write(res, 'latin1'); }, opts.delayMs);
        else s.write(res, 'latin1');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    heads,
    accepted: () => accepted,
    open: () => socks.size,
    close: () => new Promise<void>((r) => {
      for (const s of socks) s.destroy();
      srv.close(() => r());
    }),
  };
}
