// bench/e2e/udp-sink.ts — a UDP syslog target that costs the machine nothing: a socket bound
// on 127.0.0.1 that nobody reads.
// Contract: openUdpSink() binds it (libc through koffi: Node's dgram always reads) and returns
// its port; take() says how many datagrams arrived since the last take(): those the kernel
// dropped because the socket's receive buffer was full (the socket's `drops` in
// /proc/net/udp) plus those still queued, which it then drains (recv, MSG_DONTWAIT) — call it
// between measurements, not during. close() closes the socket.
// Why: a sink that reads shares the two CPUs with wrk, nginx and the proxy, and its wakeups
// and reads are charged to whoever runs next to it. Here the sender still pays its whole send
// path, the loopback delivery included (the kernel drops a datagram only when it reaches the
// full socket), as it would for a syslog server on another host; nothing else runs.
import { readFileSync } from 'node:fs';
import { AF_INET, MSG_DONTWAIT, SOCK_DGRAM, SOCK_NONBLOCK, errno, libcFunc } from '../../src/shared/libc.ts';

export interface UdpSink {
  readonly port: number;
  take(): number;
  close(): void;
}

/** The socket's drop counter, from /proc/net/udp (the row whose local address is 127.0.0.1:port). */
function drops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const row of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = row.trim().split(/\s+/);
    if (f[1] === local) return Number(f[f.length - 1]);
  }
  throw new Error(`udp-sink: 127.0.0.1:${port} is not in /proc/net/udp`);
}

export function openUdpSink(): UdpSink {
  const socket = libcFunc('int socket(int domain, int type, int protocol)');
  const bind = libcFunc('int bind(int fd, const void *addr, unsigned int len)');
  const getsockname = libcFunc('int getsockname(int fd, void *addr, void *alen)');
  const recv = libcFunc('long recv(int fd, void *buf, unsigned long len, int flags)');
  const close = libcFunc('int close(int fd)');
  const fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0) as number;
  if (fd < 0) throw new Error(`udp-sink: socket() failed (errno ${errno()})`);
  const addr = Buffer.alloc(16);
  addr.writeUInt16LE(AF_INET, 0);
  addr.set([127, 0, 0, 1], 4);
  if ((bind(fd, addr, 16) as number) < 0) throw new Error(`udp-sink: bind() failed (errno ${errno()})`);
  const alen = Buffer.alloc(4);
  alen.writeUInt32LE(16);
  if ((getsockname(fd, addr, alen) as number) < 0) throw new Error(`udp-sink: getsockname() failed (errno ${errno()})`);
  const port = addr.readUInt16BE(2);
  const buf = Buffer.alloc(65536);
  let dropped = drops(port);
  return {
    port,
    take(): number {
      const d = drops(port);
      let n = d - dropped;
      dropped = d;
      while ((recv(fd, buf, buf.length, MSG_DONTWAIT) as number) >= 0) n++;
      return n;
    },
    close: () => { close(fd); },
  };
}
