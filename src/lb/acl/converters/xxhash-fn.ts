/**
 * xxHash: XXH32, XXH64 and XXH3 (64-bit variant), written from the published algorithm
 * description (Yann Collet's "xxHash fast digest algorithm" and "XXH3" specification) —
 * not from the reference code. Results are bit-exact with the reference implementation
 * (checked against the vectors in xxhash.test.ts, recorded from HAProxy 2.6, which embeds
 * it). XXH32 works on 32-bit integers (Math.imul); the 64-bit variants use BigInt, which
 * is plenty for converter inputs (keys, header values) and keeps the code readable.
 */

const M32 = 0xffffffff;
const P32_1 = 0x9e3779b1;
const P32_2 = 0x85ebca77;
const P32_3 = 0xc2b2ae3d;
const P32_4 = 0x27d4eb2f;
const P32_5 = 0x165667b1;

const rotl32 = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
const rd32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** XXH32 of `b` with `seed` (taken modulo 2^32); an unsigned 32-bit integer. */
export function xxh32(b: Uint8Array, seed = 0): number {
  const len = b.length;
  seed >>>= 0;
  let i = 0;
  let acc: number;
  const round = (a: number, lane: number): number => Math.imul(rotl32((a + Math.imul(lane, P32_2)) >>> 0, 13), P32_1) >>> 0;
  if (len >= 16) {
    let v1 = (seed + P32_1 + P32_2) >>> 0;
    let v2 = (seed + P32_2) >>> 0;
    let v3 = seed;
    let v4 = (seed - P32_1) >>> 0;
    for (; i + 16 <= len; i += 16) {
      v1 = round(v1, rd32(b, i));
      v2 = round(v2, rd32(b, i + 4));
      v3 = round(v3, rd32(b, i + 8));
      v4 = round(v4, rd32(b, i + 12));
    }
    acc = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) >>> 0;
  } else {
    acc = (seed + P32_5) >>> 0;
  }
  acc = (acc + len) >>> 0;
  for (; i + 4 <= len; i += 4) acc = Math.imul(rotl32((acc + Math.imul(rd32(b, i), P32_3)) >>> 0, 17), P32_4) >>> 0;
  for (; i < len; i++) acc = Math.imul(rotl32((acc + Math.imul(b[i]!, P32_5)) >>> 0, 11), P32_1) >>> 0;
  acc ^= acc >>> 15;
  acc = Math.imul(acc, P32_2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, P32_3);
  acc ^= acc >>> 16;
  return (acc & M32) >>> 0;
}

// ---- 64-bit arithmetic ----------------------------------------------------------------

const M64 = (1n << 64n) - 1n;
const P64_1 = 0x9e3779b185ebca87n;
const P64_2 = 0xc2b2ae3d27d4eb4fn;
const P64_3 = 0x165667b19e3779f9n;
const P64_4 = 0x85ebca77c2b2ae63n;
const P64_5 = 0x27d4eb2f165667c5n;

const u64 = (x: bigint): bigint => x & M64;
const mul = (a: bigint, b: bigint): bigint => (a * b) & M64;
const add = (a: bigint, b: bigint): bigint => (a + b) & M64;
const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;

function rd64(b: Uint8Array, i: number): bigint {
  return BigInt(rd32(b, i)) | (BigInt(rd32(b, i + 4)) << 32n);
}

const rd32n = (b: Uint8Array, i: number): bigint => BigInt(rd32(b, i));

function avalanche64(h: bigint): bigint {
  h ^= h >> 33n;
  h = mul(h, P64_2);
  h ^= h >> 29n;
  h = mul(h, P64_3);
  return h ^ (h >> 32n);
}

