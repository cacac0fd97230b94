/**
 * `-x <socket>`: start on the old process's listening sockets instead of binding new ones.
 *
 * Why: with -sf alone, the new process binds its own sockets beside the old ones
 * (SO_REUSEPORT); the kernel spreads new connections over both, and those waiting in the
 * old socket's accept queue when it closes are reset. Taking the old sockets themselves
 * (one accept queue, shared until the old process stops accepting) loses none. Master-worker
 * mode gets the same guarantee from the master holding the sockets (listeners.ts); this is
 * the way without a master, and the way to take over from a running HAProxy.
 *
 * Matching: each received socket is identified by its own address (getsockname), each
 * configured address (addressesOf: frontend binds and stats sockets, the list the master
 * binds from) by what it names; equal identities pair up, and the pairs go to bind.ts as
 * inherited descriptors (listenerKey → fd), the mechanism master-worker workers use.
 * Identities: `inet <canonical IP>:<port>` (IPv6 in its canonical text, so `::1` and
 * `0:0:0:0:0:0:0:1` meet) and `unix <absolute path>`, without the `.<pid>.tmp` suffix a
 * UNIX socket keeps from being bound under a temporary name (HAProxy and Switchyard both
 * do that). A socket with a namespace or an interface, a datagram socket, a host name in a
 * bind line, and `fd@N` never match. An address nobody sent is bound as usual; a socket
 * nobody claims is closed here.
 *
 * Failure (old process unreachable, no `expose-fd listeners`, a broken transfer) is fatal,
 * as HAProxy 2.6 outside master-worker mode; `-x /dev/null` skips the transfer, as there.
 */
import net from 'node:net';
import { resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import type { ListenAddress } from '../config/address.ts';
import { listenerKey } from '../core/bind.ts';
import { fetchOldSockets, type TransferredSocket } from '../cli/getsocks.ts';
import { closeFd, type SockName } from './fd-passing.ts';
import { addressesOf } from './listeners.ts';

/** The identity of a configured address, or null when it cannot be matched by address. */
export function configuredIdentity(addr: ListenAddress, port: number | undefined): string | null {
  if (addr.kind === 'unix') return `unix ${resolve(addr.path)}`;
  if (addr.kind !== 'inet') return null;
  const host = addr.host === '' ? (addr.family === 6 ? '::' : '0.0.0.0') : addr.host;
  const family = net.isIP(host);
  if (family === 0) return null;
  return `inet ${canonicalIp(host, family)}:${port ?? addr.portLow}`;
}

/** The identity of a received socket, or null when it cannot serve a bind line here. */
export function receivedIdentity(s: Pick<TransferredSocket, 'name' | 'stream' | 'namespace' | 'iface'>): string | null {
  if (!s.name || !s.stream || s.namespace !== '' || s.iface !== '') return null;
  return sockNameIdentity(s.name);
}

function sockNameIdentity(n: SockName): string {
  if (n.family === 'unix') return `unix ${resolve(n.path.replace(/\.\d+\.tmp$/, ''))}`;
  return `inet ${canonicalIp(n.address, n.family === 'inet6' ? 6 : 4)}:${n.port}`;
}

function canonicalIp(host: string, family: number): string {
  return new net.SocketAddress({ address: host.replace(/%.*$/, ''), family: family === 6 ? 'ipv6' : 'ipv4' }).address;
}

/**
 * Pairs received sockets with the configuration's addresses: listenerKey → fd for the
 * pairs, and the descriptors nobody claimed (the caller closes them).
 */
export function matchTransferred(config: Config, received: readonly TransferredSocket[]): { adopted: Map<string, number>; unused: number[] } {
  const byIdentity = new Map<string, number>();
  const unused: number[] = [];
  for (const s of received) {
    const id = receivedIdentity(s);
    if (id === null || byIdentity.has(id)) unused.push(s.fd);
    else byIdentity.set(id, s.fd);
  }
  const adopted = new Map<string, number>();
  for (const { addr, port } of addressesOf(config)) {
    const id = configuredIdentity(addr, port);
    const fd = id === null ? undefined : byIdentity.get(id);
    if (fd === undefined) continue;
    adopted.set(listenerKey(addr, port), fd);
    byIdentity.delete(id!);
  }
  unused.push(...byIdentity.values());
  return { adopted, unused };
}

/**
 * Before anything binds: takes the old process's sockets from `path` and returns those that
 * match `config` (listenerKey → fd; the caller listens on them: bind.ts's inherited
 * descriptors, or the master's ListenerSet.adopt()) and how many were received; the rest
 * are closed here. Throws SY_ERR_RUN_GETSOCKS (getsocks.ts) when the transfer fails.
 */
export function takeOverListeners(config: Config, path: string): { adopted: Map<string, number>; received: number } {
  if (path === '/dev/null') return { adopted: new Map(), received: 0 };
  const received = fetchOldSockets(path);
  const { adopted, unused } = matchTransferred(config, received);
  for (const fd of unused) closeFd(fd);
  return { adopted, received: received.length };
}

/** The notice a process prints once it has taken sockets over. */
export function takeOverNotice(adopted: number, received: number, path: string): string {
  return `[switchyard.main()] took ${adopted} of the ${received} listening sockets of the old process from '${path}' (-x).`;
}
