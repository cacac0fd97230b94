/**
 * Log lines for one UDP destination, gathered for a moment and sent in one sendmmsg(2).
 *
 * Why: a datagram handed over alone costs a system call, a koffi call and a Node Buffer;
 * the kernel's own work per datagram (route, skb, loopback or NIC) is the part nobody can
 * save. So lines are written straight from their string into one block of native memory
 * (no Buffer per line), described by a preallocated array of struct mmsghdr/iovec (only
 * each line's offset and length are written per line), and the whole batch goes in one
 * call when the caller flushes (udp-ffi.ts: 1 ms after the first line; measured by bench/micro/log-line.ts).
 *
 * Bounds: at most MAX_LINES lines and MAX_BYTES bytes wait. A line that does not fit makes
 * the waiting batch leave at once, so memory is fixed and nothing is dropped for being
 * early; lines are dropped (and counted, HAProxy's DroppedLogs) only when the kernel
 * refuses them (EAGAIN: the socket's send buffer is full). Other errors are counted and
 * cost only the line that caused them. Order is kept.
 *
 * When libc lacks sendmmsg or native memory cannot be viewed, the same batch leaves as
 * one sendto() per line from an ordinary Buffer.
 *
 * Layout on x86-64/aarch64 Linux (LP64): struct iovec { void *base; size_t len } is 16
 * bytes; struct mmsghdr { struct msghdr (56 bytes: name, namelen, iov, iovlen, control,
 * controllen, flags); unsigned msg_len } is 64.
 */
import { EAGAIN, type DgramCounters, type LibcDgram, type NativeBlock } from './libc-dgram.ts';
import type { LineMemory, LogSink } from './sinks.ts';

export const MAX_LINES = 256;
/** Larger than the longest line a `len` allows (65535), so any line fits an empty batch. */
export const MAX_BYTES = 128 * 1024;

const MMSG = 64;
const IOV = 16;
const ADDR = 128; // room for any sockaddr, aligned
const TWO32 = 4294967296;

/**
 * Also a LineMemory (lines written in place, line-bytes.ts): reserve() flushes first when
 * the line might not fit, and returns -1 once the batch is closed or when `maxLen`
 * exceeds the batch.
 */
export interface DgramBatch extends LineMemory {
  /** Queues `line` cut to `maxLen` bytes (last byte '\n', as truncateLine()). */
  addText(line: string, maxLen: number): void;
  /** Queues a whole line. */
  add(line: Uint8Array): void;
  /** Lines waiting. */
  readonly size: number;
  /** Sends what waits (now). */
  flush(): void;
  /** Flushes, then releases the memory; later calls do nothing. */
  close(): void;
}

/**
 * A batch sending to socket address `addr` through `fd` (owned by the caller, which must
 * not close it before close()). `onFirst` is called when a line joins an empty batch
 * (the caller schedules flush()). `limits` (tests) replaces MAX_LINES and MAX_BYTES.
 */
