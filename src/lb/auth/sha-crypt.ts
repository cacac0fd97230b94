/**
 * SHA-crypt password hashes, `$5$` (SHA-256) and `$6$` (SHA-512), as produced by
 * glibc's crypt(3), `mkpasswd` and `openssl passwd -5|-6` — the crypt'd passwords of
 * HAProxy `userlist` sections. Implemented from the published algorithm description
 * (U. Drepper, "Unix crypt using SHA-256 and SHA-512"): salt ≤ 16 characters, an
 * optional `rounds=N$` (1000–999999999, default 5000), the custom base64 alphabet.
 * Verification compares in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ORDER_512 = [[0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41]];
const ORDER_256 = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]];

function b64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) { out += ALPHABET[w & 0x3f]; w >>>= 6; }
  return out;
}

/** `repeat(d, n)`: the bytes of d repeated to exactly n bytes. */
function stretch(d: Buffer, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += d.length) d.copy(out, i, 0, Math.min(d.length, n - i));
  return out;
}

export function shaCrypt(password: string, setting: string): string | null {
  const m = /^\$([56])\$(?:rounds=(\d+)\$)?([^$]*)(?:\$.*)?$/.exec(setting);
  if (!m) return null;
  m[3] = m[3]!.slice(0, 16); // longer salts are cut, as crypt(3) does
  const algo = m[1] === '5' ? 'sha256' : 'sha512';
  const len = algo === 'sha256' ? 32 : 64;
  const rounds = m[2] === undefined ? 5000 : Math.min(999_999_999, Math.max(1000, Number(m[2])));
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(m[3]!, 'utf8');
  const H = (...parts: Buffer[]): Buffer => { const h = createHash(algo); for (const p of parts) h.update(p); return h.digest(); };

  const B = H(P, S, P);
  const a = createHash(algo);
  a.update(P);
  a.update(S);
  a.update(stretch(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  let A = a.digest();
  const DP = H(...Array.from({ length: P.length }, () => P));
  const Pseq = stretch(DP, P.length);
  const DS = H(...Array.from({ length: 16 + A[0]! }, () => S));
  const Sseq = stretch(DS, S.length);
  for (let r = 0; r < rounds; r++) {
    const c = createHash(algo);
    c.update(r & 1 ? Pseq : A);
    if (r % 3) c.update(Sseq);
    if (r % 7) c.update(Pseq);
    c.update(r & 1 ? A : Pseq);
    A = c.digest();
  }
  let out = '';
  if (len === 64) {
    for (const [x, y, z] of ORDER_512) out += b64(A[x!]!, A[y!]!, A[z!]!, 4);
    out += b64(0, 0, A[63]!, 2);
  } else {
    for (const [x, y, z] of ORDER_256) out += b64(A[x!]!, A[y!]!, A[z!]!, 4);
    out += b64(0, A[31]!, A[30]!, 3);
  }
  return `$${m[1]}$${m[2] === undefined ? '' : `rounds=${m[2]}$`}${m[3]}$${out}`;
}

/** Whether `password` matches a `$5$`/`$6$` hash. */
export function verifyShaCrypt(password: string, hash: string): boolean {
  const got = shaCrypt(password, hash);
  if (got === null || got.length !== hash.length) return false;
  return timingSafeEqual(Buffer.from(got), Buffer.from(hash));
}
