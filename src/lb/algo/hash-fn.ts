/**
 * HAProxy's hash functions, bit-exact, over the bytes of a key (strings are taken as
 * latin1, one byte per char, which is how request heads are decoded). Written from the
 * documented definitions of the functions (sdbm and djb2 as published by their authors,
 * wt6 as described in HAProxy's configuration manual, CRC-32 IEEE 802.3 reflected) and
 * checked against HAProxy 2.6 picks in hash.test.ts. All results are unsigned 32-bit.
 */
import type { HashFunction } from './config.ts';

export type Bytes = Uint8Array | string;

function byteAt(key: Bytes, i: number): number {
  return typeof key === 'string' ? key.charCodeAt(i) & 0xff : key[i]!;
}

/** sdbm: h = c + (h << 6) + (h << 16) - h. HAProxy's default. */
export function sdbm(key: Bytes): number {
  let h = 0;
  if (typeof key === 'string') {
    for (let i = 0; i < key.length; i++) h = ((key.charCodeAt(i) & 0xff) + (h << 6) + (h << 16) - h) | 0;
  } else {
    for (let i = 0; i < key.length; i++) h = (key[i]! + (h << 6) + (h << 16) - h) | 0;
  }
  return h >>> 0;
}

/** djb2: h = h * 33 + c, starting at 5381. */
export function djb2(key: Bytes): number {
  let h = 5381;
  if (typeof key === 'string') {
    for (let i = 0; i < key.length; i++) h = (Math.imul(h, 33) + (key.charCodeAt(i) & 0xff)) | 0;
  } else {
    for (let i = 0; i < key.length; i++) h = (Math.imul(h, 33) + key[i]!) | 0;
  }
  return h >>> 0;
}

/** wt6: two 32-bit words rotated by amounts that depend on the data (Willy Tarreau, 2013). */
export function wt6(key: Bytes): number {
  let h0 = 0xa53c965a;
  let h1 = 0x5ca6953a;
  let step0 = 6;
  let step1 = 18;
  for (let i = 0; i < key.length; i++) {
    const c = byteAt(key, i);
    h0 = ~(h0 ^ c);
    h1 = ~((h1 + c) | 0);
    const t = rotl(h1, step0);
    h1 = rotl(h0, step1);
    h0 = t;
    const u = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = u & 0x1f;
    step1 = u >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

/** Rotate left; a rotation by 0 or 32 leaves the word as is (as the C shifts do for 0). */
function rotl(x: number, n: number): number {
  n &= 31;
  return n === 0 ? x | 0 : (x << n) | (x >>> (32 - n));
}

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (the zlib/Ethernet one). */
export function crc32(key: Bytes): number {
  let c = 0xffffffff;
  for (let i = 0; i < key.length; i++) c = CRC_TABLE[(c ^ byteAt(key, i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The `avalanche` mix: Bob Jenkins' 6-shift integer hash (burtleburtle.net/bob/hash/
 * integer.html), then a multiplication by 3221225473 to spread values over the ring.
 * Also what places consistent-hash ring nodes.
 */
export function avalanche(a: number): number {
  a = (a + 0x7ed55d16 + (a << 12)) | 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) | 0;
  a = (a + 0x165667b1 + (a << 5)) | 0;
  a = ((a + 0xd3a2646c) | 0) ^ (a << 9);
  a = (a + 0xfd7046c5 + (a << 3)) | 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) | 0;
  return Math.imul(a, 3221225473) >>> 0;
}

export const HASH_FUNCTIONS: Record<HashFunction, (key: Bytes) => number> = { sdbm, djb2, wt6, crc32 };
