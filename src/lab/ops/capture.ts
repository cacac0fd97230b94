/**
 * `lab capture NODE:IF -w FILE.pcap [--count N] [--duration T]` — classic pcap of what
 * crosses one interface of a node, without tcpdump:
 *  - a `sock` cable end: the lab relay writes the capture itself (both directions of the
 *    cable, frames as delivered after impairment); we start it, watch the file for
 *    `count`, stop it, and trim the file to exactly `count` frames;
 *  - a `sock-switch` lan (endpoint = the lan's name): the switch's capture tap, every
 *    frame entering the switch, the same way;
 *  - any other end (veth, lan member): a helper process entered into the node's namespace
 *    (`ip netns exec`, tagged SY_LAB/SY_NODE, dies with us through PDEATHSIG) reads an
 *    AF_PACKET socket (capture/raw-main.ts).
 * Stops on count, duration, or `opts.signal` (the CLI aborts it on Ctrl-C/SIGTERM); in
 * every case the capture is stopped and the file closed before this resolves, and no
 * process or relay capture is left running.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyError, type ErrorCode } from '../../shared/errors.ts';
import { attachSockCable, relayRequest, type SwitchStats } from '../links/sock/index.ts';
import { lanKind } from '../links/registry.ts';
import { SOCK_SWITCH } from '../links/sock/switch-kind.ts';
import { pcapHeader, readPcap } from '../links/sock/pcap.ts';
import { NODE_ARGS } from '../nodes/paths.ts';
import { ENV_LAB, ENV_NODE, captureTag } from '../sys/names.ts';
import { sleep } from '../sys/procs.ts';
import type { LabState } from '../sys/state.ts';
import type { LinkEnd, ResolvedLink, ResolvedNode } from '../topo/types.ts';
import { requireTopology } from './context.ts';

const RAW_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'capture', 'raw-main.ts');

export type CaptureOptions = {
  file: string;
  /** Stop after this many frames (0/undefined = no limit). */
  count?: number;
  /** Stop after this many ms (0/undefined = no limit). */
  durationMs?: number;
  /** Abort = stop cleanly now (Ctrl-C). */
  signal?: AbortSignal;
  /** Called once the capture is running (frames from now on are in the file). */
  onReady?: (info: { via: 'relay' | 'raw'; what: string }) => void;
};

export type CaptureResult = { frames: number; via: 'relay' | 'raw'; file: string };

/** The node and the link of `NODE:IF` in the running lab. */
export function findEnd(state: LabState, endpoint: string): { node: ResolvedNode; link: ResolvedLink; end: LinkEnd } {
  const topo = requireTopology(state);
  const colon = endpoint.indexOf(':');
  if (colon <= 0) throw new SyError('SY_ERR_CLI_USAGE', `lab capture: give an interface as NODE:IF (got '${endpoint}')`);
  const nodeName = endpoint.slice(0, colon);
  const ifname = endpoint.slice(colon + 1);
  const node = topo.nodes.find((n) => n.name === nodeName);
  if (!node) throw new SyError('SY_ERR_LAB_NOT_FOUND', `no node '${nodeName}' in lab ${state.lab} (nodes: ${topo.nodes.map((n) => n.name).join(', ')})`);
  for (const link of topo.links) {
    for (const end of [link.a, link.b]) if (end.node === nodeName && end.ifname === ifname) return { node, link, end };
  }
  throw new SyError('SY_ERR_LAB_NOT_FOUND', `node ${nodeName} has no connected interface '${ifname}' (has: ${node.interfaces.map((f) => f.name).join(', ') || 'none'})`);
}

export async function labCapture(state: LabState, endpoint: string, opts: CaptureOptions): Promise<CaptureResult> {
  const file = resolvePath(opts.file);
  if (!endpoint.includes(':')) return switchCapture(state, endpoint, file, opts);
  const { node, link, end } = findEnd(state, endpoint);
  if (opts.signal?.aborted) return { frames: 0, via: link.kind === 'sock' ? 'relay' : 'raw', file };
  if (link.kind === 'sock') {
    const cable = await attachSockCable(state.dir, link.id);
    const busy = (await cable.stats()).capture;
    if (busy) throw new SyError('SY_ERR_LAB_EXISTS', `cable ${link.id} is already being captured into ${busy}`);
    return relayCapture(file, opts, `${link.kind} cable`, (path) => cable.capture(path, process.pid));
  }
  return rawCapture(state, node, end, link, file, opts);
}

