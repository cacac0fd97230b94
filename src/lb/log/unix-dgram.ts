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
import { SUN_LEN, sockaddrUn } from '../../shared/libc.ts';

/** Opens the sink. Throws when the path cannot be a socket address or no socket can be made. */
export function openUnixDgram(path: string, counters: DgramCounters): LogSink {
  // A leading '@' names a Linux abstract socket (see sockaddrUn()).
  const sa = sockaddrUn(path, true);
  if (sa === null) throw new Error(`UNIX socket path '${path}' is too long (at most ${SUN_LEN - 3} bytes)`);
  const c = libcDgram();
  if (!c) throw new Error(`cannot create a UNIX datagram socket for '${path}' (libc could not be loaded through koffi)`);
  const fd = c.open(AF_UNIX);
  if (fd < 0) throw new Error(`cannot create a UNIX datagram socket for '${path}' (errno ${c.errno()})`);
  return batchedDgramSink(c, fd, sa.addr.subarray(0, sa.len), counters);
}
