/**
 * `http_auth(userlist)`: true when the request's Basic credentials are valid for a user
 * of the userlist (src/lb/auth/userlist.ts); `http_auth_group(userlist)`: the user's name
 * as a sample, and in an ACL each of the user's groups (so `acl admins
 * http_auth_group(L) admin ops` matches a user in either group, as HAProxy).
 */
import { defineFetch } from '../registry.ts';
import type { SampleContext } from '../types.ts';
import { SampleError } from '../types.ts';
import { basicCredentials, userlists } from '../../auth/userlist.ts';

function authorization(c: SampleContext): string | undefined {
  const r = c.req;
  if (!r) return undefined;
  for (let i = 0; i < r.fieldCount; i++) if (r.fieldName(i) === 'authorization') return r.fieldValue(i);
  return undefined;
}

function userOf(list: string, c: SampleContext): string | null {
  const ul = userlists.get(list);
  const cred = basicCredentials(authorization(c));
  return ul && cred ? ul.check(cred.user, cred.pass) : null;
}

defineFetch({
  name: 'http_auth', minArgs: 1, maxArgs: 1, out: 'bool', stage: 'request', match: 'bool',
  compile: (args) => {
    const list = args[0]!;
    if (!list) throw new SampleError(`'http_auth' expects a userlist name`);
    return (c) => ({ type: 'bool', v: userOf(list, c) !== null });
  },
});

defineFetch({
  name: 'http_auth_group', minArgs: 1, maxArgs: 1, out: 'str', stage: 'request', match: 'str',
  compile: (args) => {
    const list = args[0]!;
    if (!list) throw new SampleError(`'http_auth_group' expects a userlist name`);
    return (c) => {
      const u = userOf(list, c);
      return u === null ? null : { type: 'str', v: u };
    };
  },
  compileEach: (args) => {
    const list = args[0]!;
    return (c, visit) => {
      const u = userOf(list, c);
      const ul = userlists.get(list);
      if (u === null || !ul) return false;
      for (const [g, members] of ul.groups) if (members.has(u) && visit({ type: 'str', v: g })) return true;
      for (const g of ul.users.get(u)?.groups ?? []) if (visit({ type: 'str', v: g })) return true;
      return false;
    };
  },
});
