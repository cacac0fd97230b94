/**
 * The impairment engine of one direction: pure decisions and timing, no I/O.
 *
 * Model (fixed order, like a wire behind netem): loss → duplicate → corrupt → rate → delay.
 * - rate is a store-and-forward serializer (virtual clock): a frame finishes leaving at
 *   max(arrival, previous finish) + bits/rate. The backlog still to serialize is
 *   (previous finish − now) × rate; a frame that would push it beyond `queue` bytes is
 *   tail-dropped. No burst allowance: the measured rate is the setting.
 * - delay (+ uniform jitter in ±jitter) is added after serialization. Order is preserved
 *   (a frame never overtakes the previous one), so every frame's due time is monotone and
 *   one FIFO with one timer — the head's due time — serves both stages. That is what keeps
 *   the delay precise: no per-frame timers.
 * - corrupt flips one random bit in one random byte after the 14-byte Ethernet header
 *   (so L3/L4 checksums see it).
 *
 * Changing the impairment applies to frames arriving from then on; queued frames keep
 * their due times.
 */
import type { Impairment } from './types.ts';
import { SyError } from '../../../shared/errors.ts';

export type Verdict = {
  /** 0 = dropped by loss; 1 normally; 2 when duplicated. */
  copies: number;
  corrupt: boolean;
};

const FIELDS = ['delay', 'jitter', 'loss', 'duplicate', 'corrupt', 'rate', 'queue'] as const;

/** Validate and normalise (drop zeros); throws SY_ERR_SOCK_IMPAIRMENT naming the field. */
export function normalizeImpairment(imp: Impairment | undefined): Impairment {
  const out: Impairment = {};
  if (!imp) return out;
  for (const k of Object.keys(imp)) {
    if (!(FIELDS as readonly string[]).includes(k)) {
      throw new SyError('SY_ERR_SOCK_IMPAIRMENT', `unknown impairment "${k}" (known: ${FIELDS.join(', ')})`);
    }
  }
  for (const k of FIELDS) {
    const v = imp[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new SyError('SY_ERR_SOCK_IMPAIRMENT', `impairment ${k} must be a finite number ≥ 0, got ${String(v)}`);
    }
    if ((k === 'loss' || k === 'duplicate' || k === 'corrupt') && v > 100) {
      throw new SyError('SY_ERR_SOCK_IMPAIRMENT', `impairment ${k} is a percentage (0–100), got ${v}`);
    }
    if (v > 0) out[k] = v;
  }
  return out;
}

/** True when the impairment acts on individual frames (then TAP offloads should be off). */
export function isPerFrame(imp: Impairment): boolean {
  return !!(imp.loss || imp.duplicate || imp.corrupt || imp.rate);
}

export class DirEngine {
  imp: Impairment = {};
  /** Nothing to do at all: forward as read. */
  passthrough = true;
  /** Frames must go through the timed FIFO (delay or rate set). */
  timed = false;
  private lastFinish = 0;
  private lastDue = 0;
  private readonly rand: () => number;

  constructor(rand: () => number = Math.random) {
    this.rand = rand;
  }

  set(imp: Impairment): void {
    this.imp = normalizeImpairment(imp);
    this.passthrough = Object.keys(this.imp).filter((k) => k !== 'queue').length === 0;
    this.timed = !!(this.imp.delay || this.imp.jitter || this.imp.rate);
  }

  /** Decide the fate of one arriving frame (loss, duplicate, corrupt). */
  verdict(): Verdict {
    const { loss, duplicate, corrupt } = this.imp;
    if (loss && this.rand() * 100 < loss) return { copies: 0, corrupt: false };
    const copies = duplicate && this.rand() * 100 < duplicate ? 2 : 1;
    return { copies, corrupt: !!corrupt && this.rand() * 100 < corrupt };
  }

  /** Queue bound in bytes for the rate stage. */
  queueLimit(): number {
    const rate = this.imp.rate ?? 0;
    return this.imp.queue ?? Math.max(65536, Math.round((rate / 8) * 0.05));
  }

  /**
   * Due time (ms, same clock as `now`) for a frame of `bytes` arriving at `now`, or -1 when
   * the rate queue is full (tail drop). Call once per copy actually sent.
   */
  schedule(now: number, bytes: number): number {
    let t = now;
    const rate = this.imp.rate;
    if (rate) {
      const start = Math.max(now, this.lastFinish);
      const backlog = ((start - now) / 1000) * (rate / 8);
      if (backlog + bytes > this.queueLimit()) return -1;
      this.lastFinish = start + ((bytes * 8) / rate) * 1000;
      t = this.lastFinish;
    }
    const delay = this.imp.delay ?? 0;
    const jitter = this.imp.jitter ?? 0;
    let d = delay + (jitter ? (this.rand() * 2 - 1) * jitter : 0);
    if (d < 0) d = 0;
    t += d;
    if (t < this.lastDue) t = this.lastDue;
    this.lastDue = t;
    return t;
  }

  /** Forget serialization/ordering history (cable cut: in-flight frames are gone). */
  reset(): void {
    this.lastFinish = 0;
    this.lastDue = 0;
  }
}

/** Flip one random bit of one random byte after the Ethernet header (in place). */
export function corruptFrame(frame: Uint8Array, start: number, end: number, rand: () => number = Math.random): void {
  const from = start + 14;
  if (end <= from) return;
  const i = from + Math.floor(rand() * (end - from));
  frame[i] = (frame[i] ?? 0) ^ (1 << Math.floor(rand() * 8));
}
