// bench/e2e/unix-sink.ts — a local syslog socket (`log /dev/log`-style, AF_UNIX SOCK_DGRAM)
// that reads like a syslog daemon and costs the proxy's CPU nothing.
// Contract: `openUnixSink(path, cpu)` starts a reader process pinned to `cpu` (taskset) that
// binds `path` and, every 2 ms, drains what arrived (non-blocking recv until EAGAIN);
// take() resolves to the datagrams read since the last take(); close() stops the reader
// and removes the socket file.
// Why a reader, unlike udp-sink.ts: the kernel refuses a datagram to a UNIX socket whose
// queue is full before doing any work (EAGAIN), so an unread socket would make logging look
// free; read, every datagram costs the sender its whole send path. Why draining on a timer:
// a reader blocked in recv() would be woken for every line and charge those wakeups to
// the CPU it shares with wrk and nginx; with 2 ms naps it is woken 500 times a second.
// A UNIX datagram socket queues at most net.unix.max_dgram_qlen datagrams, fixed when it is
// made: the kernel's default is 10, systemd sets 512 for /dev/log's sake
// (sysctl.d/50-default.conf); the reader's socket is made under 512 (the sysctl is set for
// that moment and restored; root only). It runs SCHED_FIFO when allowed (chrt): 512 lines
// are ~20 ms at full load, and a reader queued behind wrk and nginx for longer would let
// lines be refused — which costs the sender nothing and would flatter it. take() reports
// the count so a lossy round shows.
// The same file is the reader (run as a script with PATH as its argument).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AF_UNIX, MSG_DONTWAIT, SOCK_DGRAM, SOCK_NONBLOCK, errno, libcFunc, sockaddrUn } from '../../src/shared/libc.ts';

export interface UnixSink {
  readonly path: string;
  take(): Promise<number>;
  close(): void;
}

/** The reader: binds `path`, drains every 2 ms, answers "count" on stdin lines with the datagrams read since the last answer. */
function reader(path: string): void {
  const socket = libcFunc('int socket(int domain, int type, int protocol)');
  const bind = libcFunc('int bind(int fd, const void *addr, unsigned int len)');
  const recv = libcFunc('long recv(int fd, void *buf, unsigned long len, int flags)');
  const fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0) as number;
  const sa = sockaddrUn(path);
  if (fd < 0 || sa === null || (bind(fd, sa.addr, sa.len) as number) < 0) {
    process.stderr.write(`unix-sink: cannot bind ${path} (errno ${errno()})\n`);
    process.exit(1);
  }
  const buf = Buffer.alloc(65536);
  let n = 0;
  setInterval(() => { while ((recv(fd, buf, buf.length, MSG_DONTWAIT) as number) >= 0) n++; }, 2);
  process.stdout.write('ready\n');
  process.stdin.on('data', () => { process.stdout.write(`${n}\n`); n = 0; });
}

const QLEN = '/proc/sys/net/unix/max_dgram_qlen';

export async function openUnixSink(path: string, cpu: string): Promise<UnixSink> {
  let saved: string | null = null;
  try {
    saved = readFileSync(QLEN, 'utf8').trim();
    if (Number(saved) < 512) writeFileSync(QLEN, '512');
    else saved = null;
  } catch {
    saved = null; // not root: the default queue; rounds may show lost lines
  }
  try {
    return await startReader(path, cpu);
  } finally {
    if (saved !== null) writeFileSync(QLEN, saved);
  }
}

async function startReader(path: string, cpu: string): Promise<UnixSink> {
  const pinned = ['taskset', '-c', cpu, process.execPath, fileURLToPath(import.meta.url), path];
  const fifo = process.getuid?.() === 0 && spawnSync('chrt', ['-f', '10', 'true']).status === 0;
  const argv = fifo ? ['chrt', '-f', '10', ...pinned] : pinned;
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let waiter: (() => void) | null = null;
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    rest += d.toString();
    const parts = rest.split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
    waiter?.();
  });
  const next = async (): Promise<string> => {
    for (let i = 0; lines.length === 0; i++) {
      if (child.exitCode !== null || i > 100) throw new Error(`unix-sink: the reader for ${path} is not answering`);
      await new Promise<void>((r) => { waiter = r; setTimeout(r, 50); });
    }
    return lines.shift()!;
  };
  if ((await next()) !== 'ready' || !existsSync(path)) throw new Error(`unix-sink: the reader did not bind ${path}`);
  return {
    path,
    async take(): Promise<number> {
      await new Promise((r) => setTimeout(r, 10)); // one more drain
      child.stdin!.write('count\n');
      return Number(await next());
    },
    close(): void {
      child.kill();
      rmSync(path, { force: true });
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) reader(process.argv[2]!);
