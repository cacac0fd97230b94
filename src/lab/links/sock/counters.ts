/**
 * Layout of the live counters the pump thread writes and the control thread reads: one
 * Float64Array over a SharedArrayBuffer, 16 slots per direction (ab at 0, ba at 16).
 * Single writer (the pump); readers may see a frame counted in rxFrames but not yet in
 * txFrames — counters are monotone, not a snapshot.
 */
import type { Dir, DirStats, Impairment } from './types.ts';

export const SLOT = {
  rxFrames: 0,
  rxBytes: 1,
  txFrames: 2,
  txBytes: 3,
  dropLoss: 4,
  dropQueue: 5,
  dropCut: 6,
  dropError: 7,
  duplicated: 8,
  corrupted: 9,
  queued: 10,
} as const;

export const SLOTS_PER_DIR = 16;

export function dirBase(dir: Dir): number {
  return dir === 'ab' ? 0 : SLOTS_PER_DIR;
}

export function newCounterBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS_PER_DIR * 2 * 8);
}

export function readDirStats(c: Float64Array, dir: Dir, impairment: Impairment): DirStats {
  const b = dirBase(dir);
  const g = (s: number): number => c[b + s] ?? 0;
  return {
    rxFrames: g(SLOT.rxFrames),
    rxBytes: g(SLOT.rxBytes),
    txFrames: g(SLOT.txFrames),
    txBytes: g(SLOT.txBytes),
    drops: { loss: g(SLOT.dropLoss), queue: g(SLOT.dropQueue), cut: g(SLOT.dropCut), error: g(SLOT.dropError) },
    duplicated: g(SLOT.duplicated),
    corrupted: g(SLOT.corrupted),
    queued: g(SLOT.queued),
    impairment: { ...impairment },
  };
}