/** XXH64 of `b` with `seed` (modulo 2^64); an unsigned 64-bit integer. */
export function xxh64(b: Uint8Array, seed = 0n): bigint {
  const len = b.length;
  seed = u64(seed);
  const round = (acc: bigint, lane: bigint): bigint => mul(rotl64(add(acc, mul(lane, P64_2)), 31n), P64_1);
  const merge = (acc: bigint, v: bigint): bigint => add(mul(acc ^ round(0n, v), P64_1), P64_4);
  let i = 0;
  let acc: bigint;
  if (len >= 32) {
    let v1 = add(add(seed, P64_1), P64_2);
    let v2 = add(seed, P64_2);
    let v3 = seed;
    let v4 = u64(seed - P64_1);
    for (; i + 32 <= len; i += 32) {
      v1 = round(v1, rd64(b, i));
      v2 = round(v2, rd64(b, i + 8));
      v3 = round(v3, rd64(b, i + 16));
      v4 = round(v4, rd64(b, i + 24));
    }
    acc = add(add(rotl64(v1, 1n), rotl64(v2, 7n)), add(rotl64(v3, 12n), rotl64(v4, 18n)));
    acc = merge(merge(merge(merge(acc, v1), v2), v3), v4);
  } else {
    acc = add(seed, P64_5);
  }
  acc = add(acc, BigInt(len));
  for (; i + 8 <= len; i += 8) acc = add(mul(rotl64(acc ^ round(0n, rd64(b, i)), 27n), P64_1), P64_4);
  if (i + 4 <= len) { acc = add(mul(rotl64(acc ^ mul(rd32n(b, i), P64_1), 23n), P64_2), P64_3); i += 4; }
  for (; i < len; i++) acc = mul(rotl64(acc ^ mul(BigInt(b[i]!), P64_5), 11n), P64_1);
  return avalanche64(acc);
}

// ---- XXH3, 64-bit result --------------------------------------------------------------

/** The specification's default 192-byte secret. */
const SECRET = Buffer.from(
  'b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671fcb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c' +
  '3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364' +
  'eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e', 'hex');

const swap32 = (x: bigint): bigint => ((x & 0xffn) << 24n) | ((x & 0xff00n) << 8n) | ((x >> 8n) & 0xff00n) | ((x >> 24n) & 0xffn);
function swap64(x: bigint): bigint {
  let r = 0n;
  for (let k = 0; k < 8; k++) { r = (r << 8n) | (x & 0xffn); x >>= 8n; }
  return r;
}

/** The 128-bit product of two 64-bit values, folded (low half XOR high half). */
function mulFold(a: bigint, b: bigint): bigint {
  const p = a * b;
  return (p & M64) ^ (p >> 64n);
}

function avalanche3(h: bigint): bigint {
  h ^= h >> 37n;
  h = mul(h, 0x165667919e3779f9n);
  return h ^ (h >> 32n);
}

function rrmxmx(h: bigint, len: number): bigint {
  h ^= rotl64(h, 49n) ^ rotl64(h, 24n);
  h = mul(h, 0x9fb21c651e98df25n);
  h ^= (h >> 35n) + BigInt(len);
  h = mul(h, 0x9fb21c651e98df25n);
  return h ^ (h >> 28n);
}

function mix16(b: Uint8Array, i: number, s: Uint8Array, j: number, seed: bigint): bigint {
  return mulFold(rd64(b, i) ^ add(rd64(s, j), seed), rd64(b, i + 8) ^ u64(rd64(s, j + 8) - seed));
}

