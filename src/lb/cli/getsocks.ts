/**
 * `_getsocks`: handing this process's listening sockets to its successor (HAProxy's
 * socket transfer: `stats socket … expose-fd listeners` on the old process, `-x <socket>`
 * on the new one). With it a reload needs no second bind: the new process listens on the
 * very sockets the old one accepted on, so the kernel's accept queue is never closed and
 * no connection is refused or reset — without a master process holding the sockets.
 *
 * Wire format: HAProxy 2.x's, so Switchyard and HAProxy can take sockets from each other
 * in either direction (checked against /usr/sbin/haproxy 2.6, test/lb/getsocks.test.ts).
 * HAProxy does not document it; this is what its processes put on the socket:
 *   client → server  `_getsocks\n`
 *   server → client  the number N of descriptors, a 32-bit int in host byte order; 0 ends.
 *   server → client  messages of at most 253 descriptors each (SCM_RIGHTS); the payload
 *                    holds, per descriptor in order: namespace-name length (1 byte) and
 *                    name, interface-name length (1 byte) and name, 4 zero bytes (once
 *                    the listener options).
 *   client → server  a 4-byte acknowledgement after each message; the server waits for it
 *                    after every full message of 253 before sending more.
 *   server           closes the connection.
 * On a socket without `expose-fd listeners` the answer is HAProxy's: nothing, the
 * connection is closed. The receiver learns each socket's address from getsockname(2)
 * itself; the payload only adds what the address cannot tell (namespace, interface).
 */
import type net from 'node:net';
import { endianness } from 'node:os';
import { SyError } from '../../shared/errors.ts';
import { warning } from '../../shared/log.ts';
import { handleFd } from '../core/bind.ts';
import { closeFd, connectUnix, recvExact, recvWithFds, sendAll, sendWithFds, sockName, isStreamSocket, type SockName } from '../mworker/fd-passing.ts';

/** Descriptors per message, HAProxy's MAX_SEND_FD (the kernel's SCM_MAX_FD is 253). */
export const MAX_SEND_FD = 253;
/** The count is a C int in host byte order. */
const LE = endianness() === 'LE';
/** How long the receiver waits on a silent peer, per read (HAProxy: 1 s). */
const RECV_TIMEOUT_MS = 1000;
/** Largest metadata of one descriptor: two length bytes, two names (≤255), 4 bytes. */
const MAX_META = 1 + 255 + 1 + 255 + 4;

/** One socket received from the old process. */
export interface TransferredSocket {
  fd: number;
  /** getsockname(2); null when it is no socket we can listen on (closed by the caller). */
  name: SockName | null;
  /** False for datagram sockets (HAProxy's UDP/QUIC listeners): never adopted here. */
  stream: boolean;
  namespace: string;
  iface: string;
}

/** Resolves with the next `n` bytes the peer sends, or null if it closes or stays silent. */
function readBytes(sock: net.Socket, n: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let got = 0;
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      resolve(ok);
    };
    const onData = (d: Buffer | string): void => {
      got += d.length;
      if (got >= n) done(true);
    };
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('data', onData);
    sock.on('close', onClose);
  });
}

/**
 * Answers `_getsocks` on an accepted CLI connection: sends `fds` (this process's listening
 * sockets, in a stable order), then closes. The caller has stopped reading commands on
 * `sock`. Failures are warnings (HAProxy's words); the connection is closed in any case.
 */
