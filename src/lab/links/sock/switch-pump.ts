/**
 * The switch pump: one worker thread running every `sock-switch` lan of the relay — the
 * same C-style loop as the cable pump (pump.ts): ppoll() on {wake eventfd, every port's
 * TAP}, non-blocking reads until EAGAIN (bounded batch), a forwarding decision per frame
 * (switch-table.ts), writes to one port or a flood to all others. Ports are TAPs with
 * vnet headers and offloads on (every port speaks the same format, so frames — GSO
 * super-frames included — pass through unchanged).
 *
 * Per port counters (shared Float64Array, PORT_SLOT): frames/bytes in and out, frames
 * flooded, drops (port cut, write error). A cut port drops what it reads and receives
 * nothing; its MACs are forgotten. Capture tap: per switch, a pcap of every frame that
 * enters the switch (flushed every 200 ms). Commands arrive on a MessagePort, drained
 * when the main thread bumps the eventfd; once `port-del` is acknowledged the pump never
 * touches that fd again.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { libc, EAGAIN, EINTR, POLLIN, errnoName } from './libc.ts';
import { PcapWriter } from './pcap.ts';
import { MacTable, macKey } from './switch-table.ts';

export const PORT_SLOT = { rxFrames: 0, rxBytes: 1, txFrames: 2, txBytes: 3, flooded: 4, dropCut: 5, dropError: 6 } as const;
export const PORT_SLOTS = 8;

export type SwitchInit = { wakeFd: number; port: MessagePort };

export type SwitchCommand =
  | { id: number; op: 'switch-add'; name: string; agingMs: number }
  | { id: number; op: 'switch-del'; name: string }
  | { id: number; op: 'port-add'; sw: string; key: string; fd: number; hdr: number; counters: SharedArrayBuffer }
  | { id: number; op: 'port-del'; key: string }
  | { id: number; op: 'port-cut'; key: string }
  | { id: number; op: 'port-restore'; key: string }
  | { id: number; op: 'capture'; name: string; path: string | null }
  | { id: number; op: 'macs'; name: string }
  | { id: number; op: 'stop' };

export type SwitchEvent =
  | { id: number; ok: true; macs?: [string, string, number][] }
  | { id: number; ok: false; error: string }
  | { id: -1; dead: string; reason: string };

type Port = { key: string; fd: number; hdr: number; cnt: Float64Array; up: boolean; sw: Sw; dead: boolean };
type Sw = { name: string; ports: Port[]; table: MacTable<Port>; pcap: PcapWriter | null; lastFlush: number };

const BATCH = 256;
const BUF = 65536 + 64;
const POLLERR = 0x8;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;
const FLUSH_MS = 200;
const SWEEP_MS = 1000;

export function runSwitchPump(init: SwitchInit): void {
  const c = libc();
  const switches = new Map<string, Sw>();
  const ports = new Map<string, Port>();
  const buf = Buffer.allocUnsafe(BUF);
  const wakeBuf = Buffer.alloc(8);
  const epoch0 = performance.timeOrigin;
  let pfd = Buffer.alloc(8);
  let polled: Port[] = [];
  let running = true;
  let needRebuild = false;
  let lastSweep = 0;

  const rebuild = (): void => {
    polled = [...ports.values()].filter((p) => !p.dead);
    pfd = Buffer.alloc(8 * (1 + polled.length));
    pfd.writeInt32LE(init.wakeFd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    polled.forEach((p, i) => {
      pfd.writeInt32LE(p.fd, (i + 1) * 8);
      pfd.writeInt16LE(POLLIN, (i + 1) * 8 + 4);
    });
  };

  const markDead = (p: Port, reason: string): void => {
    if (p.dead) return;
    p.dead = true;
    needRebuild = true;
    p.sw.table.forget(p);
    init.port.postMessage({ id: -1, dead: p.key, reason } satisfies SwitchEvent);
  };

  const send = (p: Port, len: number): void => {
    if (!p.up || p.dead) return;
    if (c.write(p.fd, buf, len) < 0) {
      p.cnt[PORT_SLOT.dropError]!++;
      return;
    }
    p.cnt[PORT_SLOT.txFrames]!++;
    p.cnt[PORT_SLOT.txBytes]! += len - p.hdr;
  };

  const forward = (p: Port, len: number, now: number): void => {
    const cnt = p.cnt;
    cnt[PORT_SLOT.rxFrames]!++;
    cnt[PORT_SLOT.rxBytes]! += len - p.hdr;
    if (!p.up) {
      cnt[PORT_SLOT.dropCut]!++;
      return;
    }
    const sw = p.sw;
    if (sw.pcap) sw.pcap.write(buf, p.hdr, len, epoch0 + now);
    if (len - p.hdr < 14) return;
    sw.table.learn(macKey(buf, p.hdr + 6), p, now);
    const d = sw.table.decide(macKey(buf, p.hdr), p, now);
    if (!d.flood) {
      if (d.port) send(d.port, len);
      return;
    }
    cnt[PORT_SLOT.flooded]!++;
    for (const q of sw.ports) if (q !== p) send(q, len);
  };

  const pump = (p: Port): void => {
    for (let i = 0; i < BATCH; i++) {
      const n = c.read(p.fd, buf, BUF);
      if (n < 0) {
        const e = c.errno();
        if (e !== EAGAIN && e !== EINTR) markDead(p, `read: ${errnoName(e)}`);
        return;
      }
      if (n <= p.hdr) continue;
      forward(p, n, performance.now());
    }
  };

  const sw = (name: string): Sw => {
    const s = switches.get(name);
    if (!s) throw new Error(`no switch ${name} in the switch pump`);
    return s;
  };
  const port = (key: string): Port => {
    const p = ports.get(key);
    if (!p) throw new Error(`no port ${key} in the switch pump`);
    return p;
  };
  const removePort = (p: Port): void => {
    ports.delete(p.key);
    p.sw.ports = p.sw.ports.filter((q) => q !== p);
    p.sw.table.forget(p);
  };

  const command = (m: SwitchCommand): void => {
    let reply: SwitchEvent = { id: m.id, ok: true };
    try {
      switch (m.op) {
        case 'switch-add':
          if (switches.has(m.name)) throw new Error(`switch ${m.name} exists`);
          switches.set(m.name, { name: m.name, ports: [], table: new MacTable<Port>(m.agingMs), pcap: null, lastFlush: 0 });
          break;
        case 'switch-del': {
          const s = sw(m.name);
          for (const p of s.ports) removePort(p);
          s.pcap?.close();
          switches.delete(m.name);
          rebuild();
          break;
        }
        case 'port-add': {
          const s = sw(m.sw);
          const p: Port = { key: m.key, fd: m.fd, hdr: m.hdr, cnt: new Float64Array(m.counters), up: true, sw: s, dead: false };
          ports.set(m.key, p);
          s.ports.push(p);
          rebuild();
          break;
        }
        case 'port-del': {
          const p = ports.get(m.key);
          if (p) removePort(p);
          rebuild();
          break;
        }
        case 'port-cut': {
          const p = port(m.key);
          p.up = false;
          p.sw.table.forget(p);
          break;
        }
        case 'port-restore':
          port(m.key).up = true;
          break;
        case 'capture': {
          const s = sw(m.name);
          s.pcap?.close();
          s.pcap = m.path ? new PcapWriter(m.path) : null;
          s.lastFlush = performance.now();
          break;
        }
        case 'macs': {
          reply = { id: m.id, ok: true, macs: sw(m.name).table.dump(performance.now(), (p) => p.key) };
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

  const ts = Buffer.alloc(16);
  rebuild();
  while (running) {
    const now = performance.now();
    let next = now + SWEEP_MS;
    if (now - lastSweep >= SWEEP_MS) {
      for (const s of switches.values()) s.table.sweep(now);
      lastSweep = now;
    }
    for (const s of switches.values()) {
      if (!s.pcap?.pending) continue;
      if (now - s.lastFlush >= FLUSH_MS) {
        s.pcap.flush();
        s.lastFlush = now;
      } else next = Math.min(next, s.lastFlush + FLUSH_MS);
    }
    const ms = Math.max(0, next - now);
    ts.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
    ts.writeBigInt64LE(BigInt(Math.floor((ms % 1000) * 1e6)), 8);
    const r = c.ppoll(pfd, 1 + polled.length, ts, null);
    if (r < 0) {
      const e = c.errno();
      if (e === EINTR) continue;
      throw new Error(`ppoll: ${errnoName(e)}`);
    }
    if (r === 0) continue;
    const list = polled;
    const ev = pfd;
    if (ev.readInt16LE(6) & POLLIN) {
      c.read(init.wakeFd, wakeBuf, 8);
      for (let m = receiveMessageOnPort(init.port); m; m = receiveMessageOnPort(init.port)) command(m.message as SwitchCommand);
      if (!running) break;
    }
    for (let i = 0; i < list.length; i++) {
      const rev = ev.readInt16LE((i + 1) * 8 + 6);
      if (rev === 0) continue;
      const p = list[i]!;
      if (p.dead || ports.get(p.key) !== p) continue;
      if (rev & POLLNVAL) markDead(p, 'fd closed');
      else pump(p);
      if (!p.dead && rev & (POLLERR | POLLHUP)) markDead(p, 'TAP error');
    }
    if (needRebuild) {
      needRebuild = false;
      rebuild();
    }
  }
  for (const s of switches.values()) s.pcap?.close();
}
