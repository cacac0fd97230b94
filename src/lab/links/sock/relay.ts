/**
 * The relay process of a lab's sock cables (started detached by cable.ts through
 * relay-main.ts, one per lab state dir). It owns every TAP fd — hence the TAP devices —
 * and lives while it carries at least one cable or learning switch (switches.ts): it
 * exits after the last one is deleted, when told to stop, on SIGTERM/SIGINT/SIGHUP, or
 * 10 s after start-up if nothing was ever added. A cable whose TAP disappears (namespace
 * deleted) is dropped.
 * Threads:
 * - main: the control socket (JSON lines, types.ts ControlRequest), TAP creation and
 *   `ip` configuration, carrier and offload ioctls, counters read-out;
 * - pump (worker): the frame loop for all cables (pump.ts);
 * - switch pump (worker, started with the first switch): every `sock-switch` lan
 *   (switch-pump.ts); `switch-*`/`port-*` requests go to switches.ts.
 *
 * The pidfile is created exclusively (O_EXCL): a second relay for the same state dir
 * exits with status 3 and the starter uses the first. On a graceful exit the relay
 * removes its pid, control and log files; after kill -9 `cleanSockCables` does.
 * A fatal start-up error is printed as one JSON line `{"fatal":{"code","message"}}` on
 * stderr (the log) for the starter to re-raise with the same code.
 */
