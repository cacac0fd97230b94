/**
 * The relay's side of its `sock-switch` lans (main thread): the switch pump worker
 * (started with the first switch), the ports' TAPs (created like a cable's: in the
 * relay's namespace under a transient name, then moved, renamed, configured and brought
 * up in the node; non-persistent, so they die with the relay), carriers, counters, and
 * the control requests `switch-*` / `port-*` (types.ts). A port whose TAP vanishes
 * (namespace deleted) is dropped by itself.
 */
import { Worker, MessageChannel } from 'node:worker_threads';
import { SyError } from '../../../shared/errors.ts';
import { libc, EFD_CLOEXEC, EFD_NONBLOCK } from './libc.ts';
import { openTap, closeTap, setOffload, setCarrier, OFFLOADS_FAST, VNET_HDR_LEN, type Tap } from './tun.ts';
import { checkName, tempTapName } from './state.ts';
import { validateEnd, placeTap, setAdminUp } from './spec.ts';
import { DEFAULT_AGING_MS } from './switch-table.ts';
import { PORT_SLOT, PORT_SLOTS, type SwitchCommand, type SwitchEvent } from './switch-pump.ts';
import type { ControlReply, PortStats, SockEnd, SwitchRequest } from './types.ts';

type RelayPort = { key: string; sw: string; end: SockEnd; tap: Tap; view: Float64Array; up: boolean };
type RelaySwitch = { name: string; capture: string | null; captureOwner: number | null; agingMs: number };

