/**
 * Parsed logging settings (plain data, no sockets): what `log`, `log-tag`,
 * `log-send-hostname`, `log-format*` and the logging options leave in the configuration.
 * src/lb/log/access-log.ts turns them into live loggers.
 */

/** Syslog header shapes HAProxy 2.6 offers (`log … format X`); `local` is its default. */
export const LOG_FORMATS = ['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'] as const;
export type SyslogFormat = (typeof LOG_FORMATS)[number];

/** The 24 syslog facilities, in code order (index = facility code). */
export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit', 'alert', 'cron2',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

/** The 8 syslog severities, in code order (index = level code; lower is more severe). */
export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** Where lines go. UDP targets carry a resolved numeric address. */
export type LogAddress =
  | { kind: 'udp'; host: string; family: 4 | 6; port: number }
  | { kind: 'fd'; fd: number }
  | { kind: 'unix'; path: string };

export interface LogTarget {
  /** The address as written, for messages. */
  text: string;
  address: LogAddress;
  /** Longest line sent (bytes, 80–65535; default 1024); longer lines are truncated. */
  maxLen: number;
  format: SyslogFormat;
  /** `format` was written explicitly (log-send-hostname only changes the implicit default). */
  formatExplicit: boolean;
  /** Facility code 0–23. */
  facility: number;
  /** Lines of a level above (less severe than) this are not sent; 7 = all. */
  maxLevel: number;
  /** Lines more severe than this are sent at this level; 0 = no cap. */
  minLevel: number;
  /** `sample RANGES:SIZE`: only line numbers (1-based, modulo size) inside a range are sent. */
  sample: { ranges: Array<[number, number]>; size: number } | null;
}

/** `log` lines of a proxy: own targets, and 'global' where `log global` stood. */
export type ProxyLogTarget = LogTarget | 'global';

export interface ProxyLogSettings {
  targets: ProxyLogTarget[];
  /**
   * Which traffic format applies: `default` (HAProxy's "Connect from" line), the built-in
   * ones, or `custom` (log-format). The last of option tcplog/httplog/log-format wins.
   */
  formatKind: 'default' | 'tcplog' | 'httplog' | 'clf' | 'custom';
  /** The log-format string (formatKind 'custom'). */
  format: string;
  /** Where the format was set, for finalize messages. */
  formatWhere?: { file: string; line: number };
  /** `log-format-sd` (RFC 5424 structured data), '' when none. */
  sdFormat: string;
  /** `error-log-format`, '' when none: used for lines that count as errors. */
  errorFormat: string;
  /** `log-tag` of this proxy, undefined = the global one. */
  tag?: string;
  /** `option log-separate-errors`: error lines go out at level err instead of info. */
  separateErrors: boolean;
  /** `option logasap`: accepted; see docs/configuration.md ("Logs") for what it does here. */
  logasap: boolean;
  /** `unique-id-format` ('' = none): a log-format string evaluated once per request. */
  uniqueIdFormat: string;
  /** `unique-id-header` ('' = none): the request header that carries the id to the server. */
  uniqueIdHeader: string;
}

export interface GlobalLogSettings {
  targets: LogTarget[];
  /** `log-tag`, undefined = "switchyard" (HAProxy uses its program name). */
  tag?: string;
  /** `log-send-hostname [NAME]`: true = the system's host name. */
  sendHostname?: string | true;
}

export function defaultProxyLog(): ProxyLogSettings {
  return { targets: [], formatKind: 'default', format: '', sdFormat: '', errorFormat: '', separateErrors: false, logasap: false, uniqueIdFormat: '', uniqueIdHeader: '' };
}

export function cloneProxyLog(s: ProxyLogSettings): ProxyLogSettings {
  return { ...s, targets: [...s.targets] };
}
