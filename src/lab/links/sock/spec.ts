/**
 * Validation of a cable spec and placement of its TAPs (the only `ip` calls of the sock
 * cable: move into the namespace under the final name, MAC, MTU, up — one command).
 */
import { execFileSync } from 'node:child_process';
import { SyError } from '../../../shared/errors.ts';
import { normalizeImpairment } from './impair.ts';
import type { Impairment, SockCableSpec, SockEnd } from './types.ts';

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const IFNAME_RE = /^[A-Za-z0-9_.@-]{1,15}$/;
const NETNS_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Split a spec's impairment into per-direction values (validated). */
export function splitImpairment(imp: SockCableSpec['impairment']): { ab: Impairment; ba: Impairment } {
  if (!imp) return { ab: {}, ba: {} };
  if ('ab' in imp || 'ba' in imp) {
    const d = imp as { ab?: Impairment; ba?: Impairment };
    return { ab: normalizeImpairment(d.ab), ba: normalizeImpairment(d.ba) };
  }
  const one = normalizeImpairment(imp as Impairment);
  return { ab: one, ba: { ...one } };
}

export function validateEnd(e: SockEnd, which: string): void {
  if (!e || typeof e.ifname !== 'string' || !IFNAME_RE.test(e.ifname)) {
    throw new SyError('SY_ERR_SOCK_NAME', `end ${which}: interface name must be 1–15 chars [A-Za-z0-9_.@-], got ${JSON.stringify(e?.ifname)}`);
  }
  if (e.netns !== undefined && !NETNS_RE.test(e.netns)) {
    throw new SyError('SY_ERR_SOCK_NAME', `end ${which}: invalid netns name ${JSON.stringify(e.netns)}`);
  }
  if (e.mac !== undefined && !MAC_RE.test(e.mac)) throw new SyError('SY_ERR_SOCK_NAME', `end ${which}: invalid MAC ${e.mac}`);
  if (e.mtu !== undefined && !(Number.isInteger(e.mtu) && e.mtu >= 68 && e.mtu <= 65521)) {
    throw new SyError('SY_ERR_SOCK_NAME', `end ${which}: MTU must be an integer in 68–65521, got ${e.mtu}`);
  }
}

function ip(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 10_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new SyError('SY_ERR_SOCK_TAP', `ip ${args.join(' ')}: ${(err.stderr || err.message).trim()}`);
  }
}

/**
 * Fallback for kernels without TUNSETCARRIER (< 5.0): administrative down/up inside the
 * node. Coarser than a carrier loss (the node's static routes on that link are flushed).
 */
export function setAdminUp(end: SockEnd, up: boolean): void {
  ip([...(end.netns ? ['-n', end.netns] : []), 'link', 'set', 'dev', end.ifname, up ? 'up' : 'down']);
}

/** Move a freshly created TAP into its namespace under its final name, configure, up. */
export function placeTap(tmp: string, end: SockEnd): void {
  const args = ['link', 'set', 'dev', tmp];
  if (end.netns) args.push('netns', end.netns);
  args.push('name', end.ifname);
  if (end.mac) args.push('address', end.mac);
  if (end.mtu) args.push('mtu', String(end.mtu));
  args.push('up');
  ip(args);
}
