/**
 * Opens listening sockets for `bind` lines. Contract: bindAll() either returns every
 * server listening, or closes whatever it opened and throws one SyError naming the
 * frontend and the address — a half-bound balancer never runs.
 *
 * Sockets are opened with SO_REUSEPORT (as HAProxy does on Linux) so that a new process
 * started with -sf/-st can bind the same ports before the old one lets go.
 *
 * A worker of master-worker mode (src/lb/mworker) binds nothing itself: the master holds
 * every socket and hands them down as inherited descriptors; setInheritedListeners() maps
 * each address (listenerKey) to its descriptor, and listen() uses that instead of binding.
 * A process started with -x fills the same map with the sockets it took from the old
 * process (src/lb/mworker/takeover.ts).
 *
 * UNIX sockets are bound as HAProxy binds them: under a temporary name (`<path>.<pid>.tmp`),
 * then renamed over `<path>`. A client never finds the path missing during a reload, and
 * closing the socket leaves the path alone (libuv unlinks only the name it bound, which no
 * longer exists): a successor that took the socket over (-x) keeps serving at `<path>`.
 * As with HAProxy, the socket file stays after the process exits.
 */
import net from 'node:net';
import { chmodSync, unlinkSync, statSync, renameSync } from 'node:fs';
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

/** The identity of one listening address, the same in a master and its workers. */
export function listenerKey(a: ListenAddress, port?: number): string {
  return `${a.kind} ${addressLabel(a, port)}`;
}

const inherited = new Map<string, number>();

/** Listening descriptors handed down by a master process: listenerKey → fd. */
export function setInheritedListeners(map: ReadonlyMap<string, number>): void {
  inherited.clear();
  for (const [k, fd] of map) inherited.set(k, fd);
}

/** The descriptor of a live libuv handle (a Node server or socket), or undefined. */
export function handleFd(obj: net.Server | net.Socket): number | undefined {
  const fd = (obj as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** The temporary name a UNIX socket is bound under before it is renamed into place. */
export function unixTempPath(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/** A stale socket file from a previous run would make bind fail; remove only sockets. */
export function removeStaleSocket(path: string): void {
  try { if (statSync(path).isSocket()) unlinkSync(path); } catch { /* absent */ }
}

/** HAProxy's words for the usual bind failures. */
export function bindErrorReason(code: string | undefined, fallback: string): string {
  return code === 'EADDRINUSE' ? 'Address already in use'
    : code === 'EACCES' ? 'Permission denied'
    : code === 'EADDRNOTAVAIL' ? 'Cannot assign requested address'
    : code === 'EBADF' || code === 'ENOTSOCK' || code === 'EINVAL' ? 'not a listening socket descriptor'
    : fallback;
}

/** True when `path` exists and is not a socket: never replaced by a bind. */
function occupiedByNonSocket(path: string): boolean {
  try { return !statSync(path).isSocket(); } catch { return false; }
}

function listen(server: net.Server, a: ListenAddress, port: number | undefined, mode: number | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    const done = (): void => { server.removeListener('error', onError); resolve(); };
    const fd = inherited.get(listenerKey(a, port));
    if (fd !== undefined) {
      server.listen({ fd, backlog: 1024 }, done);
    } else if (a.kind === 'fd') {
      server.listen({ fd: a.fd }, done);
    } else if (a.kind === 'unix') {
      if (occupiedByNonSocket(a.path)) {
        server.removeListener('error', onError);
        reject(Object.assign(new Error('path exists and is not a socket'), { code: 'EADDRINUSE' }));
        return;
      }
      const tmp = unixTempPath(a.path);
      removeStaleSocket(tmp);
      server.listen({ path: tmp }, () => {
        try {
          if (mode !== undefined) chmodSync(tmp, mode);
          renameSync(tmp, a.path);
        } catch (e) {
          server.removeListener('error', onError);
          server.close();
          reject(e);
          return;
        }
        done();
      });
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
        await listen(server, addr, port, mode);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const reason = bindErrorReason(err.code, err.message);
        throw new SyError('SY_ERR_RUN_BIND', `Starting ${what}: cannot bind socket (${reason}) [${label}]`);
      }
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
