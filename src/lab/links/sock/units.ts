/**
 * Impairment values as people write them (topology files, `lab link set` flags), in tc's
 * vocabulary: times `20ms` `1.5s` `500us` (bare number = ms); percentages `1%` `0.5`
 * (bare number = %); rates `100mbit` `1gbit` `10kbit` `512kibit` `bit`, and tc's byte
 * rates `bps` `kbps` `mbps` `gbps` (= bytes/s ×8; bare number = bit/s); queue sizes
 * `64kb` `1mb` `1500b` (tc: k/kb = 1024 bytes; bare number = bytes).
 * Errors: SY_ERR_SOCK_IMPAIRMENT naming the field and what is allowed.
 */
import { SyError } from '../../../shared/errors.ts';
import { normalizeImpairment } from './impair.ts';
import type { Impairment } from './types.ts';

const TIME: Record<string, number> = { '': 1, ms: 1, msec: 1, s: 1000, sec: 1000, us: 0.001, usec: 0.001 };
const RATE: Record<string, number> = {
  '': 1,
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  kibit: 1024,
  mibit: 1024 ** 2,
  gibit: 1024 ** 3,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};
const SIZE: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2 };
const PCT: Record<string, number> = { '': 1, '%': 1 };

function parseUnit(field: string, v: unknown, table: Record<string, number>, example: string): number {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([a-z%]*)\s*$/i.exec(v) : null;
  const mult = m ? table[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || mult === undefined) {
    throw new SyError('SY_ERR_SOCK_IMPAIRMENT', `${field}: cannot read ${JSON.stringify(v)} (e.g. ${example}; units: ${Object.keys(table).filter(Boolean).join(', ')})`);
  }
  return Number(m[1]) * mult;
}

/** Read `{ delay: '20ms', loss: '1%', rate: '100mbit', … }` into an Impairment (validated). */
export function parseImpairment(raw: Record<string, unknown>): Impairment {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    switch (k) {
      case 'delay':
      case 'jitter':
        out[k] = parseUnit(k, v, TIME, '20ms');
        break;
      case 'loss':
      case 'duplicate':
      case 'corrupt':
        out[k] = parseUnit(k, v, PCT, '1%');
        break;
      case 'rate':
        out[k] = parseUnit(k, v, RATE, '100mbit');
        break;
      case 'queue':
        out[k] = parseUnit(k, v, SIZE, '64kb');
        break;
      default:
        out[k] = v as number; // normalizeImpairment rejects it with the list of known fields
    }
  }
  return normalizeImpairment(out as Impairment);
}
