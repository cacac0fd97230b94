/** JSON-lines framing over a stream socket (control protocol of the relay). */
import type { Socket } from 'node:net';

/** Call `onLine(obj)` for each complete JSON line; malformed lines give `onBad(text)`. */
export function readJsonLines(sock: Socket, onLine: (v: unknown) => void, onBad: (t: string) => void): void {
  let acc = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    acc += chunk;
    for (let i = acc.indexOf('\n'); i >= 0; i = acc.indexOf('\n')) {
      const line = acc.slice(0, i).trim();
      acc = acc.slice(i + 1);
      if (!line) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        onBad(line);
        continue;
      }
      onLine(v);
    }
    if (acc.length > 1 << 20) sock.destroy(new Error('control line too long'));
  });
}
