/**
 * The latency histograms (core/latency.ts) as the statistics outputs show them: which
 * measures a row has (a frontend: the total time only; a backend or server: queue,
 * connect, response and total), percentiles estimated from the buckets, and the JSON
 * object the `;json` / `show stat json` output adds to each such row.
 *
 * In JSON each measure is one more field after HAProxy's columns, named after HAProxy's
 * average columns with `_hist` (qtime_hist, ctime_hist, rtime_hist, ttime_hist), whose
 * value has Switchyard's type "hist": bucket bounds in ms, the count of each bucket (the
 * last one: above the last bound), count, sum, max and p50/p90/p99 in ms.
 */
import type { Histogram, Latency, LatencyMeasure } from '../core/latency.ts';
import { BUCKET_BOUNDS_MS } from '../core/latency.ts';
import type { StatRow } from './collect.ts';

/** HAProxy's short name of each measure (its qtime/ctime/rtime/ttime columns). */
export const SHORT: Readonly<Record<LatencyMeasure, string>> = { queue: 'qtime', connect: 'ctime', response: 'rtime', total: 'ttime' };

const ALL: readonly LatencyMeasure[] = ['queue', 'connect', 'response', 'total'];
const FRONTEND: readonly LatencyMeasure[] = ['total'];

/** The row's histograms and the measures that apply to it; null for a row without any. */
export function rowLatency(r: StatRow): { lat: Latency; measures: readonly LatencyMeasure[] } | null {
  if (r.obj === 'F' && r.frontend) return { lat: r.frontend.feCounters.lat, measures: FRONTEND };
  if (r.obj === 'S' && r.server) return { lat: r.server.counters.lat, measures: ALL };
  if (r.obj === 'B' && r.backend) return { lat: r.backend.counters.lat, measures: ALL };
  return null;
}

/** ms with at most three decimals (µs resolution), for text outputs. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export interface Percentiles { p50: number; p90: number; p99: number }

export function percentiles(h: Histogram): Percentiles {
  return { p50: roundMs(h.quantile(0.5)), p90: roundMs(h.quantile(0.9)), p99: roundMs(h.quantile(0.99)) };
}

export function histogramJson(h: Histogram): Record<string, unknown> {
  return {
    unit: 'ms',
    le: BUCKET_BOUNDS_MS,
    counts: Array.from(h.counts),
    count: h.count,
    sum: roundMs(h.sum),
    max: roundMs(h.max),
    ...percentiles(h),
  };
}
