/**
 * Services a request can be handed to by `http-request use-service NAME` (HAProxy's
 * applets registered as services). Switchyard has one: `prometheus-exporter`, the same
 * text as `<stats uri>/metrics` (prometheus.ts), whatever the path — the rule's
 * condition decides which requests reach it, as in HAProxy.
 *
 * The exporter's query parameters (HAProxy 2.6):
 *   scope=NAME   global, frontend, backend, server, stick-table or all; repeatable; once
 *                one is given only the named scopes are exported (`scope=` alone: none).
 *                An unknown name is a 400.
 *   no-maint     servers in maintenance are left out.
 * Other parameters are ignored. GET and HEAD are answered; other methods get a 405.
 */
import type { ProxyConfig } from '../config/types.ts';
import type { ServiceName } from '../rules/types.ts';
import { runtimeOf } from './registry.ts';
import { ALL_SCOPES, prometheusText, type PrometheusOptions, type PrometheusScope } from './prometheus.ts';

function answer(status: string, type: string, body: string, head: boolean): Buffer {
  const b = Buffer.from(body, 'utf8');
  const lines = [`HTTP/1.1 ${status}`, `content-type: ${type}`, `content-length: ${b.length}`, 'cache-control: no-cache'];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), head ? Buffer.alloc(0) : b]);
}

/** The options a request-target's query asks for; a string (the reason) when it is invalid. */
export function exporterOptions(target: string): PrometheusOptions | string {
  const q = target.indexOf('?');
  if (q < 0) return { scopes: ALL_SCOPES, noMaint: false };
  let scopes: Set<PrometheusScope> | null = null;
  let noMaint = false;
  for (const param of target.slice(q + 1).split('&')) {
    const eq = param.indexOf('=');
    const key = eq < 0 ? param : param.slice(0, eq);
    if (key === 'no-maint') { noMaint = true; continue; }
    if (key !== 'scope') continue;
    let value: string;
    try { value = decodeURIComponent(eq < 0 ? '' : param.slice(eq + 1)); } catch { return `invalid scope '${param}'`; }
    scopes ??= new Set();
    if (value === '') continue;
    if (value === 'all') { for (const s of ALL_SCOPES) scopes.add(s); continue; }
    if (!ALL_SCOPES.has(value as PrometheusScope)) return `unsupported scope '${value}'`;
    scopes.add(value as PrometheusScope);
  }
  return { scopes: scopes ?? ALL_SCOPES, noMaint };
}

/** The whole response of service `name` to a request on a proxy of the running balancer. */
export function serviceResponse(name: ServiceName, proxy: ProxyConfig, method: string, target: string): Buffer {
  const head = method === 'HEAD';
  if (method !== 'GET' && !head) return answer('405 Method Not Allowed', 'text/plain', 'only GET and HEAD are served here\n', false);
  const rt = runtimeOf(proxy);
  if (!rt) return answer('503 Service Unavailable', 'text/plain', 'metrics are not available yet\n', head);
  const opts = exporterOptions(target);
  if (typeof opts === 'string') return answer('400 Bad Request', 'text/plain', `${opts}\n`, head);
  switch (name) {
    case 'prometheus-exporter':
      return answer('200 OK', 'text/plain; version=0.0.4', prometheusText(rt, opts), head);
  }
}
