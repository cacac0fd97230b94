/**
 * Differential tests: run the real HAProxy 2.6 (/usr/sbin/haproxy) on a config text, next
 * to bin/switchyard on the same text. `missingHaproxy` is the skip reason when it is absent.
 * Every process started here is stopped by its PID in `stopHaproxies()` (call it in `after`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { waitForPort, writeConfig } from './switchyard.ts';

export const HAPROXY = '/usr/sbin/haproxy';
export const missingHaproxy: string | false = existsSync(HAPROXY) ? false : 'haproxy is not installed';

const procs = new Set<ChildProcess>();

/** Starts `haproxy -db -f cfg` and waits until `port` accepts; throws with its output if it exits. */
export async function runHaproxy(cfgText: string, port: number): Promise<ChildProcess> {
  const p = spawn(HAPROXY, ['-db', '-f', writeConfig(cfgText)], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.add(p);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  p.on('exit', () => procs.delete(p));
  try {
    await waitForPort(port);
  } catch (e) {
    throw new Error(`haproxy did not start: ${(e as Error).message}\n${out}`);
  }
  return p;
}

export function stopHaproxies(): void {
  for (const p of procs) if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
  procs.clear();
}

/** One raw HTTP/1.1 exchange (the request text as given, no client-side normalization). */
export function rawRequest(port: number, text: string, timeoutMs = 3000): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const t = setTimeout(() => { s.destroy(); reject(new Error(`no complete answer on ${port}: ${JSON.stringify(got)}`)); }, timeoutMs);
    const done = (): void => {
      const end = got.indexOf('\r\n\r\n');
      const head = got.slice(0, end);
      let body = got.slice(end + 4);
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) body = dechunk(body);
      clearTimeout(t);
      s.destroy();
      resolve({ status: Number(head.slice(9, 12)), head, body });
    };
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = /\r\ncontent-length: *(\d+)/i.exec(got.slice(0, end));
      if (len && got.length >= end + 4 + Number(len[1])) done();
      else if (/\r\ntransfer-encoding: *chunked/i.test(got.slice(0, end)) && got.endsWith('\r\n0\r\n\r\n')) done();
      else if (/^HTTP\/1\.1 (204|304)/.test(got) || (got.startsWith('HTTP/1.1 200') && /^HEAD /.test(text))) done();
    });
    s.on('end', () => { if (got.includes('\r\n\r\n')) done(); });
    s.on('error', (e) => { clearTimeout(t); reject(e); });
    s.write(text);
  });
}

/** The payload of a chunked body (no trailers expected). */
function dechunk(b: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) return out;
    const n = parseInt(b.slice(i, eol), 16);
    if (!(n > 0)) return out;
    out += b.slice(eol + 2, eol + 2 + n);
    i = eol + 2 + n + 2;
  }
}