export async function serveGetsocks(sock: net.Socket, fds: readonly number[]): Promise<void> {
  const fd = handleFd(sock);
  try {
    if (fd === undefined) return;
    const count = Buffer.alloc(4);
    if (LE) count.writeInt32LE(fds.length, 0); else count.writeInt32BE(fds.length, 0);
    if (sendWithFds(fd, count, []) !== 4) {
      warning('Failed to transfer sockets');
      return;
    }
    for (let i = 0; i < fds.length; i += MAX_SEND_FD) {
      const batch = fds.slice(i, i + MAX_SEND_FD);
      // No namespace, no interface (bind options Switchyard does not serve): 6 bytes each.
      const meta = Buffer.alloc(6 * batch.length);
      const sent = sendWithFds(fd, meta, batch);
      if (sent !== meta.length) {
        warning('Failed to transfer sockets');
        return;
      }
      if (batch.length === MAX_SEND_FD && !(await readBytes(sock, 4, 5000))) {
        warning('Unexpected error while transferring sockets');
        return;
      }
    }
  } catch (e) {
    // Never fatal to the serving process (koffi or libc unavailable, a closed peer).
    warning(`Failed to transfer sockets: ${(e as Error).message}`);
  } finally {
    sock.destroy();
  }
}

function fail(path: string, why: string): never {
  throw new SyError('SY_ERR_RUN_GETSOCKS', `Failed to get the sockets from the old process (-x ${path}): ${why}`);
}

/**
 * The client side (`-x <path>`), at start-up, blocking (bounded by RECV_TIMEOUT_MS per
 * read): connects, asks, receives every listening socket of the old process. Throws one
 * SyError naming the path when anything goes wrong (HAProxy's process then exits) and
 * closes whatever it had received; on success the caller owns every descriptor.
 */
export function fetchOldSockets(path: string): TransferredSocket[] {
  const c = connectUnix(path, RECV_TIMEOUT_MS);
  if ('error' in c) fail(path, `Failed to connect to the old process socket '${path}' (${c.error})`);
  const fd = c.fd;
  const fds: number[] = [];
  let meta = Buffer.alloc(0);
  try {
    if (sendAll(fd, Buffer.from('_getsocks\n')) !== null) fail(path, 'Failed to send the _getsocks command');
    const head = recvExact(fd, 4);
    if (typeof head === 'string' || head.length !== 4) {
      fail(path, `Failed to get the number of sockets to be transferred ! (is 'expose-fd listeners' set on the stats socket '${path}'?)`);
    }
    const expected = LE ? head.readInt32LE(0) : head.readInt32BE(0);
    if (expected < 0) fail(path, `Got an invalid number of sockets (${expected})`);
    const chunks: Buffer[] = [];
    while (fds.length < expected) {
      const r = recvWithFds(fd, MAX_SEND_FD * MAX_META, MAX_SEND_FD);
      if (typeof r === 'string' || r.data.length === 0) break;
      fds.push(...r.fds);
      chunks.push(r.data);
      if (r.truncated) fail(path, 'Got too many sockets !');
      // The acknowledgement lets the old process send the next batch.
      sendAll(fd, Buffer.alloc(4));
      if (fds.length > expected) fail(path, 'Got too many sockets !');
    }
    if (fds.length !== expected) fail(path, `We didn't get the expected number of sockets (expecting ${expected} got ${fds.length})`);
    meta = Buffer.concat(chunks);
  } catch (e) {
    for (const f of fds) closeFd(f);
    throw e;
  } finally {
    closeFd(fd);
  }
  return describe(path, fds, meta);
}

/** Pairs each descriptor with its metadata (in order) and its own address. */
function describe(path: string, fds: number[], meta: Buffer): TransferredSocket[] {
  const out: TransferredSocket[] = [];
  let off = 0;
  const name = (): string => {
    const len = meta[off++];
    if (len === undefined || off + len > meta.length) throw new Error('short');
    const s = meta.subarray(off, off + len).toString();
    off += len;
    return s;
  };
  try {
    for (const fd of fds) {
      const namespace = name();
      const iface = name();
      if (off + 4 > meta.length) throw new Error('short');
      off += 4;
      out.push({ fd, name: sockName(fd), stream: isStreamSocket(fd), namespace, iface });
    }
  } catch {
    for (const f of fds) closeFd(f);
    fail(path, 'Inconsistency while transferring sockets');
  }
  return out;
}
