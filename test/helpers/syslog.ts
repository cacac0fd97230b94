/**
 * A UDP syslog receiver on 127.0.0.1 for log tests: it keeps every datagram as a line,
 * and take(n) waits (bounded) until n lines are there, then hands over all it has.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';

export interface SyslogServer {
  port: number;
  /** Waits up to `ms` (default: the server's) for `n` lines, then returns and forgets all lines received. */
  take(n: number, ms?: number): Promise<string[]>;
  close(): void;
}

export async function syslogServer(opts: { encoding?: BufferEncoding; waitMs?: number } = {}): Promise<SyslogServer> {
  const encoding = opts.encoding ?? 'latin1';
  const s = dgram.createSocket('udp4');
  const lines: string[] = [];
  s.on('message', (m) => lines.push(m.toString(encoding)));
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  s.unref();
  return {
    port: s.address().port,
    async take(n: number, ms = opts.waitMs ?? 3000): Promise<string[]> {
      const end = Date.now() + ms;
      while (lines.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      return lines.splice(0, lines.length);
    },
    close: () => s.close(),
  };
}
