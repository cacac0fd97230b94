/**
 * Impairment values as people write them — `20ms`, `1.5%`, `100mbit` — turned into the
 * numbers the link kinds take (ms, percent, bit/s, bytes). Rate units follow tc(8):
 * `bit kbit mbit gbit tbit` are bits per second, `bps kbps mbps gbps tbps` are BYTES per
 * second. Pure functions: each returns a number or an error string saying what is allowed.
 */
export type Parsed = { ok: true; value: number } | { ok: false; error: string };

const num = '(\\d+(?:\\.\\d+)?|\\.\\d+)';

const TIME = new RegExp(`^${num}\\s*(us|ms|s)?$`, 'i');
export function parseTime(v: unknown): Parsed {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return { ok: true, value: v };
  const m = typeof v === 'string' ? TIME.exec(v.trim()) : null;
  if (!m) return { ok: false, error: `expected a duration such as 20ms, 1.5ms, 500us or 1s` };
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const ms = unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
  if (ms > 60_000) return { ok: false, error: `duration ${String(v)} is above the maximum 60s` };
  return { ok: true, value: ms };
}

const PCT = new RegExp(`^${num}\\s*%?$`);
export function parsePercent(v: unknown): Parsed {
  let n: number;
  if (typeof v === 'number') n = v;
  else {
    const m = typeof v === 'string' ? PCT.exec(v.trim()) : null;
    if (!m) return { ok: false, error: 'expected a percentage such as 1%, 0.5% or 100%' };
    n = Number(m[1]);
  }
  if (!Number.isFinite(n) || n < 0 || n > 100) return { ok: false, error: `percentage ${String(v)} is not within 0% and 100%` };
  return { ok: true, value: n };
}

const RATE_UNITS: Record<string, number> = {
  bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, tbit: 1e12,
  bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9, tbps: 8e12,
};
const RATE = new RegExp(`^${num}\\s*([a-z]+)?$`, 'i');
export function parseRate(v: unknown): Parsed {
  let bits: number;
  if (typeof v === 'number') bits = v;
  else {
    const m = typeof v === 'string' ? RATE.exec(v.trim()) : null;
    const mult = m ? RATE_UNITS[(m[2] ?? 'bit').toLowerCase()] : undefined;
    if (!m || mult === undefined) {
      return { ok: false, error: 'expected a rate such as 100mbit, 1gbit, 512kbit (bits/s) or 10mbps (bytes/s, as in tc)' };
    }
    bits = Number(m[1]) * mult;
  }
  if (!Number.isFinite(bits) || bits < 8000) return { ok: false, error: `rate ${String(v)} is below the minimum 8kbit` };
  if (bits > 1e12) return { ok: false, error: `rate ${String(v)} is above the maximum 1tbit` };
  return { ok: true, value: Math.round(bits) };
}

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1048576, mb: 1048576 };
const SIZE = new RegExp(`^${num}\\s*([a-z]+)?$`, 'i');
export function parseSize(v: unknown): Parsed {
  let n: number;
  if (typeof v === 'number') n = v;
  else {
    const m = typeof v === 'string' ? SIZE.exec(v.trim()) : null;
    const mult = m ? SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] : undefined;
    if (!m || mult === undefined) return { ok: false, error: 'expected a size in bytes such as 1500, 64k or 1m' };
    n = Number(m[1]) * mult;
  }
  if (!Number.isFinite(n) || n < 1500 || n > 1 << 30) return { ok: false, error: `size ${String(v)} is not within 1500 bytes and 1g` };
  return { ok: true, value: Math.round(n) };
}