import { Worker, MessageChannel } from 'node:worker_threads';
import { openSync, writeSync, closeSync, rmSync, rmdirSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { SyError } from '../../../shared/errors.ts';
import { libc, EFD_CLOEXEC, EFD_NONBLOCK } from './libc.ts';
import { openTap, closeTap, setOffload, setCarrier, OFFLOADS_FAST, VNET_HDR_LEN, type Tap } from './tun.ts';
import { normalizeImpairment, isPerFrame } from './impair.ts';
import { newCounterBuffer, readDirStats } from './counters.ts';
import { readJsonLines } from './lines.ts';
import { relayPaths, tempTapName, liveRelayPid, checkName, EXIT_ALREADY_RUNNING } from './state.ts';
import { splitImpairment, validateEnd, placeTap, setAdminUp } from './spec.ts';
import type { PumpCommand, PumpEvent } from './pump.ts';
import { SwitchHost } from './switches.ts';
import type { CableStats, ControlReply, ControlRequest, Dir, Impairment, OffloadMode, SockCableSpec, SwitchRequest } from './types.ts';

const IDLE_START_MS = 10_000;

type RelayCable = {
  spec: SockCableSpec;
  taps: [Tap, Tap];
  mode: OffloadMode;
  view: Float64Array;
  up: boolean;
  capture: string | null;
  /** PID whose death ends the capture (null: none). */
  captureOwner: number | null;
  imp: { ab: Impairment; ba: Impairment };
  offload: { ab: boolean; ba: boolean };
};

type Handled = { reply: ControlReply; after?: () => void };

export async function runRelay(stateDir: string, lab: string): Promise<void> {
  checkName('lab', lab);
  const paths = relayPaths(stateDir);
  claimPidfile(paths.pid, lab);

  const cables = new Map<string, RelayCable>();
  const c = libc();
  const wakeFd = c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);
  const channel = new MessageChannel();
  const pending = new Map<number, (e: PumpEvent) => void>();
  let nextId = 1;
  let tapSeq = 0;
  let server: net.Server | null = null;
  let stopping = false;

  const worker = new Worker(new URL(import.meta.url.endsWith('.ts') ? './pump-worker.ts' : './pump-worker.js', import.meta.url), {
    workerData: { wakeFd, port: channel.port2 },
    transferList: [channel.port2],
  });

  const log = (o: Record<string, unknown>): void => void process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), ...o })}\n`);
  // learning switches (`sock-switch` lans) live beside the cables; the relay exits when
  // it carries neither
  const switchHost = new SwitchHost(lab, log, () => { if (cables.size === 0) shutdown(0); });
  const empty = (): boolean => cables.size === 0 && switchHost.size === 0;

  const shutdown = (code: number): void => {
    if (stopping) return;
    stopping = true;
    server?.close();
    rmSync(paths.ctl, { force: true });
    rmSync(paths.pid, { force: true });
    if (code === 0) {
      rmSync(paths.log, { force: true });
      try {
        rmdirSync(paths.dir); // only succeeds when empty
      } catch {
        /* not empty or gone */
      }
    }
    const finish = (): void => {
      for (const k of cables.values()) for (const t of k.taps) closeTap(t);
      process.exit(code);
    };
    // A pump stuck inside a native call cannot be terminated, and process.exit would wait
    // for it: after 1 s, end the process outright (the TAPs die with it; files are gone).
    switchHost.stop();
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1000);
    worker.once('exit', finish);
    sendPump({ op: 'stop' }).catch(() => {});
  };

  function sendPump(cmd: DistributiveOmit<PumpCommand, 'id'>): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const t = setTimeout(() => {
        pending.delete(id);
        reject(new SyError('SY_ERR_SOCK_CONTROL', `pump did not answer ${cmd.op}`));
      }, 5000);
      pending.set(id, (ev) => {
        clearTimeout(t);
        if ('ok' in ev && ev.ok) resolve();
        else reject(new SyError('SY_ERR_SOCK_CONTROL', 'error' in ev ? ev.error : 'pump failed'));
      });
      channel.port1.postMessage({ ...cmd, id });
      c.write(wakeFd, one, 8);
    });
  }

  const dropCable = (name: string): void => {
    const k = cables.get(name);
    if (!k) return;
    cables.delete(name);
    for (const t of k.taps) closeTap(t);
  };

  channel.port1.on('message', (ev: PumpEvent) => {
    if (ev.id === -1) {
      const name = 'dead' in ev ? ev.dead : '';
      log({ event: 'cable-gone', cable: name, reason: 'reason' in ev ? ev.reason : '' });
      // The pump no longer polls it; acknowledge with del before closing its fds.
      sendPump({ op: 'del', key: name }).then(
        () => {
          dropCable(name);
          if (empty()) shutdown(0);
        },
        () => shutdown(1),
      );
      return;
    }
    const p = pending.get(ev.id);
    pending.delete(ev.id);
    p?.(ev);
  });
  worker.on('error', (e) => {
    log({ event: 'pump-error', error: String(e) });
    shutdown(1);
  });
  worker.on('exit', () => shutdown(stopping ? 0 : 1));

  const applyOffload = (k: RelayCable): void => {
    for (const [dir, tap] of [['ab', k.taps[0]], ['ba', k.taps[1]]] as const) {
      const want = k.mode === 'on' || (k.mode === 'auto' && !isPerFrame(k.imp[dir]));
      if (want !== k.offload[dir] && setOffload(tap, want ? OFFLOADS_FAST : 0)) k.offload[dir] = want;
    }
  };

  const stats = (name: string, k: RelayCable): CableStats => ({
    name,
    pid: process.pid,
    up: k.up,
    offload: k.offload.ab || k.offload.ba,
    capture: k.capture,
    ab: readDirStats(k.view, 'ab', k.imp.ab),
    ba: readDirStats(k.view, 'ba', k.imp.ba),
  });

  const cable = (name: unknown): RelayCable => {
    const k = typeof name === 'string' ? cables.get(name) : undefined;
    if (!k) throw new SyError('SY_ERR_SOCK_NAME', `no sock cable ${JSON.stringify(name)} in lab ${lab}`);
    return k;
  };

  const add = async (spec: SockCableSpec): Promise<RelayCable> => {
    checkName('cable', spec?.name);
    if (spec.lab !== lab) throw new SyError('SY_ERR_SOCK_NAME', `cable of lab ${spec.lab} sent to the relay of lab ${lab}`);
    if (cables.has(spec.name)) throw new SyError('SY_ERR_SOCK_NAME', `sock cable "${spec.name}" already exists in lab ${lab}`);
    validateEnd(spec.a, 'a');
    validateEnd(spec.b, 'b');
    const imp = splitImpairment(spec.impairment);
    const mode = spec.offload ?? 'auto';
    if (!['auto', 'on', 'off'].includes(mode)) throw new SyError('SY_ERR_SOCK_NAME', `offload must be auto, on or off`);
    const vnet = mode !== 'off';
    const seq = tapSeq++;
    const taps: Tap[] = [];
    try {
      taps.push(openTap(tempTapName(process.pid, seq, 'a'), vnet));
      taps.push(openTap(tempTapName(process.pid, seq, 'b'), vnet));
      const k: RelayCable = {
        spec,
        taps: taps as [Tap, Tap],
        mode,
        view: new Float64Array(0),
        up: true,
        capture: null,
        captureOwner: null,
        imp,
        offload: { ab: false, ba: false },
      };
      applyOffload(k);
      placeTap(k.taps[0].name, spec.a);
      k.taps[0].name = spec.a.ifname;
      placeTap(k.taps[1].name, spec.b);
      k.taps[1].name = spec.b.ifname;
      const counters = newCounterBuffer();
      k.view = new Float64Array(counters);
      await sendPump({
        op: 'add',
        cable: { key: spec.name, fdA: k.taps[0].fd, fdB: k.taps[1].fd, hdr: vnet ? VNET_HDR_LEN : 0, counters, impairment: imp },
      });
      cables.set(spec.name, k);
      return k;
    } catch (e) {
      for (const t of taps) closeTap(t);
      throw e;
    }
  };

  const exitIfEmpty = (): (() => void) | undefined => (empty() ? () => shutdown(0) : undefined);

  const handle = async (req: ControlRequest): Promise<Handled> => {
    if (typeof req.op === 'string' && (req.op.startsWith('switch-') || req.op.startsWith('port-'))) {
      const h = await switchHost.handle(req as SwitchRequest);
      return h.after ? { reply: { ...h.reply, ...(h.reply.ok ? { exiting: empty() } : {}) }, after: () => { if (empty()) shutdown(0); } } : h;
    }
    switch (req.op) {
      case 'hello':
        return { reply: { ok: true, lab, pid: process.pid, cables: [...cables.keys()], ...switchHost.names() } };
      case 'list':
        return { reply: { ok: true, cables: [...cables.entries()].map(([n, k]) => ({ ...k.spec, name: n, up: k.up })) } };
      case 'add': {
        try {
          const k = await add(req.spec);
          log({ event: 'cable-added', cable: req.spec.name });
          return { reply: { ok: true, pid: process.pid, stats: stats(req.spec.name, k) } };
        } catch (e) {
          const err = e as Error & { code?: string };
          return { reply: { ok: false, code: err.code ?? 'SY_ERR_SOCK_TAP', error: err.message }, after: exitIfEmpty() };
        }
      }
      case 'del': {
        cable(req.cable);
        await sendPump({ op: 'del', key: req.cable });
        dropCable(req.cable);
        log({ event: 'cable-deleted', cable: req.cable });
        return { reply: { ok: true, exiting: empty() }, after: exitIfEmpty() };
      }
      case 'stats':
        return { reply: { ok: true, stats: stats(req.cable, cable(req.cable)) } };
      case 'set': {
        const k = cable(req.cable);
        const v = normalizeImpairment(req.impairment);
        const dirs: Dir[] = req.dir === 'both' ? ['ab', 'ba'] : req.dir === 'ab' || req.dir === 'ba' ? [req.dir] : [];
        if (dirs.length === 0) throw new SyError('SY_ERR_SOCK_CONTROL', `dir must be ab, ba or both`);
        for (const d of dirs) {
          k.imp[d] = { ...v };
          await sendPump({ op: 'set', key: req.cable, dir: d, impairment: v });
        }
        applyOffload(k);
        return { reply: { ok: true, stats: stats(req.cable, k) } };
      }
      case 'cut':
      case 'restore': {
        const k = cable(req.cable);
        const up = req.op === 'restore';
        await sendPump({ op: req.op, key: req.cable });
        for (const [t, end] of [[k.taps[0], k.spec.a], [k.taps[1], k.spec.b]] as const) {
          if (!setCarrier(t, up)) setAdminUp(end, up);
        }
        k.up = up;
        return { reply: { ok: true, stats: stats(req.cable, k) } };
      }
      case 'capture': {
        const k = cable(req.cable);
        await sendPump({ op: 'capture', key: req.cable, path: req.path });
        k.capture = req.path;
        k.captureOwner = req.path && req.owner ? req.owner : null;
        return { reply: { ok: true, stats: stats(req.cable, k) } };
      }
      case 'stop':
        return { reply: { ok: true }, after: () => shutdown(0) };
      default:
        throw new SyError('SY_ERR_SOCK_CONTROL', `unknown op ${JSON.stringify((req as { op?: unknown }).op)}`);
    }
  };

  // Control requests run one at a time: TAP creation and `ip` calls must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  try {
    rmSync(paths.ctl, { force: true });
    server = net.createServer((sock) => {
      sock.on('error', () => {});
      readJsonLines(
        sock,
        (v) => {
          queue = queue.then(() =>
            handle(v as ControlRequest).then(
              (h) => sock.write(`${JSON.stringify(h.reply)}\n`, () => h.after?.()),
              (e: Error & { code?: string }) =>
                sock.write(`${JSON.stringify({ ok: false, code: e.code ?? 'SY_ERR_SOCK_CONTROL', error: e.message })}\n`),
            ),
          );
        },
        (t) => sock.write(`${JSON.stringify({ ok: false, code: 'SY_ERR_SOCK_CONTROL', error: `not JSON: ${t.slice(0, 80)}` })}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(paths.ctl, () => resolve());
    });
    chmodSync(paths.ctl, 0o600);
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => shutdown(0));
    // captures whose owner died (e.g. `lab capture` killed with -9) stop by themselves
    setInterval(() => {
      for (const [name, k] of cables) {
        if (k.captureOwner === null || pidExists(k.captureOwner)) continue;
        k.captureOwner = null;
        queue = queue.then(() => sendPump({ op: 'capture', key: name, path: null }).then(() => { k.capture = null; log({ event: 'capture-orphaned', cable: name }); }, () => {}));
      }
      switchHost.reapCaptures(pidExists);
    }, 500).unref();
    setTimeout(() => {
      if (empty()) shutdown(0);
    }, IDLE_START_MS).unref();
    log({ event: 'ready', lab, pid: process.pid });
  } catch (e) {
    const err = e as Error & { code?: string };
    process.stderr.write(`${JSON.stringify({ fatal: { code: err.code ?? 'SY_ERR_SOCK_RELAY', message: err.message } })}\n`);
    shutdown(1);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Create the pidfile exclusively; exit EXIT_ALREADY_RUNNING if a live relay holds it. */
function claimPidfile(pidFile: string, lab: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(pidFile, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (liveRelayPid(pidFile) !== null) {
        process.stderr.write(`${JSON.stringify({ event: 'already-running', lab })}\n`);
        process.exit(EXIT_ALREADY_RUNNING);
      }
      rmSync(pidFile, { force: true }); // stale: its relay died (kill -9)
    }
  }
  throw new SyError('SY_ERR_SOCK_RELAY', `cannot claim ${pidFile}`);
}
