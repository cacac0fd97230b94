/**
 * HAProxy's implicit casts between sample types (sample.c's cast matrix, 2.6). A cast that
 * HAProxy does not allow returns null at compile time (`castFn`), which the expression
 * compiler reports as "cannot be converted"; a cast that fails on a value (e.g. a string
 * that is not an address) yields null at run time, i.e. the sample does not exist.
 */
import type { Sample, SampleType, SampleTypeSpec } from './types.ts';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, v4mapped, v6tov4 } from './ip.ts';

export type CastFn = (s: Sample) => Sample | null;

const identity: CastFn = (s) => s;

/** HAProxy's read_int64: optional sign, then digits; stops at the first other byte. */
export function strToInt(s: string): number | null {
  if (s.length === 0) return null;
  let i = 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') { neg = s[0] === '-'; i = 1; }
  let v = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

function int64be(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt.asIntN(64, BigInt(Math.trunc(Math.max(Math.min(v, 2 ** 63 - 1), -(2 ** 63))))));
  return b;
}

function int64beBig(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt.asIntN(64, v));
  return b;
}

function v4bytes(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function toStr(s: Sample): Sample | null {
  switch (s.type) {
    case 'str': return s;
    case 'bool': return { type: 'str', v: s.v ? '1' : '0' };
    case 'sint': return { type: 'str', v: s.big !== undefined ? s.big.toString() : intToString(s.v) };
    case 'ipv4': return { type: 'str', v: formatIPv4(s.v) };
    case 'ipv6': return { type: 'str', v: formatIPv6(s.v) };
    case 'bin': {
      // HAProxy's c_bin2str: the string stops at the first NUL byte.
      const nul = s.v.indexOf(0);
      return { type: 'str', v: (nul < 0 ? s.v : s.v.subarray(0, nul)).toString('latin1') };
    }
    case 'meth': return { type: 'str', v: s.v };
  }
}

const INT64_MAX = 9223372036854775807;

/**
 * Decimal text of an integer sample. Our integers are JS numbers: exact up to 2^53; at
 * the int64 limits (HAProxy saturates add/sub/mul/div there) the C values are printed.
 */
export function intToString(v: number): string {
  if (v >= INT64_MAX) return '9223372036854775807';
  if (v <= -INT64_MAX - 1) return '-9223372036854775808';
  return String(v);
}

function toSint(s: Sample): Sample | null {
  switch (s.type) {
    case 'sint': return s;
    case 'bool': return { type: 'sint', v: s.v ? 1 : 0 };
    case 'ipv4': return { type: 'sint', v: s.v };
    case 'str': { const v = strToInt(s.v); return v === null ? null : { type: 'sint', v }; }
    default: return null;
  }
}

function toBool(s: Sample): Sample | null {
  switch (s.type) {
    case 'bool': return s;
    case 'sint': return { type: 'bool', v: s.v !== 0 };
    case 'str': { const v = strToInt(s.v); return v === null ? null : { type: 'bool', v: v !== 0 }; }
    default: return null;
  }
}

function toIPv4(s: Sample): Sample | null {
  switch (s.type) {
    case 'ipv4': return s;
    case 'sint': return { type: 'ipv4', v: s.v >>> 0 };
    case 'ipv6': { const v = v6tov4(s.v); return v === null ? null : { type: 'ipv4', v }; }
    case 'str': { const v = parseIPv4(s.v); return v === null ? null : { type: 'ipv4', v }; }
    default: return null;
  }
}

function toIPv6(s: Sample): Sample | null {
  switch (s.type) {
    case 'ipv6': return s;
    case 'ipv4': return { type: 'ipv6', v: v4mapped(s.v) };
    case 'sint': return { type: 'ipv6', v: v4mapped(s.v >>> 0) };
    case 'str': { const v = parseIPv6(s.v); return v === null ? null : { type: 'ipv6', v }; }
    default: return null;
  }
}

function toAddr(s: Sample): Sample | null {
  if (s.type === 'ipv4' || s.type === 'ipv6') return s;
  if (s.type === 'sint') return { type: 'ipv4', v: s.v >>> 0 };
  if (s.type === 'str') {
    const v4 = parseIPv4(s.v);
    if (v4 !== null) return { type: 'ipv4', v: v4 };
    const v6 = parseIPv6(s.v);
    return v6 === null ? null : { type: 'ipv6', v: v6 };
  }
  return null;
}

function toBin(s: Sample): Sample | null {
  switch (s.type) {
    case 'bin': return s;
    case 'str': return { type: 'bin', v: Buffer.from(s.v, 'latin1') };
    case 'meth': return { type: 'bin', v: Buffer.from(s.v, 'latin1') };
    case 'sint': return { type: 'bin', v: s.big !== undefined ? int64beBig(s.big) : int64be(s.v) };
    case 'ipv4': return { type: 'bin', v: v4bytes(s.v) };
    case 'ipv6': return { type: 'bin', v: Buffer.from(s.v) };
    default: return null;
  }
}

function toMeth(s: Sample): Sample | null {
  if (s.type === 'meth') return s;
  if (s.type === 'str') return { type: 'meth', v: s.v };
  if (s.type === 'bin') return { type: 'meth', v: s.v.toString('latin1') };
  return null;
}

/** Which source types HAProxy 2.6 can cast to each target (compile-time check). */
const ALLOWED: Record<Exclude<SampleTypeSpec, 'any'>, readonly SampleType[]> = {
  bool: ['bool', 'sint', 'str'],
  sint: ['bool', 'sint', 'ipv4', 'str'],
  addr: ['sint', 'ipv4', 'ipv6', 'str'],
  ipv4: ['sint', 'ipv4', 'ipv6', 'str'],
  ipv6: ['sint', 'ipv4', 'ipv6', 'str'],
  str: ['bool', 'sint', 'ipv4', 'ipv6', 'str', 'bin', 'meth'],
  bin: ['sint', 'ipv4', 'ipv6', 'str', 'bin', 'meth'],
  meth: ['str', 'bin', 'meth'],
};

const CASTS: Record<Exclude<SampleTypeSpec, 'any'>, CastFn> = {
  bool: toBool, sint: toSint, addr: toAddr, ipv4: toIPv4, ipv6: toIPv6, str: toStr, bin: toBin, meth: toMeth,
};

/** Whether a value of type `from` may be used where `to` is expected. */
export function canCast(from: SampleTypeSpec, to: SampleTypeSpec): boolean {
  if (to === 'any' || from === 'any' || from === to) return true;
  if (from === 'addr') return ALLOWED[to].includes('ipv4') && ALLOWED[to].includes('ipv6');
  return ALLOWED[to].includes(from);
}

/**
 * The run-time cast to `to`, or null when `from` cannot be cast at all. When `from` is
 * 'any' (a variable), the returned function checks the actual type and may yield null.
 */
export function castFn(from: SampleTypeSpec, to: SampleTypeSpec): CastFn | null {
  if (to === 'any' || from === to) return identity;
  if (!canCast(from, to)) return null;
  const c = CASTS[to];
  if (from === 'any') return (s) => (canCast(s.type, to) ? c(s) : null);
  return c;
}

/** A sample as a string (for log-format and string converters); null if it cannot be. */
export const sampleToString = toStr;
export const sampleToSint = toSint;
export const sampleToBin = toBin;
export const sampleToBool = toBool;
export const sampleToAddr = toAddr;