/** The capture tap of a `sock-switch` lan. */
async function switchCapture(state: LabState, name: string, file: string, opts: CaptureOptions): Promise<CaptureResult> {
  const topo = requireTopology(state);
  const lan = topo.lans.find((l) => l.name === name);
  if (!lan) throw new SyError('SY_ERR_LAB_NOT_FOUND', `'${name}' is neither NODE:IF nor a lan of lab ${state.lab} (lans: ${topo.lans.map((l) => l.name).join(', ') || 'none'})`);
  if (lan.kind !== SOCK_SWITCH) throw new SyError('SY_ERR_LAB_CAPTURE', `lan ${name} is a ${lanKind(lan.kind)?.name ?? lan.kind}: capture one of its members (NODE:IF); only ${SOCK_SWITCH} lans have a capture tap`);
  const req = (op: 'switch-stats' | 'switch-capture', path?: string | null): Promise<Record<string, unknown>> =>
    relayRequest(state.dir, state.lab, op === 'switch-stats' ? { op, switch: name } : { op, switch: name, path: path ?? null, owner: process.pid });
  const busy = ((await req('switch-stats')).stats as SwitchStats).capture;
  if (busy) throw new SyError('SY_ERR_LAB_EXISTS', `switch ${name} is already being captured into ${busy}`);
  return relayCapture(file, opts, `${SOCK_SWITCH} tap`, async (path) => void (await req('switch-capture', path)));
}

/** Resolves when the signal aborts or after `ms` (never, when 0). */
function stopper(signal: AbortSignal | undefined, ms: number): { done: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => {};
  const done = new Promise<void>((resolve) => {
    if (ms > 0) timer = setTimeout(resolve, ms);
    onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return { done, cancel: () => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); } };
}

/** A capture the relay writes: `control(path)` starts it, `control(null)` stops it. */
async function relayCapture(file: string, opts: CaptureOptions, what: string, control: (path: string | null) => Promise<void>): Promise<CaptureResult> {
  if (opts.signal?.aborted) return { frames: 0, via: 'relay', file };
  writeFileSync(file, pcapHeader()); // created by us (the relay truncates and rewrites it)
  await control(file);
  const count = opts.count ?? 0;
  const stop = stopper(opts.signal, opts.durationMs ?? 0);
  let stopped = false;
  void stop.done.then(() => { stopped = true; });
  try {
    opts.onReady?.({ via: 'relay', what });
    // the relay flushes its pcap every 200 ms: watch the file for the count
    let size = 0;
    while (!stopped) {
      await Promise.race([stop.done, sleep(100)]);
      if (count > 0 && !stopped) {
        const now = statSync(file).size;
        if (now !== size && readPcap(readFileSync(file)).frames.length >= count) break;
        size = now;
      }
    }
  } finally {
    stop.cancel();
    await control(null);
  }
  let frames = readPcap(readFileSync(file)).frames.length;
  if (count > 0 && frames > count) {
    trimPcap(file, count);
    frames = count;
  }
  return { frames, via: 'relay', file };
}

/** Keep the first `n` records of a pcap file. */
function trimPcap(file: string, n: number): void {
  const data = readFileSync(file);
  let o = 24;
  for (let i = 0; i < n && o + 16 <= data.length; i++) o += 16 + data.readUInt32LE(o + 8);
  writeFileSync(file, data.subarray(0, Math.min(o, data.length)));
}

function rawCapture(state: LabState, node: ResolvedNode, end: LinkEnd, link: ResolvedLink, file: string, opts: CaptureOptions): Promise<CaptureResult> {
  const argv = ['netns', 'exec', node.netns, process.execPath, ...NODE_ARGS, RAW_MAIN, end.ifname, file, String(opts.count ?? 0), String(Math.round(opts.durationMs ?? 0)), captureTag(state.lab)];
  const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [ENV_LAB]: state.lab, [ENV_NODE]: node.name } });
  return new Promise<CaptureResult>((resolve, reject) => {
    let out = '';
    let err = '';
    let ready = false;
    const onAbort = (): void => void child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      out += s;
      if (!ready && out.includes('"ready"')) {
        ready = true;
        if (opts.signal?.aborted) onAbort();
        else opts.onReady?.({ via: 'raw', what: `${link.kind} end` });
      }
    });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', (e) => reject(new SyError('SY_ERR_LAB_ENV', `cannot run ip netns exec: ${e.message}`)));
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      const last = out.trim().split('\n').map((l) => { try { return JSON.parse(l) as { frames?: number; error?: string }; } catch { return {}; } }).reverse().find((v) => v.frames !== undefined);
      if (code === 0 && last) {
        resolve({ frames: last.frames ?? 0, via: 'raw', file });
        return;
      }
      const fatal = /\{"fatal":(\{.*\})\}/.exec(err);
      const f = fatal ? (JSON.parse(fatal[1] as string) as { code: ErrorCode; message: string }) : null;
      reject(new SyError(f?.code ?? 'SY_ERR_LAB_CAPTURE', f?.message ?? `capture helper in node ${node.name} exited with status ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
