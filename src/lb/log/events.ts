/**
 * Proxy events in the proxy's own log (HAProxy's send_log(proxy, level, …)): server
 * state changes and `option log-health-checks` lines go to the log targets of the
 * backend concerned, besides stderr. HAProxy 2.6's levels, measured: a server going
 * DOWN is alert, UP / stopping / health-check lines are notice, "backend X has no
 * server available!" is emerg. A backend without log targets (no `log`, or `no log`)
 * sends nothing here.
 *
 * The runtime registers each backend once (registerProxyEvents); checks then call
 * proxyEvent() by backend name. Lines are framed per target like access-log lines
 * (format, facility, level filters, len), without the per-target sampler.
 */
import type { GlobalLogSettings, ProxyLogSettings, LogTarget } from './types.ts';
import { resolveTargets } from './access-log.ts';
import { buildSyslogLine, truncateLine, SYSTEM_HOSTNAME, type HeaderContext } from './syslog.ts';
import { getLogSink, type LogSink } from './sinks.ts';

export const LOG_EMERG = 0;
export const LOG_ALERT = 1;
export const LOG_NOTICE = 5;

interface EventLog {
  targets: { t: LogTarget; sink: LogSink }[];
  header: HeaderContext;
}

const proxies = new Map<string, EventLog>();

/** Makes `name`'s event log from its settings (replacing an earlier registration). */
export function registerProxyEvents(name: string, log: ProxyLogSettings, global: GlobalLogSettings | undefined): void {
  const targets = resolveTargets(log, global);
  if (targets.length === 0) { proxies.delete(name); return; }
  const send = global?.sendHostname;
  proxies.set(name, {
    targets: targets.map((t) => ({
      t: send !== undefined && !t.formatExplicit && t.format === 'local' ? { ...t, format: 'rfc3164' } : t,
      sink: getLogSink(t.address),
    })),
    header: { tag: log.tag ?? global?.tag ?? 'switchyard', pid: process.pid, hostname: send === undefined ? undefined : send === true ? SYSTEM_HOSTNAME : send },
  });
}

/** Sends one event line of proxy `name` at `level` (never throws). */
export function proxyEvent(name: string, level: number, msg: string): void {
  const p = proxies.get(name);
  if (!p) return;
  try {
    const now = performance.timeOrigin + performance.now();
    for (const { t, sink } of p.targets) {
      if (level > t.maxLevel) continue;
      const lvl = level < t.minLevel ? t.minLevel : level;
      const buf = Buffer.from(buildSyslogLine(t.format, t.facility, lvl, p.header, now, msg), 'utf8');
      sink.send(t.address.kind === 'fd' ? buf : truncateLine(buf, t.maxLen));
    }
  } catch {
    // An event line must never take a check down.
  }
}
