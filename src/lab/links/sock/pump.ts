/**
 * The frame pump: one thread moving frames between the TAP pairs of every cable of the
 * relay, applying each direction's impairment. It is a small C-style event loop over libc
 * calls (koffi): ppoll() on {wake eventfd, tap a₁, tap b₁, tap a₂, …} with a nanosecond
 * timeout equal to the earliest due time of all delay/rate FIFOs, then non-blocking
 * read()s until EAGAIN (bounded batch), then write()s. Blocking in ppoll is why it lives
 * in a worker thread: the relay's main thread stays free for the control socket.
 *
 * Commands arrive on a MessagePort and are drained synchronously (receiveMessageOnPort)
 * whenever the main thread bumps the eventfd, so a command never waits for traffic.
 * Contract for `del`: once acknowledged, the pump never touches that cable's fds again,
 * so the main thread may close them (no fd-number reuse race). Counters go to each
 * cable's shared Float64Array (counters.ts); the passthrough path allocates nothing per
 * frame (the read buffer is written back out as is).
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { libc, EAGAIN, EINTR, POLLIN, errnoName } from './libc.ts';
import { DirEngine, corruptFrame } from './impair.ts';
import { FrameFifo, FramePool } from './fifo.ts';
import { PcapWriter } from './pcap.ts';
import { SLOT, dirBase } from './counters.ts';
import type { Dir, Impairment } from './types.ts';

export type PumpInit = { wakeFd: number; port: MessagePort };

export type PumpCable = {
  key: string;
  fdA: number;
  fdB: number;
  /** Bytes of virtio_net_hdr before each frame (0 or 10). */
  hdr: number;
  counters: SharedArrayBuffer;
  impairment: { ab: Impairment; ba: Impairment };
};

export type PumpCommand =
  | { id: number; op: 'add'; cable: PumpCable }
  | { id: number; op: 'del'; key: string }
  | { id: number; op: 'set'; key: string; dir: Dir; impairment: Impairment }
  | { id: number; op: 'cut'; key: string }
  | { id: number; op: 'restore'; key: string }
  | { id: number; op: 'capture'; key: string; path: string | null }
  | { id: number; op: 'stop' };

/** Replies carry the command id; `dead` reports a cable whose TAP vanished (id -1). */
export type PumpEvent = { id: number; ok: true } | { id: number; ok: false; error: string } | { id: -1; dead: string; reason: string };

const BATCH = 256;
const BUF = 65536 + 64;
/** Wake this early and poll with a zero timeout for the rest: the VM's timer wake-up
 *  costs ~0.2 ms (tails of several ms), more than the precision budget allows per hop. */
const SPIN_MS = 0.3;
const POLLERR = 0x8;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;
const FLUSH_MS = 200;

type Side = {
  dir: Dir;
  src: number;
  dst: number;
  base: number;
  eng: DirEngine;
  fifo: FrameFifo;
};

type Cable = {
  key: string;
  hdr: number;
  cnt: Float64Array;
  sides: [Side, Side];
  cut: boolean;
  pcap: PcapWriter | null;
  lastFlush: number;
  dead: boolean;
};

