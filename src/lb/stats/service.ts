/**
 * The statistics page as an HTTP service inside the proxy (HAProxy's stats applet).
 * HttpStream calls statsMatches() on each request of a proxy whose `stats` is set, and,
 * for a match, statsResponse() once the request body (bounded) has arrived: it returns
 * the whole response (head and body) to send.
 *
 * What follows the configured URI prefix selects the output, as in HAProxy:
 *   `;csv` CSV, `;json` JSON (the `show stat` formats), `;up` only servers that are up,
 *   `;norefresh` no automatic reload, `;st=CODE` the result of the last admin action;
 *   and, Switchyard's addition, `<uri>/metrics`: Prometheus metrics (prometheus.ts), the
 *   same text as `http-request use-service prometheus-exporter` (prometheus-service.ts).
 * `stats auth` asks for HTTP basic credentials (401 with the realm); `stats admin`
 * allows POSTed actions (admin.ts), answered with a 303 to `<uri>;st=CODE`.
 */
import type { StatsConfig } from './config.ts';
import { ownerOf } from './registry.ts';
import { collectRows } from './collect.ts';
import { toCsv, toJson } from './format.ts';
import { renderPage } from './html.ts';
import { prometheusText } from './prometheus.ts';
import { applyAdminForm } from './admin.ts';
import type { SampleContext } from '../acl/types.ts';

export interface StatsRequest {
  readonly cfg: StatsConfig;
  readonly method: string;
  /** request-target as received. */
  readonly target: string;
  /** First field named `name` (lower-case), or undefined. */
  header(name: string): string | undefined;
  readonly body: Buffer;
  readonly clientAddr: string;
  /** The stream's sample context with this request's view, for the `stats admin` condition. */
  readonly sample?: SampleContext | null;
}

export function statsMatches(cfg: StatsConfig, target: string): boolean {
  return target.startsWith(cfg.uri);
}

function respond(status: string, type: string, body: string, extra: string[] = [], head = false): Buffer {
  const b = Buffer.from(body, 'utf8');
  const lines = [`HTTP/1.1 ${status}`, `content-type: ${type}`, `content-length: ${b.length}`, 'cache-control: no-cache', ...extra].join('\r\n');
  // HEAD: the same head, no body.
  return Buffer.concat([Buffer.from(`${lines}\r\n\r\n`, 'latin1'), head ? Buffer.alloc(0) : b]);
}

function authorized(cfg: StatsConfig, header: string | undefined): boolean {
  if (cfg.auth.length === 0) return true;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  return cfg.auth.includes(given);
}

/**
 * May this request use the admin actions? The `stats admin` condition tested on the
 * request's sample context (client address, headers, http_auth…). No context, no
 * admin: the answer fails closed rather than guessing the client.
 */
export function adminAllowed(cfg: StatsConfig, sample: SampleContext | null): boolean {
  if (!cfg.admin || !sample) return false;
  return cfg.admin.test(sample);
}

export function statsResponse(req: StatsRequest): Buffer {
  const isHead = req.method === 'HEAD';
  const response = (status: string, type: string, body: string, extra: string[] = []): Buffer => respond(status, type, body, extra, isHead);
  const cfg = req.cfg;
  if (!authorized(cfg, req.header('authorization'))) {
    const body = '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n';
    return response('401 Unauthorized', 'text/html', body, [`www-authenticate: Basic realm="${cfg.realm.replaceAll('"', '')}"`]);
  }
  const owner = ownerOf(cfg);
  if (!owner) return response('503 Service Unavailable', 'text/plain', 'statistics are not available yet\n');
  const { rt, proxy } = owner;
  const rest = req.target.slice(cfg.uri.length);
  const admin = adminAllowed(cfg, req.sample ?? null);
  if (req.method === 'POST') {
    const code = admin ? applyAdminForm(rt, req.body.toString('latin1')) : 'DENY';
    return response('303 See Other', 'text/plain', '', [`location: ${cfg.uri};st=${code}`]);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return response('405 Method Not Allowed', 'text/plain', 'only GET, HEAD and POST are served here\n', ['allow: GET, HEAD, POST']);
  }
  const scope = cfg.scopes.length > 0 ? new Set(cfg.scopes.map((s) => (s === '.' ? proxy.name : s))) : undefined;
  const path = rest.split('?')[0]!;
  if (path === '/metrics' || (cfg.uri.endsWith('/') && path === 'metrics')) {
    return response('200 OK', 'text/plain; version=0.0.4; charset=utf-8', prometheusText(rt));
  }
  const opts = new Set(rest.split(';').slice(1).map((o) => o.split('?')[0]!));
  const upOnly = opts.has('up');
  const rows = collectRows(rt, { types: -1, sid: -1, upOnly, scope });
  if (opts.has('csv')) return response('200 OK', 'text/plain', toCsv(rows));
  if (opts.has('json')) return response('200 OK', 'application/json', toJson(rows));
  const st = [...opts].find((o) => o.startsWith('st='))?.slice(3) ?? null;
  const norefresh = opts.has('norefresh');
  const extra = cfg.refresh > 0 && !norefresh ? [`refresh: ${Math.round(cfg.refresh / 1000)}`] : [];
  const html = renderPage(rt, rows, { cfg, uri: cfg.uri, admin, upOnly, norefresh, status: st });
  return response('200 OK', 'text/html; charset=utf-8', html, extra);
}
