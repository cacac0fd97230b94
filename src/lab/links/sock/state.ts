/**
 * Where a lab's sock cables live on disk and how their relay is recognised. One relay
 * process serves every sock cable of a lab; everything it creates is findable from the
 * lab state directory the caller gives us:
 *
 *   <stateDir>/sock/relay.pid   relay PID (created exclusively by the relay itself)
 *   <stateDir>/sock/relay.ctl   control socket (JSON lines)
 *   <stateDir>/sock/relay.log   relay stdout/stderr
 *
 * The relay's argv carries `--sy-sock=<lab>`, so a PID read from a stale pidfile is only
 * signalled when /proc/<pid>/cmdline still shows that tag (no PID-reuse accidents).
 * TAP devices need no record: they are non-persistent and vanish with the relay's fds.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SyError } from '../../../shared/errors.ts';

/** Lab names appear in argv tags and paths: strict. */
export const NAME_RE = /^[A-Za-z0-9_.-]{1,40}$/;
/** Cable names only travel in control messages: the lab core's link ids fit
 *  (`h1:eth1~sw1`), no slash, space or quote. */
export const CABLE_RE = /^[A-Za-z0-9_.:~@+-]{1,128}$/;
const UNIX_PATH_MAX = 107;

export type RelayPaths = { dir: string; pid: string; ctl: string; log: string };

export function relayPaths(stateDir: string): RelayPaths {
  const dir = join(stateDir, 'sock');
  const ctl = join(dir, 'relay.ctl');
  if (Buffer.byteLength(ctl) > UNIX_PATH_MAX) {
    throw new SyError('SY_ERR_SOCK_PATH', `control socket path too long for UNIX sockets (${Buffer.byteLength(ctl)} > ${UNIX_PATH_MAX}): ${ctl}`);
  }
  return { dir, pid: join(dir, 'relay.pid'), ctl, log: join(dir, 'relay.log') };
}

export function checkName(kind: 'lab' | 'cable', name: string): void {
  const re = kind === 'lab' ? NAME_RE : CABLE_RE;
  if (typeof name !== 'string' || !re.test(name)) {
    throw new SyError('SY_ERR_SOCK_NAME', `invalid ${kind} name ${JSON.stringify(name)} (allowed: ${re.source.slice(1, -1)})`);
  }
}

export const TAG_PREFIX = '--sy-sock=';

/** Exit status of a relay that found another live relay holding the state dir. */
export const EXIT_ALREADY_RUNNING = 3;

export function relayTag(lab: string): string {
  return `${TAG_PREFIX}${lab}`;
}

/** The tag in a process's argv, or null (no such process, or not a relay). */
export function relayTagOf(pid: number): string | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.find((a) => a.startsWith(TAG_PREFIX)) ?? null;
  } catch {
    return null;
  }
}

/** PID from the pidfile if that process is alive and is a tagged relay (of `lab`, if given). */
export function liveRelayPid(pidFile: string, lab?: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1) return null;
  const tag = relayTagOf(pid);
  if (tag === null || (lab !== undefined && tag !== relayTag(lab))) return null;
  try {
    if (readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] === 'Z') return null;
  } catch {
    return null;
  }
  return pid;
}

/** Transient root-namespace name for a TAP before it is moved and renamed (≤ 15 chars). */
export function tempTapName(pid: number, seq: number, end: 'a' | 'b'): string {
  return `sys${pid.toString(36)}${(seq % 1679616).toString(36)}${end}`;
}
