/**
 * Types of the sock cable: endpoints, impairment, counters and the control protocol.
 * Kept apart from code so the lab core can import them without loading koffi.
 */

/** One end of a cable: a TAP named `ifname` inside network namespace `netns` (a name
 *  under /run/netns; omitted = the root namespace). */
export type SockEnd = {
  netns?: string;
  ifname: string;
  mac?: string;
  mtu?: number;
};

/** Per-direction impairment. All fields optional; missing = off.
 *  delay/jitter in milliseconds; loss/duplicate/corrupt in percent (0–100);
 *  rate in bit/s (0 = unlimited) with a tail-drop queue of `queue` bytes. */
export type Impairment = {
  delay?: number;
  jitter?: number;
  loss?: number;
  duplicate?: number;
  corrupt?: number;
  rate?: number;
  /** Queue bound in bytes for `rate` (default: 50 ms at the rate, at least 64 KiB). */
  queue?: number;
};

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
  | { op: 'capture'; cable: string; path: string | null }
  | { op: 'stop' };

export type ControlReply =
  | ({ ok: true } & Record<string, unknown>)
  | { ok: false; code: string; error: string };
