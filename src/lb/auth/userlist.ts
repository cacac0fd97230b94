/**
 * `userlist NAME` sections: users with a password (crypt'd `$5$`/`$6$`/`$1$`, or
 * `insecure-password` in clear) and groups, for `http_auth(NAME)` /
 * `http_auth_group(NAME)` and `http-request auth`. A registry by name is filled while
 * the configuration is read; the fetches look names up when they run.
 *
 * Checking a crypt'd password costs thousands of hash rounds (as in HAProxy): verified
 * pairs are remembered (a small bounded cache of successes only), so a legitimate user
 * does not pay it on every request and a wrong guess never becomes cheaper.
 */
import { createHash } from 'node:crypto';
import { verifyShaCrypt } from './sha-crypt.ts';
import { verifyMd5Crypt } from './md5-crypt.ts';

export interface User {
  name: string;
  /** Crypt'd hash, or null with `insecure` set. */
  hash: string | null;
  insecure: string | null;
  groups: Set<string>;
}

export class Userlist {
  readonly name: string;
  readonly users = new Map<string, User>();
  /** Group name → member user names (from `group … users` and `user … groups`). */
  readonly groups = new Map<string, Set<string>>();
  private readonly verified = new Map<string, true>();

  constructor(name: string) { this.name = name; }

  /** The user name if `user`/`pass` are valid, else null. */
  check(user: string, pass: string): string | null {
    const u = this.users.get(user);
    if (!u) return null;
    if (u.insecure !== null) return u.insecure === pass ? user : null;
    const key = createHash('sha256').update(`${user}\0${pass}`).digest('base64');
    if (this.verified.has(key)) return user;
    if (!u.hash || !(u.hash.startsWith('$1$') ? verifyMd5Crypt(pass, u.hash) : verifyShaCrypt(pass, u.hash))) return null;
    if (this.verified.size >= 1024) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, true);
    return user;
  }

  inGroup(user: string, group: string): boolean {
    return this.users.get(user)?.groups.has(group) === true || this.groups.get(group)?.has(user) === true;
  }
}

export const userlists = new Map<string, Userlist>();

/** user:password from an `Authorization: Basic …` value, or null. */
export function basicCredentials(value: string | undefined): { user: string; pass: string } | null {
  if (!value) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('latin1');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), pass: text.slice(colon + 1) };
}
