/**
 * UNIX datagram log targets (`log /dev/log local0`, `unix@PATH`). Node core has no
 * AF_UNIX SOCK_DGRAM sockets, so this uses libc's through koffi (libc-dgram.ts). The
 * socket is unconnected: every datagram names the path, so a syslog daemon that restarts
 * (and recreates its socket) is found again, as HAProxy does. Lines leave in batches, one
 * sendmmsg() per millisecond's worth (dgram-batch.ts), like the UDP targets'.
 */
import type { LogSink } from './sinks.ts';
import { AF_UNIX, libcDgram, type DgramCounters } from './libc-dgram.ts';
import { batchedDgramSink } from './dgram-batch.ts';

/** sizeof(struct sockaddr_un) on Linux: 2 bytes of family + 108 of path. */
const SUN_LEN = 110;

/** Opens the sink. Throws when the path cannot be a socket address or no socket can be made. */
export function openUnixDgram(path: string, counters: DgramCounters): LogSink {
  const p = Buffer.from(path, 'utf8');
  if (p.length >= SUN_LEN - 2) throw new Error(`UNIX socket path '${path}' is too long (at most ${SUN_LEN - 3} bytes)`);
  const addr = Buffer.alloc(SUN_LEN);
  addr.writeUInt16LE(AF_UNIX, 0);
  p.copy(addr, 2);
  // A leading '@' names a Linux abstract socket (systemd's NOTIFY_SOCKET often is one):
  // its name starts with a NUL byte and its length counts no terminating NUL.
  const abstract = path.startsWith('@');
  if (abstract) addr[2] = 0;
  const alen = 2 + p.length + (abstract ? 0 : 1);
  const c = libcDgram();
  if (!c) throw new Error(`cannot create a UNIX datagram socket for '${path}' (libc could not be loaded through koffi)`);
  const fd = c.open(AF_UNIX);
  if (fd < 0) throw new Error(`cannot create a UNIX datagram socket for '${path}' (errno ${c.errno()})`);
  return batchedDgramSink(c, fd, addr.subarray(0, alen), counters);
}
