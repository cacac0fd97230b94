/**
 * Helpers for black-box tests: run bin/switchyard as a real process on a real config,
 * find free ports, run tiny echo/answer servers on 127.0.0.1. Every process started here
 * is tracked and killed by `cleanup()` (call it in `after`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const BIN = join(ROOT, 'bin', 'switchyard');

const children = new Set<ChildProcess>();
const servers = new Set<net.Server>();
const dirs: string[] = [];

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sy-test-'));
  dirs.push(d);
  return d;
}

export function writeConfig(text: string, dir = tempDir()): string {
  const f = join(dir, 'test.cfg');
  writeFileSync(f, text);
  return f;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Running {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runSwitchyard(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const proc = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  proc.stdout!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => { children.delete(proc); resolve({ code, signal }); });
  });
  return { proc, stderr: () => err, exited };
}

/** Runs to completion (for -c, -v, bad arguments). */
export async function runToEnd(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  const r = runSwitchyard(args, env);
  const { code } = await r.exited;
  return { code, out: r.stderr() };
}

/**
 * Resolves once something accepts TCP connections on the port (bounded wait). The bound
 * is generous: a process start takes ~0.5 s on a quiet machine, several seconds on a
 * loaded one, and this is a readiness wait, not a timing assertion.
 */
export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** A server that answers every connection with `name\n` then echoes what it receives. */
export async function namedEchoServer(name: string, port = 0): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.add(server);
  // Accepted sockets too: a failed test must not keep the event loop alive.
  server.on('connection', (s) => { s.unref(); });
  server.unref();
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** Connects, optionally sends, and collects everything until the peer closes. */
export function exchange(port: number, send?: string, opts: { endAfterSend?: boolean; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no close from 127.0.0.1:${port} within ${opts.timeoutMs ?? 5000} ms; got ${JSON.stringify(data)}`)); }, opts.timeoutMs ?? 5000);
    s.on('data', (d) => { data += d.toString(); });
    // The peer finished sending: finish our side too, so the socket can close.
    s.on('end', () => s.end());
    s.on('connect', () => {
      if (send !== undefined) s.write(send);
      if (opts.endAfterSend !== false) s.end();
    });
    s.on('close', () => { clearTimeout(timer); resolve(data); });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

export async function cleanup(): Promise<void> {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  for (const s of servers) s.close();
  servers.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
