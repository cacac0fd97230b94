/**
 * The master's listening sockets. Why the master holds them: a reload must never refuse a
 * connection, so the listening socket has to outlive every worker. The master binds each
 * address once and never closes it while a configuration names it; each worker inherits
 * the descriptor, calls listen(2) on it and accepts. During a reload the old and the new
 * worker share the very same socket (one accept queue): the old one stops accepting, the
 * new one takes over, and no SYN ever meets a closed port.
 *
 * The master makes each socket listen but never accepts on it (HAProxy's master does the
 * same): connections that arrive before the first worker is up wait in the kernel's accept
 * queue instead of being refused. Node's public API cannot listen without also accepting
 * in the event loop, so the socket is bound with net._createServerHandle() — the bind-only
 * primitive Node's own cluster module is built on — and listen(2) is called from libc
 * through koffi. libuv reports EADDRINUSE only at listen time; the bound port is checked
 * with getsockname first, so a port in use is an error here, not a socket silently
 * listening on a random port.
 *
 * Started with -x, the master takes the old process's sockets (takeover.ts) and holds
 * them as if it had bound them (adopt()).
 *
 * Contract of sync(): either every address of the new configuration has a descriptor
 * (new ones bound, existing ones kept) or it throws one SyError naming the first failure
 * and closes only what it opened. Descriptors the new configuration no longer names are
 * closed by release(), once the workers that used them are told to go.
 */
import net from 'node:net';
import { chmodSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { Config } from '../config/types.ts';
import type { ListenAddress } from '../config/address.ts';
import { addressLabel, bindErrorReason, expandAddress, listenerKey, removeStaleSocket } from '../core/bind.ts';
import { SyError } from '../../shared/errors.ts';
import { closeFd } from './fd-passing.ts';
import { errno, libcFunc } from '../../shared/libc.ts';

/** A bound (not listening) libuv handle, as net._createServerHandle returns it. */
interface RawHandle {
  fd: number;
  close(): void;
  getsockname?(out: { port?: number }): number;
}

type CreateServerHandle = (address: string | null, port: number | null, addressType: number | null, fd?: number, flags?: number) => RawHandle | number;
const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

let libcListen: ((fd: number, backlog: number) => number) | undefined;

/** listen(2) without the event loop watching the socket; returns 0 or an errno code. */
function listenOnly(fd: number): string | null {
  libcListen ??= libcFunc('int listen(int fd, int backlog)') as (fd: number, backlog: number) => number;
  return libcListen(fd, 1024) === 0 ? null : getSystemErrorName(-errno());
}

export interface HeldListener {
  key: string;
  /** The descriptor in the master, handed to workers. */
  fd: number;
  handle: RawHandle | null;
  /** Taken from an old process (-x): ours to close, without a libuv handle. */
  adopted?: boolean;
}

/** Every address a configuration listens on: frontend binds, then stats sockets. */
export function addressesOf(config: Config): { what: string; addr: ListenAddress; port?: number; mode?: number }[] {
  const out: { what: string; addr: ListenAddress; port?: number; mode?: number }[] = [];
  for (const p of config.proxies) {
    if (!p.cap.frontend) continue;
    for (const b of p.binds) for (const a of b.addresses) for (const e of expandAddress(a)) out.push({ what: `frontend ${p.name}`, ...e });
  }
  for (const s of config.global.statsSockets) out.push({ what: 'stats socket', addr: s.address, mode: s.mode });
  return out;
}

function bindOne(what: string, addr: ListenAddress, port: number | undefined, mode: number | undefined): HeldListener {
  const key = listenerKey(addr, port);
  const label = addressLabel(addr, port);
  const fail = (code: string | undefined, text: string): never => {
    throw new SyError('SY_ERR_RUN_BIND', `Starting ${what}: cannot bind socket (${bindErrorReason(code, text)}) [${label}]`);
  };
  // An inherited descriptor (VTest's fd@N) is the caller's socket: hand it down as is.
  if (addr.kind === 'fd') return { key, fd: addr.fd, handle: null };
  let h: RawHandle | number;
  if (addr.kind === 'unix') {
    removeStaleSocket(addr.path);
    h = createServerHandle(addr.path, -1, -1);
  } else {
    const host = addr.host === '' ? (addr.family === 6 ? '::' : '0.0.0.0') : addr.host;
    h = createServerHandle(host, port ?? addr.portLow, host.includes(':') ? 6 : 4);
  }
  if (typeof h === 'number') return fail(getSystemErrorName(h), `error ${h}`);
  if (addr.kind === 'inet' && h.getsockname) {
    const out: { port?: number } = {};
    if (h.getsockname(out) !== 0 || (port !== 0 && out.port !== port)) {
      h.close();
      return fail('EADDRINUSE', 'bind failed');
    }
  }
  const err = listenOnly(h.fd);
  if (err) {
    h.close();
    return fail(err, err);
  }
  if (addr.kind === 'unix' && mode !== undefined) chmodSync(addr.path, mode);
  return { key, fd: h.fd, handle: h };
}

export class ListenerSet {
  private readonly held = new Map<string, HeldListener>();

  /** Binds what `config` adds; returns the set for it and the keys bound by this call. */
  sync(config: Config): { listeners: HeldListener[]; added: string[] } {
    const listeners: HeldListener[] = [];
    const added: HeldListener[] = [];
    const seen = new Set<string>();
    try {
      for (const { what, addr, port, mode } of addressesOf(config)) {
        const key = listenerKey(addr, port);
        if (seen.has(key)) continue;
        seen.add(key);
        let l = this.held.get(key);
        if (!l) {
          l = bindOne(what, addr, port, mode);
          added.push(l);
        }
        listeners.push(l);
      }
    } catch (e) {
      for (const l of added) l.handle?.close();
      throw e;
    }
    for (const l of added) this.held.set(l.key, l);
    return { listeners, added: added.map((l) => l.key) };
  }

  /**
   * Listening sockets taken from an old process (-x, takeover.ts), listenerKey → fd: the
   * next sync() uses them instead of binding those addresses.
   */
  adopt(sockets: ReadonlyMap<string, number>): void {
    for (const [key, fd] of sockets) if (!this.held.has(key)) this.held.set(key, { key, fd, handle: null, adopted: true });
  }

  /** The addresses held now. */
  keys(): Set<string> {
    return new Set(this.held.keys());
  }

  /** Closes the descriptors whose keys are not in `keep` (a failed reload: its additions). */
  release(keep: ReadonlySet<string>): void {
    for (const [key, l] of this.held) {
      if (keep.has(key)) continue;
      l.handle?.close();
      if (l.adopted) closeFd(l.fd);
      this.held.delete(key);
    }
  }

  closeAll(): void {
    this.release(new Set());
  }
}
