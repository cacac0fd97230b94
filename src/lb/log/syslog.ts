/**
 * Syslog framing: wraps one message in the header a target's `format` asks for, with
 * HAProxy 2.6's exact shapes (measured against /usr/sbin/haproxy):
 *   local     <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG          (HAProxy's default)
 *   rfc3164   <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG     (HOST "localhost" unless log-send-hostname)
 *   rfc5424   <PRI>1 ISODATE HOST TAG PID - SD MSG         (HOST and SD '-' when unset)
 *   priority  <PRI>MSG      short <LEVEL>MSG      timed <LEVEL>ISODATE MSG
 *   iso       ISODATE MSG   raw   MSG
 * Every line ends with '\n'. PRI = facility × 8 + level.
 */
import { hostname } from 'node:os';
import type { SyslogFormat } from './types.ts';
import { isoDate, rfc3164Date } from './dates.ts';

export interface HeaderContext {
  tag: string;
  pid: number;
  /** `log-send-hostname`: the name to send, or undefined when not set. */
  hostname: string | undefined;
}

/** The name `log-send-hostname` without argument sends. */
export const SYSTEM_HOSTNAME = hostname();

/**
 * What goes before the message on a line for one target (everything but MSG and the final
 * '\n'). `now` is a millisecond timestamp (fractional for microseconds), `sd` the evaluated
 * log-format-sd ('' = none, rfc5424 only).
 */
function syslogHead(format: SyslogFormat, facility: number, level: number, ctx: HeaderContext, now: number, sd: string): string {
  switch (format) {
    case 'raw': return '';
    case 'short': return `<${level}>`;
    case 'priority': return `<${facility * 8 + level}>`;
    case 'iso': return `${isoDate(now)} `;
    case 'timed': return `<${level}>${isoDate(now)} `;
    case 'rfc5424': return `<${facility * 8 + level}>1 ${isoDate(now)} ${ctx.hostname ?? '-'} ${ctx.tag} ${ctx.pid} - ${sd || '-'} `;
    case 'rfc3164': return `<${facility * 8 + level}>${rfc3164Date(now)} ${ctx.hostname ?? 'localhost'} ${ctx.tag}[${ctx.pid}]: `;
    case 'local': return `<${facility * 8 + level}>${rfc3164Date(now)} ${ctx.tag}[${ctx.pid}]: `;
  }
}

/** Whether syslogHead() prints the time for `format` (raw, short and priority do not read `now`). */
export function headerPrintsTime(format: SyslogFormat): boolean {
  return format !== 'raw' && format !== 'short' && format !== 'priority';
}

/** The whole line for one target: the header, the message, '\n'. */
export function buildSyslogLine(format: SyslogFormat, facility: number, level: number, ctx: HeaderContext, now: number, msg: string, sd = ''): string {
  return syslogHead(format, facility, level, ctx, now, sd) + msg + '\n';
}

/**
 * `len N`: a line longer than N bytes is cut to N bytes, the last one kept as '\n'.
 * Works on the UTF-8 bytes of the line.
 */
export function truncateLine(line: Buffer, maxLen: number): Buffer {
  if (line.length <= maxLen) return line;
  const out = line.subarray(0, maxLen);
  out[maxLen - 1] = 0x0a;
  return out;
}

export type SyslogFramer = (level: number, now: number, msg: string, sd: string) => string;

/**
 * The header of a target whose header holds whole seconds at most (local, rfc3164, raw,
 * short, priority), built once per second and level, not once per line — the same string
 * each time until either changes (callers may cache what they derive from it by identity).
 * Null for the formats with sub-second dates or structured data (rfc5424, iso, timed).
 */
export function syslogHeader(format: SyslogFormat, facility: number, ctx: HeaderContext): ((level: number, now: number) => string) | null {
  if (format === 'rfc5424' || format === 'iso' || format === 'timed') return null;
  let sec = NaN;
  let lvl = -1;
  let head = '';
  return (level, now) => {
    const s = Math.floor(now / 1000);
    if (s !== sec || level !== lvl) {
      sec = s;
      lvl = level;
      head = syslogHead(format, facility, level, ctx, now, '');
    }
    return head;
  };
}

/** buildSyslogLine() for one target (format, facility and header context fixed), with syslogHeader()'s cache where it applies. */
export function syslogFramer(format: SyslogFormat, facility: number, ctx: HeaderContext): SyslogFramer {
  const head = syslogHeader(format, facility, ctx);
  if (head === null) return (level, now, msg, sd) => buildSyslogLine(format, facility, level, ctx, now, msg, sd);
  return (level, now, msg) => head(level, now) + msg + '\n';
}
