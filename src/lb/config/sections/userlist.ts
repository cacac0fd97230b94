/**
 * `userlist NAME` sections (HAProxy 2.6): `group NAME [users U1,U2…]` and
 * `user NAME [password HASH | insecure-password PASS] [groups G1,G2…]`. Crypt'd
 * passwords must be SHA-crypt (`$5$`, `$6$`, e.g. `mkpasswd -m sha-512`) or MD5-crypt
 * (`$1$`, `openssl passwd -1`); other crypt(3) schemes (bcrypt `$2b$`, yescrypt `$y$`,
 * DES) are refused as not implemented (HAProxy hands them to the system's crypt(3)).
 * Refusing at load time beats a user that can never log in.
 */
import type { ParseContext } from '../context.ts';
import { Userlist, userlists } from '../../auth/userlist.ts';

export function openUserlist(ctx: ParseContext, words: string[]): Userlist | null {
  const name = words[1];
  if (!name) { ctx.alert('SY_ERR_CFG_ARG', `'userlist' expects <name> as argument.`); return null; }
  const mine = (ctx.config.userlists ??= new Map());
  if (mine.has(name)) { ctx.alert('SY_ERR_CFG_DUPLICATE', `userlist '${name}' is declared twice.`); return null; }
  const ul = new Userlist(name);
  mine.set(name, ul);
  // The fetches find userlists by name at run time (the last configuration read wins).
  userlists.set(name, ul);
  return ul;
}

export function parseUserlistLine(ctx: ParseContext, ul: Userlist, args: string[]): void {
  const kw = args[0];
  if (kw === 'group') {
    const g = args[1];
    if (!g) return ctx.alert('SY_ERR_CFG_ARG', `'group' expects <name>.`);
    const members = ul.groups.get(g) ?? new Set<string>();
    ul.groups.set(g, members);
    for (let i = 2; i < args.length; i++) {
      if (args[i] !== 'users' || !args[i + 1]) return ctx.alert('SY_ERR_CFG_ARG', `'group ${g}' : expects 'users' followed by a comma-separated list.`);
      for (const u of args[++i]!.split(',')) if (u) members.add(u);
    }
    return;
  }
  if (kw === 'user') {
    const n = args[1];
    if (!n) return ctx.alert('SY_ERR_CFG_ARG', `'user' expects <name>.`);
    if (ul.users.has(n)) return ctx.alert('SY_ERR_CFG_DUPLICATE', `userlist '${ul.name}' : user '${n}' is declared twice.`);
    const user = { name: n, hash: null as string | null, insecure: null as string | null, groups: new Set<string>() };
    for (let i = 2; i < args.length; i++) {
      const w = args[i];
      const v = args[i + 1];
      if (v === undefined) return ctx.alert('SY_ERR_CFG_ARG', `'user ${n}' : '${w}' expects a value.`);
      i++;
      if (w === 'password') {
        if (/^\$2[abxy]?\$/.test(v)) return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'user ${n}' : bcrypt passwords ('${v.slice(0, 4)}…') are not implemented in Switchyard; use a SHA-crypt hash ('openssl passwd -6', 'mkpasswd -m sha-512'), an MD5-crypt one ('openssl passwd -1') or 'insecure-password'.`);
        if (!/^\$[156]\$/.test(v)) return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'user ${n}' : only SHA-crypt ('$5$…', '$6$…') and MD5-crypt ('$1$…') passwords are implemented; use 'openssl passwd -6' or 'insecure-password'.`);
        user.hash = v;
      } else if (w === 'insecure-password') {
        user.insecure = v;
      } else if (w === 'groups') {
        for (const g of v.split(',')) if (g) user.groups.add(g);
      } else {
        return ctx.alert('SY_ERR_CFG_ARG', `'user ${n}' : expects 'password', 'insecure-password' or 'groups', got '${w}'.`);
      }
    }
    if (user.hash === null && user.insecure === null) return ctx.alert('SY_ERR_CFG_ARG', `'user ${n}' : needs 'password' or 'insecure-password'.`);
    ul.users.set(n, user);
    return;
  }
  ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown keyword '${kw}' in 'userlist' section; supported: user, group.`);
}
