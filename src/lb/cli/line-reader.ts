/**
 * The line framing of a CLI connection, shared by the stats socket (socket.ts) and the
 * master CLI (mworker/master-cli.ts), as HAProxy frames both: a line ends with LF (a CR
 * before it is dropped); input that reaches MAX_LINE characters without a newline gets
 * "Line too long." and the connection is closed, so a client cannot make us buffer
 * without limit.
 *
 * Contract: readCliLines() decodes the socket as UTF-8 and calls `onLine` once per line,
 * in order. `onLine` returns false when no further line may be read (the session is
 * ending, or the connection was handed over, as by `_getsocks`): the reader then ignores
 * everything that follows. Ending and error handling of the socket stay the caller's.
 */
import type net from 'node:net';

export const MAX_LINE = 16_384;

export function readCliLines(sock: net.Socket, onLine: (line: string) => boolean): void {
  let buf = '';
  let done = false;
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    if (done) return;
    buf += chunk;
    if (buf.length > MAX_LINE && !buf.includes('\n')) {
      done = true;
      sock.end('Line too long.\n\n');
      return;
    }
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (!onLine(line)) { done = true; buf = ''; return; }
    }
  });
}
