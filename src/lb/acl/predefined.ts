/**
 * HAProxy 2.6's predefined ACLs, written as ordinary ACL lines and compiled on first use.
 * Differences: RDP_COOKIE is always false (we do not parse RDP cookies); WAIT_END is
 * always true (there is no tcp-request inspect-delay wait to end yet).
 */
import type { CompileEnv } from './types.ts';
import { Acl, compileTerm } from './acl.ts';

const DEFS: Record<string, string[]> = {
  TRUE: ['always_true'],
  FALSE: ['always_false'],
  HTTP: ['req.proto_http'],
  'HTTP_1.0': ['req.ver', '1.0'],
  'HTTP_1.1': ['req.ver', '1.1'],
  'HTTP_2.0': ['req.ver', '2.0'],
  HTTP_CONTENT: ['req.hdr_val(content-length)', 'gt', '0'],
  HTTP_URL_ABS: ['url_reg', '^[^/:]*://'],
  HTTP_URL_SLASH: ['url_beg', '/'],
  HTTP_URL_STAR: ['url', '*'],
  LOCALHOST: ['src', '127.0.0.1/8', '::1'],
  METH_CONNECT: ['method', 'CONNECT'],
  METH_DELETE: ['method', 'DELETE'],
  METH_GET: ['method', 'GET', 'HEAD'],
  METH_HEAD: ['method', 'HEAD'],
  METH_OPTIONS: ['method', 'OPTIONS'],
  METH_POST: ['method', 'POST'],
  METH_PUT: ['method', 'PUT'],
  METH_TRACE: ['method', 'TRACE'],
  RDP_COOKIE: ['always_false'],
  REQ_CONTENT: ['req.len', 'gt', '0'],
  WAIT_END: ['always_true'],
};

export const PREDEFINED_ACL_NAMES: readonly string[] = Object.keys(DEFS);

const cache = new Map<string, Acl>();

/** The predefined ACL of that name, or undefined. */
export function predefinedAcl(name: string): Acl | undefined {
  const words = DEFS[name];
  if (!words) return undefined;
  let acl = cache.get(name);
  if (!acl) {
    const env: CompileEnv = { baseDir: process.cwd() };
    acl = new Acl(name);
    acl.terms.push(compileTerm(words, env));
    cache.set(name, acl);
  }
  return acl;
}
