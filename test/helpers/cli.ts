/**
 * The runtime API from tests: one command per connection on a `stats socket`, as the
 * tools operators use (socat, HAProxy's own tests) talk to it.
 */
import net from 'node:net';
import { existsSync } from 'node:fs';

/** Sends one command line; resolves with everything the balancer wrote before it closed. */
export function cliCommand(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => { out += d; });
    s.on('connect', () => s.write(`${line}\n`));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

/** Waits until the socket at `path` accepts connections. */
export async function waitForSocket(path: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      const ok = await new Promise<boolean>((r) => { const s = net.connect(path); s.on('connect', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
      if (ok) return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no CLI on ${path}`);
}