export function runPump(init: PumpInit): void {
  const c = libc();
  const cables = new Map<string, Cable>();
  const buf = Buffer.allocUnsafe(BUF);
  const pool = new FramePool();
  const wakeBuf = Buffer.alloc(8);
  const ts = Buffer.alloc(16);
  const epoch0 = performance.timeOrigin;
  let running = true;
  let needRebuild = false;
  // pollfd array: slot 0 = wake fd, then a/b of each live cable, in `polled` order.
  let pfd = Buffer.alloc(8);
  let polled: Side[] = [];
  let owners: Cable[] = [];

  const rebuild = (): void => {
    const live = [...cables.values()].filter((k) => !k.dead);
    polled = live.flatMap((k) => k.sides);
    owners = live.flatMap((k) => [k, k]);
    pfd = Buffer.alloc(8 * (1 + polled.length));
    pfd.writeInt32LE(init.wakeFd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    polled.forEach((s, i) => {
      pfd.writeInt32LE(s.src, (i + 1) * 8);
      pfd.writeInt16LE(POLLIN, (i + 1) * 8 + 4);
    });
  };

  const deliver = (k: Cable, s: Side, frame: Buffer, len: number): void => {
    const cnt = k.cnt;
    if (c.write(s.dst, frame, len) < 0) {
      cnt[s.base + SLOT.dropError]!++;
      return;
    }
    cnt[s.base + SLOT.txFrames]!++;
    cnt[s.base + SLOT.txBytes]! += len - k.hdr;
    if (k.pcap) k.pcap.write(frame, k.hdr, len, epoch0 + performance.now());
  };

  const release = (k: Cable, s: Side, now: number): void => {
    const f = s.fifo;
    // 20 µs early is indistinguishable from on time and saves a near-zero ppoll.
    while (f.length > 0 && f.nextDue() <= now + 0.02) {
      const len = f.headLen();
      const fr = f.shift();
      deliver(k, s, fr, len);
      pool.release(fr);
    }
    k.cnt[s.base + SLOT.queued] = f.length;
  };

  const ingest = (k: Cable, s: Side, len: number, now: number): void => {
    const cnt = k.cnt;
    const hdr = k.hdr;
    cnt[s.base + SLOT.rxFrames]!++;
    cnt[s.base + SLOT.rxBytes]! += len - hdr;
    if (k.cut) {
      cnt[s.base + SLOT.dropCut]!++;
      return;
    }
    const eng = s.eng;
    if (eng.passthrough) {
      deliver(k, s, buf, len);
      return;
    }
    const v = eng.verdict();
    if (v.copies === 0) {
      cnt[s.base + SLOT.dropLoss]!++;
      return;
    }
    if (v.corrupt) {
      // A frame whose checksum the kernel left to complete would hide the damage:
      // clear NEEDS_CSUM so the receiver verifies a (now wrong) checksum.
      if (hdr) buf[0] = (buf[0] ?? 0) & ~1;
      corruptFrame(buf, hdr, len);
      cnt[s.base + SLOT.corrupted]!++;
    }
    if (v.copies === 2) cnt[s.base + SLOT.duplicated]!++;
    for (let n = 0; n < v.copies; n++) {
      if (!eng.timed) {
        deliver(k, s, buf, len);
        continue;
      }
      const due = eng.schedule(now, len - hdr);
      if (due < 0) {
        cnt[s.base + SLOT.dropQueue]!++;
        continue;
      }
      if (s.fifo.length === 0 && due <= now) deliver(k, s, buf, len);
      else s.fifo.push(due, pool.copy(buf, len), len);
    }
    cnt[s.base + SLOT.queued] = s.fifo.length;
  };

  const markDead = (k: Cable, reason: string): void => {
    if (k.dead) return;
    k.dead = true;
    needRebuild = true;
    k.pcap?.close();
    k.pcap = null;
    init.port.postMessage({ id: -1, dead: k.key, reason } satisfies PumpEvent);
  };

  /** Read until EAGAIN or a batch. */
  const pump = (k: Cable, s: Side): void => {
    for (let i = 0; i < BATCH; i++) {
      const n = c.read(s.src, buf, BUF);
      if (n < 0) {
        const e = c.errno();
        if (e !== EAGAIN && e !== EINTR) markDead(k, `read ${s.dir}: ${errnoName(e)}`);
        return;
      }
      if (n <= k.hdr) continue;
      ingest(k, s, n, performance.now());
    }
  };

  const mkSide = (dir: Dir, src: number, dst: number, imp: Impairment): Side => {
    const eng = new DirEngine();
    eng.set(imp);
    return { dir, src, dst, base: dirBase(dir), eng, fifo: new FrameFifo() };
  };

  const get = (key: string): Cable => {
    const k = cables.get(key);
    if (!k) throw new Error(`no cable ${key} in the pump`);
    return k;
  };

  const command = (m: PumpCommand): void => {
    let reply: PumpEvent = { id: m.id, ok: true };
    try {
      switch (m.op) {
        case 'add': {
          const p = m.cable;
          cables.set(p.key, {
            key: p.key,
            hdr: p.hdr,
            cnt: new Float64Array(p.counters),
            sides: [mkSide('ab', p.fdA, p.fdB, p.impairment.ab), mkSide('ba', p.fdB, p.fdA, p.impairment.ba)],
            cut: false,
            pcap: null,
            lastFlush: 0,
            dead: false,
          });
          rebuild();
          break;
        }
        case 'del': {
          const k = cables.get(m.key);
          k?.pcap?.close();
          cables.delete(m.key);
          rebuild();
          break;
        }
        case 'set': {
          const k = get(m.key);
          k.sides[m.dir === 'ab' ? 0 : 1].eng.set(m.impairment);
          break;
        }
        case 'cut': {
          const k = get(m.key);
          k.cut = true;
          for (const s of k.sides) {
            k.cnt[s.base + SLOT.dropCut]! += s.fifo.clear();
            k.cnt[s.base + SLOT.queued] = 0;
            s.eng.reset();
          }
          break;
        }
        case 'restore':
          get(m.key).cut = false;
          break;
        case 'capture': {
          const k = get(m.key);
          k.pcap?.close();
          k.pcap = null;
          if (m.path) k.pcap = new PcapWriter(m.path);
          k.lastFlush = performance.now();
          break;
        }
        case 'stop':
          running = false;
          break;
      }
    } catch (e) {
      reply = { id: m.id, ok: false, error: (e as Error).message };
    }
    init.port.postMessage(reply);
  };

  rebuild();
  while (running) {
    const now = performance.now();
    let next = Infinity;
    for (const k of cables.values()) {
      if (k.dead) continue;
      for (const s of k.sides) {
        if (s.fifo.length > 0) release(k, s, now);
        next = Math.min(next, s.fifo.nextDue());
      }
      if (k.pcap?.pending) {
        if (now - k.lastFlush >= FLUSH_MS) {
          k.pcap.flush();
          k.lastFlush = now;
        } else next = Math.min(next, k.lastFlush + FLUSH_MS);
      }
    }
    let tsArg: Buffer | null = null;
    if (next !== Infinity) {
      const ms = Math.max(0, next - now - SPIN_MS);
      const sec = Math.floor(ms / 1000);
      ts.writeBigInt64LE(BigInt(sec), 0);
      ts.writeBigInt64LE(BigInt(Math.floor((ms - sec * 1000) * 1e6)), 8);
      tsArg = ts;
    }
    const nfds = 1 + polled.length;
    const r = c.ppoll(pfd, nfds, tsArg, null);
    if (r < 0) {
      const e = c.errno();
      if (e === EINTR) continue;
      throw new Error(`ppoll: ${errnoName(e)}`);
    }
    if (r === 0) continue;
    // Snapshot this round's sockets: a command below may rebuild the arrays.
    const sides = polled;
    const who = owners;
    const ev = pfd;
    if (ev.readInt16LE(6) & POLLIN) {
      c.read(init.wakeFd, wakeBuf, 8);
      for (let m = receiveMessageOnPort(init.port); m; m = receiveMessageOnPort(init.port)) {
        command(m.message as PumpCommand);
      }
      if (!running) break;
    }
    for (let i = 0; i < sides.length; i++) {
      const rev = ev.readInt16LE((i + 1) * 8 + 6);
      if (rev === 0) continue;
      const k = who[i]!;
      if (k.dead || cables.get(k.key) !== k) continue;
      if (rev & POLLNVAL) markDead(k, 'fd closed');
      else pump(k, sides[i]!);
      // A vanished TAP (namespace deleted) reports POLLERR and read() fails with EBADFD.
      if (!k.dead && rev & (POLLERR | POLLHUP)) markDead(k, 'TAP error');
    }
    if (needRebuild) {
      needRebuild = false;
      rebuild();
    }
  }
  for (const k of cables.values()) k.pcap?.close();
}