export function createDgramBatch(
  c: LibcDgram, fd: number, addr: Uint8Array, counters: DgramCounters, onFirst: () => void,
  limits: { lines: number; bytes: number } = { lines: MAX_LINES, bytes: MAX_BYTES },
): DgramBatch {
  const MAX_LINES = limits.lines;
  const MAX_BYTES = limits.bytes;
  const hdrBytes = ADDR + MAX_LINES * (MMSG + IOV);
  const block: NativeBlock | null = c.sendmmsg ? c.alloc(hdrBytes + MAX_BYTES) : null;
  const mem = block ? block.bytes : Buffer.allocUnsafeSlow(hdrBytes + MAX_BYTES);
  const dataStart = hdrBytes;
  const mmStart = ADDR;
  const iovStart = ADDR + MAX_LINES * MMSG;
  /** iov words: [base lo, base hi, len lo, len hi] per line. */
  const iov = new Uint32Array(mem.buffer, mem.byteOffset + iovStart, MAX_LINES * 4);
  /** Offsets and lengths of the waiting lines (for the sendto fallback). */
  const offs = new Uint32Array(MAX_LINES);
  const lens = new Uint32Array(MAX_LINES);
  const base = block ? Number(block.address) : 0;
  const mmAddr = block ? block.address + BigInt(mmStart) : 0n;
  const addrBuf = mem.subarray(0, addr.length);
  mem.set(addr, 0);
  if (block) {
    const w64 = (o: number, v: number): void => { mem.writeUInt32LE(v >>> 0, o); mem.writeUInt32LE((v / TWO32) >>> 0, o + 4); };
    mem.fill(0, mmStart, dataStart);
    for (let i = 0; i < MAX_LINES; i++) {
      const m = mmStart + i * MMSG;
      w64(m, base); // msg_name
      mem.writeUInt32LE(addr.length, m + 8); // msg_namelen
      w64(m + 16, base + iovStart + i * IOV); // msg_iov
      w64(m + 24, 1); // msg_iovlen
    }
  }
  let count = 0;
  let used = 0;
  let closed = false;

  const commit = (off: number, len: number): void => {
    offs[count] = off;
    lens[count] = len;
    if (block) {
      const a = base + dataStart + off;
      const w = count * 4;
      iov[w] = a >>> 0;
      iov[w + 1] = (a / TWO32) >>> 0;
      iov[w + 2] = len;
      iov[w + 3] = 0;
    }
    used = off + len;
    if (++count === 1) onFirst();
  };

  /** Room for `len` more bytes (and one more line), flushing first if needed. */
  const room = (len: number): void => {
    if (count >= MAX_LINES || used + len > MAX_BYTES) flush();
  };

  const sendEach = (n: number): void => {
    for (let i = 0; i < n; i++) c.send(fd, mem.subarray(dataStart + offs[i]!, dataStart + offs[i]! + lens[i]!), addrBuf, addr.length, counters);
  };

  function flush(): void {
    const n = count;
    count = 0;
    used = 0;
    if (n === 0 || closed) return;
    if (!block || !c.sendmmsg) { sendEach(n); return; }
    let i = 0;
    while (i < n) {
      const k = c.sendmmsg(fd, i === 0 ? mmAddr : mmAddr + BigInt(i * MMSG), n - i);
      if (k > 0) { counters.sent += k; i += k; continue; }
      if (c.errno() === EAGAIN) { counters.dropped += n - i; break; }
      counters.errors++; // this datagram only; the rest may still go
      i++;
    }
  }

  return {
    addText(line: string, maxLen: number): void {
      if (closed) return;
      // Most lines are short: at most 3 bytes per UTF-16 unit, so when that much room is
      // left the line fits as it is and needs no cut, and its size need not be measured.
      const worst = line.length * 3;
      if (worst <= maxLen && used + worst <= MAX_BYTES && count < MAX_LINES) {
        commit(used, mem.write(line, dataStart + used, worst, 'utf8'));
        return;
      }
      const len = Buffer.byteLength(line, 'utf8');
      const n = len > maxLen ? maxLen : len;
      if (n > MAX_BYTES) { counters.errors++; return; } // only with test limits
      room(n);
      if (len <= maxLen) {
        commit(used, mem.write(line, dataStart + used, n, 'utf8'));
        return;
      }
      // Cut at maxLen bytes, possibly inside a character, as truncateLine() does.
      const b = Buffer.from(line, 'utf8');
      mem.set(b.subarray(0, maxLen), dataStart + used);
      mem[dataStart + used + maxLen - 1] = 0x0a;
      commit(used, maxLen);
    },
    add(line: Uint8Array): void {
      if (closed) return;
      if (line.length > MAX_BYTES) { counters.errors++; return; }
      room(line.length);
      mem.set(line, dataStart + used);
      commit(used, line.length);
    },
    mem,
    reserve(maxLen: number): number {
      if (closed || maxLen > MAX_BYTES) return -1;
      room(maxLen);
      return dataStart + used;
    },
    commit(len: number): void {
      commit(used, len);
    },
    get size() { return count; },
    flush,
    close(): void {
      if (closed) return;
      flush();
      closed = true;
      block?.free();
    },
  };
}

/** How long the first line of a batch may wait for others (ms): log latency traded for system calls. */
const FLUSH_MS = 1;

/**
 * A log sink over a batch: lines leave together in one sendmmsg() FLUSH_MS after the
 * first of them, or at once when the batch is full. An event-loop turn ends anything
 * from one request (few clients) to a few dozen (24 on average with 50 busy clients,
 * measured on bench/e2e/log-cost.ts's load), so flushing per turn would cost a system call
 * per line or two at light load; the receiver (often idle on another CPU) is woken once
 * per burst, and no system call sits on a request's path. The timer does not keep the process alive; close()
 * flushes, then closes `fd` (the sink owns it from now on).
 */
export function batchedDgramSink(c: LibcDgram, fd: number, addr: Uint8Array, counters: DgramCounters): LogSink {
  let open = true;
  const batch = createDgramBatch(c, fd, addr, counters, () => setTimeout(batch.flush, FLUSH_MS).unref());
  return {
    send(line: Buffer): void {
      batch.add(line);
    },
    sendText(line: string, maxLen: number): void {
      batch.addText(line, maxLen);
    },
    lines: batch,
    close(): void {
      if (!open) return;
      open = false;
      batch.close();
      c.close(fd);
    },
  };
}
