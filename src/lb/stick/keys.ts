/**
 * Sample → table key. A key is converted to the table's type with HAProxy's casts (a
 * string "10.0.0.1" is a valid `type ip` key, an IPv6 source is not unless v4-mapped)
 * and rendered as one canonical string, the Map key and what `show table` prints.
 * String keys are cut at `len` bytes; binary keys are cut and padded with zeros to it.
 */
import type { Sample, SampleType } from '../acl/types.ts';
import { castFn } from '../acl/casts.ts';
import { formatIPv4, formatIPv6 } from '../acl/ip.ts';
import type { StickKeyType } from './types.ts';

const TARGET: Record<StickKeyType, SampleType> = { ip: 'ipv4', ipv6: 'ipv6', integer: 'sint', string: 'str', binary: 'bin' };

/** The key of `s` in a table of `type`, or null when the sample cannot be one. */
export function stickKey(s: Sample, type: StickKeyType, len: number): string | null {
  const to = TARGET[type];
  const cast = s.type === to ? null : castFn(s.type, to);
  const k = s.type === to ? s : cast ? cast(s) : null;
  if (k === null) return null;
  switch (k.type) {
    case 'ipv4': return formatIPv4(k.v);
    case 'ipv6': return formatIPv6(k.v);
    case 'sint': return String(k.v);
    case 'str': return k.v.length > len ? k.v.slice(0, len) : k.v;
    case 'bin': {
      const b = Buffer.alloc(len);
      k.v.copy(b, 0, 0, Math.min(len, k.v.length));
      return b.toString('hex');
    }
    default: return null;
  }
}