function short3(b: Uint8Array, seed: bigint): bigint {
  const len = b.length;
  const s = SECRET;
  if (len === 0) return avalanche64(seed ^ rd64(s, 56) ^ rd64(s, 64));
  if (len <= 3) {
    const combined = BigInt(((b[0]! << 16) | (b[len >> 1]! << 24) | b[len - 1]! | (len << 8)) >>> 0);
    return avalanche64(combined ^ add(rd32n(s, 0) ^ rd32n(s, 4), seed));
  }
  if (len <= 8) {
    const sd = seed ^ (swap32(seed & 0xffffffffn) << 32n);
    const input64 = add(rd32n(b, len - 4), rd32n(b, 0) << 32n);
    return rrmxmx(input64 ^ u64((rd64(s, 8) ^ rd64(s, 16)) - sd), len);
  }
  if (len <= 16) {
    const lo = rd64(b, 0) ^ add(rd64(s, 24) ^ rd64(s, 32), seed);
    const hi = rd64(b, len - 8) ^ u64((rd64(s, 40) ^ rd64(s, 48)) - seed);
    return avalanche3(add(add(BigInt(len), swap64(lo)), add(hi, mulFold(lo, hi))));
  }
  let acc = mul(BigInt(len), P64_1);
  if (len <= 128) {
    if (len > 32) {
      if (len > 64) {
        if (len > 96) acc = add(add(acc, mix16(b, 48, s, 96, seed)), mix16(b, len - 64, s, 112, seed));
        acc = add(add(acc, mix16(b, 32, s, 64, seed)), mix16(b, len - 48, s, 80, seed));
      }
      acc = add(add(acc, mix16(b, 16, s, 32, seed)), mix16(b, len - 32, s, 48, seed));
    }
    acc = add(add(acc, mix16(b, 0, s, 0, seed)), mix16(b, len - 16, s, 16, seed));
    return avalanche3(acc);
  }
  // 129..240 bytes
  const rounds = len >> 4;
  for (let k = 0; k < 8; k++) acc = add(acc, mix16(b, 16 * k, s, 16 * k, seed));
  acc = avalanche3(acc);
  for (let k = 8; k < rounds; k++) acc = add(acc, mix16(b, 16 * k, s, 16 * (k - 8) + 3, seed));
  acc = add(acc, mix16(b, len - 16, s, 136 - 17, seed));
  return avalanche3(acc);
}

function long3(b: Uint8Array, seed: bigint): bigint {
  const len = b.length;
  let s: Uint8Array = SECRET;
  if (seed !== 0n) {
    // The seed is folded into a private copy of the secret.
    const c = Buffer.alloc(SECRET.length);
    for (let k = 0; k < SECRET.length; k += 16) {
      c.writeBigUInt64LE(add(rd64(SECRET, k), seed), k);
      c.writeBigUInt64LE(u64(rd64(SECRET, k + 8) - seed), k + 8);
    }
    s = c;
  }
  const acc = [BigInt(P32_3), P64_1, P64_2, P64_3, P64_4, BigInt(P32_2), P64_5, BigInt(P32_1)];
  const stripe = (i: number, j: number): void => {
    for (let k = 0; k < 8; k++) {
      const data = rd64(b, i + 8 * k);
      const key = data ^ rd64(s, j + 8 * k);
      acc[k ^ 1] = add(acc[k ^ 1]!, data);
      acc[k] = add(acc[k]!, (key & 0xffffffffn) * (key >> 32n));
    }
  };
  const scramble = (j: number): void => {
    for (let k = 0; k < 8; k++) {
      let a = acc[k]!;
      a ^= a >> 47n;
      a ^= rd64(s, j + 8 * k);
      acc[k] = mul(a, BigInt(P32_1));
    }
  };
  const perBlock = (s.length - 64) / 8;
  const blockLen = 64 * perBlock;
  const blocks = Math.floor((len - 1) / blockLen);
  for (let n = 0; n < blocks; n++) {
    for (let k = 0; k < perBlock; k++) stripe(n * blockLen + 64 * k, 8 * k);
    scramble(s.length - 64);
  }
  const stripes = Math.floor((len - 1 - blockLen * blocks) / 64);
  for (let k = 0; k < stripes; k++) stripe(blocks * blockLen + 64 * k, 8 * k);
  stripe(len - 64, s.length - 64 - 7);
  let r = mul(BigInt(len), P64_1);
  for (let k = 0; k < 4; k++) r = add(r, mulFold(acc[2 * k]! ^ rd64(s, 11 + 16 * k), acc[2 * k + 1]! ^ rd64(s, 11 + 16 * k + 8)));
  return avalanche3(r);
}

/** XXH3 64-bit of `b` with `seed` (modulo 2^64); an unsigned 64-bit integer. */
export function xxh3(b: Uint8Array, seed = 0n): bigint {
  seed = u64(seed);
  return b.length <= 240 ? short3(b, seed) : long3(b, seed);
}
