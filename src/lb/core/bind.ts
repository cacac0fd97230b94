/**
 * Opens listening sockets for `bind` lines. Contract: bindAll() either returns every
 * server listening, or closes whatever it opened and throws one SyError naming the
 * frontend and the address — a half-bound balancer never runs.
 *
 * Sockets are opened with SO_REUSEPORT (as HAProxy does on Linux) so that a new process
 * started with -sf/-st can bind the same ports before the old one lets go.
 */
import net from 'node:net';
import { chmodSync, unlinkSync, statSync } from 'node:fs';
import type { ListenAddress } from '../config/address.ts';
import { SyError } from '../../shared/errors.ts';
import { acceptFast, type Inbound } from './fast-io.ts';

export interface BoundSocket {
  server: net.Server;
  /** "127.0.0.1:8080", "/run/x.sock", "fd@5", for messages and stats. */
  label: string;
}

export function addressLabel(a: ListenAddress, port?: number): string {
  if (a.kind === 'unix') return a.path;
  if (a.kind === 'fd') return `fd@${a.fd}`;
  const host = a.host === '' ? (a.family === 6 ? '::' : '0.0.0.0') : a.host;
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? a.portLow}`;
}

/** Expands port ranges into one entry per port. */
export function expandAddress(a: ListenAddress): { addr: ListenAddress; port?: number }[] {
  if (a.kind !== 'inet') return [{ addr: a }];
  const out: { addr: ListenAddress; port?: number }[] = [];
  for (let p = a.portLow; p <= a.portHigh; p++) out.push({ addr: a, port: p });
  return out;
}

function listen(server: net.Server, a: ListenAddress, port: number | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    const done = (): void => { server.removeListener('error', onError); resolve(); };
    if (a.kind === 'fd') {
      server.listen({ fd: a.fd }, done);
    } else if (a.kind === 'unix') {
      // A stale socket file from a previous run would make bind fail; remove only sockets.
      try { if (statSync(a.path).isSocket()) unlinkSync(a.path); } catch { /* absent */ }
      server.listen({ path: a.path }, done);
    } else {
      const host = a.host === '' ? (a.family === 6 ? '::' : '0.0.0.0') : a.host;
      server.listen({ host, port, reusePort: true, backlog: 1024, ipv6Only: false }, done);
    }
  });
}

/** Set SWITCHYARD_SLOW_ACCEPT=1 to force Node's ordinary accept path (tests run both). */
const fastAcceptWanted = process.env.SWITCHYARD_SLOW_ACCEPT !== '1';

/**
 * Binds every address for one owner (a frontend or the stats socket). `what` names it in
 * errors ("frontend 'fe'"). `onConnection` receives paused sockets, with an Inbound hook
 * when `fast` was asked for and the fast accept path is available (see fast-io.ts).
 */
export async function bindAll(
  what: string,
  addresses: { addr: ListenAddress; port?: number; mode?: number }[],
  onConnection: (sock: net.Socket, inbound: Inbound | null) => void,
  fast = false,
): Promise<BoundSocket[]> {
  const bound: BoundSocket[] = [];
  try {
    for (const { addr, port, mode } of addresses) {
      const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (sock) => onConnection(sock, null));
      const label = addressLabel(addr, port);
      try {
        await listen(server, addr, port);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const reason = err.code === 'EADDRINUSE' ? 'Address already in use'
          : err.code === 'EACCES' ? 'Permission denied'
          : err.code === 'EADDRNOTAVAIL' ? 'Cannot assign requested address'
          : err.code === 'EBADF' || err.code === 'ENOTSOCK' || err.code === 'EINVAL' ? 'not a listening socket descriptor'
          : err.message;
        throw new SyError('SY_ERR_RUN_BIND', `Starting ${what}: cannot bind socket (${reason}) [${label}]`);
      }
      if (addr.kind === 'unix' && mode !== undefined) chmodSync(addr.path, mode);
      if (fast && fastAcceptWanted) acceptFast(server, onConnection);
      server.on('error', () => { /* accept errors (EMFILE…) are transient; libuv retries */ });
      bound.push({ server, label });
    }
  } catch (e) {
    for (const b of bound) b.server.close();
    throw e;
  }
  return bound;
}