/** Seq offset for port TAP names, apart from the cables' (state.ts tempTapName). */
const PORT_SEQ0 = 900_000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class SwitchHost {
  private readonly lab: string;
  private readonly log: (o: Record<string, unknown>) => void;
  private readonly onEmpty: () => void;
  private readonly switches = new Map<string, RelaySwitch>();
  private readonly ports = new Map<string, RelayPort>();
  private worker: Worker | null = null;
  private channel: MessageChannel | null = null;
  private wakeFd = -1;
  private readonly pending = new Map<number, (e: SwitchEvent) => void>();
  private nextId = 1;
  private seq = 0;

  constructor(lab: string, log: (o: Record<string, unknown>) => void, onEmpty: () => void) {
    this.lab = lab;
    this.log = log;
    this.onEmpty = onEmpty;
  }

  get size(): number {
    return this.switches.size + this.ports.size;
  }

  private start(): void {
    if (this.worker) return;
    const c = libc();
    this.wakeFd = c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    this.channel = new MessageChannel();
    const url = new URL(import.meta.url.endsWith('.ts') ? './switch-worker.ts' : './switch-worker.js', import.meta.url);
    this.worker = new Worker(url, { workerData: { wakeFd: this.wakeFd, port: this.channel.port2 }, transferList: [this.channel.port2] });
    this.worker.on('error', (e) => this.log({ event: 'switch-pump-error', error: String(e) }));
    this.channel.port1.on('message', (ev: SwitchEvent) => {
      if (ev.id === -1) {
        const key = 'dead' in ev ? ev.dead : '';
        this.log({ event: 'port-gone', port: key, reason: 'reason' in ev ? ev.reason : '' });
        this.send({ op: 'port-del', key }).then(() => {
          const p = this.ports.get(key);
          if (p) closeTap(p.tap);
          this.ports.delete(key);
        }, () => {});
        return;
      }
      const p = this.pending.get(ev.id);
      this.pending.delete(ev.id);
      p?.(ev);
    });
  }

  private send(cmd: DistributiveOmit<SwitchCommand, 'id'>): Promise<SwitchEvent> {
    if (!this.worker || !this.channel) return Promise.reject(new SyError('SY_ERR_SOCK_CONTROL', 'no switch pump'));
    const channel = this.channel;
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new SyError('SY_ERR_SOCK_CONTROL', `switch pump did not answer ${cmd.op}`));
      }, 5000);
      this.pending.set(id, (ev) => {
        clearTimeout(t);
        if ('ok' in ev && ev.ok) resolve(ev);
        else reject(new SyError('SY_ERR_SOCK_CONTROL', 'error' in ev ? ev.error : 'switch pump failed'));
      });
      channel.port1.postMessage({ ...cmd, id });
      const one = Buffer.alloc(8);
      one.writeBigUInt64LE(1n);
      libc().write(this.wakeFd, one, 8);
    });
  }

  private sw(name: unknown): RelaySwitch {
    const s = typeof name === 'string' ? this.switches.get(name) : undefined;
    if (!s) throw new SyError('SY_ERR_SOCK_NAME', `no sock switch ${JSON.stringify(name)} in lab ${this.lab}`);
    return s;
  }

  private port(key: unknown): RelayPort {
    const p = typeof key === 'string' ? this.ports.get(key) : undefined;
    if (!p) throw new SyError('SY_ERR_SOCK_NAME', `no sock switch port ${JSON.stringify(key)} in lab ${this.lab}`);
    return p;
  }

  private portStats(p: RelayPort): PortStats {
    const g = (s: number): number => p.view[s] ?? 0;
    return {
      port: p.key, switch: p.sw, up: p.up,
      rxFrames: g(PORT_SLOT.rxFrames), rxBytes: g(PORT_SLOT.rxBytes), txFrames: g(PORT_SLOT.txFrames), txBytes: g(PORT_SLOT.txBytes),
      flooded: g(PORT_SLOT.flooded), drops: { cut: g(PORT_SLOT.dropCut), error: g(PORT_SLOT.dropError) },
    };
  }

  /** Serve one switch/port control request. */
  async handle(req: SwitchRequest): Promise<{ reply: ControlReply; after?: () => void }> {
    switch (req.op) {
      case 'switch-add': {
        checkName('cable', req.switch);
        if (this.switches.has(req.switch)) throw new SyError('SY_ERR_SOCK_NAME', `sock switch ${req.switch} already exists in lab ${this.lab}`);
        const agingMs = req.agingMs ?? DEFAULT_AGING_MS;
        this.start();
        await this.send({ op: 'switch-add', name: req.switch, agingMs });
        this.switches.set(req.switch, { name: req.switch, capture: null, captureOwner: null, agingMs });
        this.log({ event: 'switch-added', switch: req.switch });
        return { reply: { ok: true, pid: process.pid } };
      }
      case 'switch-del': {
        this.sw(req.switch);
        await this.send({ op: 'switch-del', name: req.switch });
        for (const p of [...this.ports.values()].filter((x) => x.sw === req.switch)) {
          closeTap(p.tap);
          this.ports.delete(p.key);
        }
        this.switches.delete(req.switch);
        return { reply: { ok: true }, after: this.emptyAfter() };
      }
      case 'port-add': {
        checkName('cable', req.port);
        this.sw(req.switch);
        if (this.ports.has(req.port)) throw new SyError('SY_ERR_SOCK_NAME', `sock switch port ${req.port} already exists in lab ${this.lab}`);
        validateEnd(req.end, 'port');
        const tap = openTap(tempTapName(process.pid, PORT_SEQ0 + this.seq++, 'a'), true);
        try {
          setOffload(tap, OFFLOADS_FAST);
          placeTap(tap.name, req.end);
          tap.name = req.end.ifname;
          const counters = new SharedArrayBuffer(PORT_SLOTS * 8);
          await this.send({ op: 'port-add', sw: req.switch, key: req.port, fd: tap.fd, hdr: VNET_HDR_LEN, counters });
          const p: RelayPort = { key: req.port, sw: req.switch, end: req.end, tap, view: new Float64Array(counters), up: true };
          this.ports.set(req.port, p);
          return { reply: { ok: true, stats: this.portStats(p) } };
        } catch (e) {
          closeTap(tap);
          throw e;
        }
      }
      case 'port-del': {
        const p = this.port(req.port);
        await this.send({ op: 'port-del', key: req.port });
        closeTap(p.tap);
        this.ports.delete(req.port);
        return { reply: { ok: true }, after: this.emptyAfter() };
      }
      case 'port-cut':
      case 'port-restore': {
        const p = this.port(req.port);
        const up = req.op === 'port-restore';
        await this.send({ op: up ? 'port-restore' : 'port-cut', key: req.port });
        if (!setCarrier(p.tap, up)) setAdminUp(p.end, up);
        p.up = up;
        return { reply: { ok: true, stats: this.portStats(p) } };
      }
      case 'port-stats':
        return { reply: { ok: true, stats: this.portStats(this.port(req.port)) } };
      case 'switch-stats': {
        const s = this.sw(req.switch);
        const ev = await this.send({ op: 'macs', name: req.switch });
        const ports = [...this.ports.values()].filter((p) => p.sw === s.name).map((p) => this.portStats(p));
        return { reply: { ok: true, stats: { switch: s.name, capture: s.capture, agingMs: s.agingMs, ports, macs: 'macs' in ev ? (ev.macs ?? []) : [] } } };
      }
      case 'switch-capture': {
        const s = this.sw(req.switch);
        await this.send({ op: 'capture', name: req.switch, path: req.path });
        s.capture = req.path;
        s.captureOwner = req.path && req.owner ? req.owner : null;
        return { reply: { ok: true } };
      }
    }
  }

  private emptyAfter(): (() => void) | undefined {
    return this.size === 0 ? this.onEmpty : undefined;
  }

  /** Stop the taps whose owner process is gone (called periodically by the relay). */
  reapCaptures(alive: (pid: number) => boolean): void {
    for (const s of this.switches.values()) {
      if (s.captureOwner === null || alive(s.captureOwner)) continue;
      s.captureOwner = null;
      this.send({ op: 'capture', name: s.name, path: null }).then(() => { s.capture = null; this.log({ event: 'capture-orphaned', switch: s.name }); }, () => {});
    }
  }

  /** Names of switches and ports (for hello/list). */
  names(): { switches: string[]; ports: string[] } {
    return { switches: [...this.switches.keys()], ports: [...this.ports.keys()] };
  }

  /** Stop the worker (relay shutdown); the ports' TAPs close with the process. */
  stop(): void {
    if (!this.worker) return;
    this.send({ op: 'stop' }).catch(() => {});
  }
}
