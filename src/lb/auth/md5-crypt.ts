/**
 * MD5-crypt password hashes (`$1$salt$hash`), the FreeBSD scheme of P.-H. Kamp that
 * glibc's crypt(3) and `openssl passwd -1` produce, implemented from its published
 * description: salt ≤ 8 characters, 1000 rounds of MD5 over password/salt/previous digest,
 * the crypt base64 alphabet. Weak by today's standards (kept because userlists written for
 * HAProxy carry such hashes); verification compares in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Digest bytes taken three at a time, in the scheme's order (the last byte alone). */
const ORDER = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]];

function b64(v: number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) { out += ALPHABET[v & 0x3f]; v >>>= 6; }
  return out;
}

/** The `$1$` hash of `password` with the salt of `setting` (`$1$salt` or a whole hash); null if not `$1$`. */
export function md5Crypt(password: string, setting: string): string | null {
  const m = /^\$1\$([^$]*)(?:\$.*)?$/.exec(setting);
  if (!m) return null;
  const salt = Buffer.from(m[1]!.slice(0, 8), 'utf8');
  const pw = Buffer.from(password, 'utf8');
  const md5 = () => createHash('md5');
  const alt = md5().update(pw).update(salt).update(pw).digest();
  const h = md5().update(pw).update('$1$').update(salt);
  for (let n = pw.length; n > 0; n -= 16) h.update(alt.subarray(0, Math.min(16, n)));
  for (let n = pw.length; n > 0; n >>= 1) h.update(n & 1 ? Buffer.alloc(1) : pw.subarray(0, 1));
  let d = h.digest();
  for (let r = 0; r < 1000; r++) {
    const c = md5();
    c.update(r & 1 ? pw : d);
    if (r % 3) c.update(salt);
    if (r % 7) c.update(pw);
    c.update(r & 1 ? d : pw);
    d = c.digest();
  }
  let out = '';
  for (const [a, b, c] of ORDER) out += b64((d[a!]! << 16) | (d[b!]! << 8) | d[c!]!, 4);
  out += b64(d[11]!, 2);
  return `$1$${salt.toString('utf8')}$${out}`;
}

/** Whether `password` matches a `$1$` hash. */
export function verifyMd5Crypt(password: string, hash: string): boolean {
  const got = md5Crypt(password, hash);
  if (got === null || got.length !== hash.length) return false;
  return timingSafeEqual(Buffer.from(got), Buffer.from(hash));
}
