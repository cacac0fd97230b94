/**
 * Types of the sock cable: endpoints, impairment, counters and the control protocol.
 * Kept apart from code so the lab core can import them without loading koffi.
 */
import type { Impairment } from '../../topo/types.ts';

/** One end of a cable: a TAP named `ifname` inside network namespace `netns` (a name
 *  under /run/netns; omitted = the root namespace). */
export type SockEnd = {
  netns?: string;
  ifname: string;
  mac?: string;
  mtu?: number;
};

/** Per-direction impairment: the lab's one definition (topo/types.ts), re-exported so
 *  users of the cable alone need not reach into the topology module. Missing = off;
 *  `queue` defaults to 50 ms at the rate, at least 64 KiB. */
export type { Impairment };

/** Direction of travel: `ab` = frames sent by end a's node towards b; `ba` the reverse. */
export type Dir = 'ab' | 'ba';
/** Which directions a `set` applies to. */
export type DirSel = Dir | 'both';

export type DropCause = 'loss' | 'queue' | 'cut' | 'error';

export type DirStats = {
  /** Frames/bytes read from the sending TAP (bytes = Ethernet bytes, GSO super-frames count once). */
  rxFrames: number;
  rxBytes: number;
  /** Frames/bytes written to the receiving TAP (includes duplicates). */
  txFrames: number;
  txBytes: number;
  drops: Record<DropCause, number>;
  duplicated: number;
  corrupted: number;
  /** Frames waiting in the delay/rate queue right now. */
  queued: number;
  impairment: Impairment;
};

export type CableStats = {
  name: string;
  pid: number;
  up: boolean;
  offload: boolean;
  capture: string | null;
  ab: DirStats;
  ba: DirStats;
};

/** How the cable uses TAP offloads: 'auto' (on unless a per-frame impairment is active),
 *  'on', 'off'. */
export type OffloadMode = 'auto' | 'on' | 'off';

export type SockCableSpec = {
  /** Lab name (only for tagging/logging). */
  lab: string;
  /** Cable name, unique in the lab: [A-Za-z0-9_.:~@+-]{1,128} (the lab core's link id fits). */
  name: string;
  a: SockEnd;
  b: SockEnd;
  impairment?: Impairment | { ab?: Impairment; ba?: Impairment };
  offload?: OffloadMode;
};

/** Control protocol of a lab's relay: one JSON object per line each way; every request
 *  gets exactly one reply `{ ok: true, … }` or `{ ok: false, code, error }`. */
export type ControlRequest =
  | { op: 'hello' }
  | { op: 'list' }
  | { op: 'add'; spec: SockCableSpec }
  | { op: 'del'; cable: string }
  | { op: 'stats'; cable: string }
  | { op: 'set'; cable: string; dir: DirSel; impairment: Impairment }
  | { op: 'cut'; cable: string }
  | { op: 'restore'; cable: string }
  /** `owner`: a PID; the relay stops the capture by itself when that process is gone
   *  (a `lab capture` killed with -9 leaves no capture running). */
  | { op: 'capture'; cable: string; path: string | null; owner?: number }
  | { op: 'stop' }
  | SwitchRequest;

/** Requests for the relay's learning switches (`sock-switch` lans, switches.ts). Port
 *  names are unique in the lab (the lab core uses the member link's id). */
export type SwitchRequest =
  | { op: 'switch-add'; switch: string; agingMs?: number }
  | { op: 'switch-del'; switch: string }
  | { op: 'port-add'; switch: string; port: string; end: SockEnd }
  | { op: 'port-del'; port: string }
  | { op: 'port-cut'; port: string }
  | { op: 'port-restore'; port: string }
  | { op: 'port-stats'; port: string }
  | { op: 'switch-stats'; switch: string }
  | { op: 'switch-capture'; switch: string; path: string | null; owner?: number };

/** Counters of one switch port, as the switch sees it: rx = frames the node sent in. */
export type PortStats = {
  port: string;
  switch: string;
  up: boolean;
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  /** Frames from this port that were flooded (broadcast, multicast, unknown unicast). */
  flooded: number;
  drops: { cut: number; error: number };
};

export type SwitchStats = {
  switch: string;
  capture: string | null;
  agingMs: number;
  ports: PortStats[];
  /** Learned stations: [mac, port, age in ms]. */
  macs: [string, string, number][];
};

export type ControlReply =
  | ({ ok: true } & Record<string, unknown>)
  | { ok: false; code: string; error: string };
