/**
 * Number, time and size arguments as HAProxy reads them. Each parser returns a value or
 * a human-readable reason (never throws), so the section parser can word the error with
 * the keyword and file:line.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Largest timer HAProxy accepts (2^31-1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** "10s", "250" (ms by default), "1m30s" is not valid (one unit only, as in HAProxy). */
export function parseTime(text: string, defaultUnitMs = 1): Parsed<number> {
  const m = /^(\d+)([a-z]*)$/.exec(text);
  if (!m) {
    const bad = /^\d*(.)/.exec(text)?.[1] ?? text;
    return { ok: false, reason: `unexpected character '${bad}'` };
  }
  const unit = m[2]!;
  const mult = unit === '' ? defaultUnitMs : TIME_UNITS[unit];
  if (mult === undefined) return { ok: false, reason: `unexpected character '${unit[0]}'` };
  const ms = Math.ceil(Number(m[1]) * mult);
  if (ms > MAX_TIMER_MS) return { ok: false, reason: `timer overflow in argument '${text}' (maximum value is 2147483647 ms or ~24.8 days)` };
  return { ok: true, value: ms };
}

/** A non-negative decimal integer within [min, max]. */
export function parseUint(text: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): Parsed<number> {
  if (text === undefined || text === '') return { ok: false, reason: 'expects an integer argument' };
  if (!/^\d+$/.test(text)) return { ok: false, reason: `'${text}' is not a valid integer` };
  const v = Number(text);
  if (v < min || v > max) return { ok: false, reason: `${v} is not within ${min} and ${max}` };
  return { ok: true, value: v };
}

/** Sizes: "16384", "16k", "1m", "1g" (binary multiples, as HAProxy's parse_size_err). */
export function parseSize(text: string): Parsed<number> {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!m) return { ok: false, reason: `'${text}' is not a valid size` };
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
  return { ok: true, value: Number(m[1]) * mult };
}
