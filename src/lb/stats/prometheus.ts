/**
 * Metrics in the Prometheus text exposition format 0.0.4, under the names and labels of
 * HAProxy's exporter (`haproxy_process_*`, `haproxy_frontend_*{proxy}`,
 * `haproxy_backend_*{proxy}`, `haproxy_server_*{proxy,server}`, states as a `state`
 * label, HTTP classes as a `code` label) so existing dashboards work. Only metrics
 * backed by a real counter or state are exported; HAProxy's metrics for features that
 * Switchyard lacks (SSL, compression, caches…) are absent rather than 0. Rate
 * maximums and state-change times come from the once-a-second sampler (sampler.ts).
 * Latency: HAProxy's average and maximum gauges, plus real histograms (buckets in
 * seconds, `_bucket{le}`, `_sum`, `_count`) under `*_time_histogram_seconds` names.
 * Served at `<stats uri>/metrics` (service.ts) and by `http-request use-service
 * prometheus-exporter` (prometheus-service.ts, with `scope=` and `no-maint`). The help
 * texts are our own words.
 */
import type { Runtime } from '../core/runtime.ts';
import type { Counters } from '../core/counters.ts';
import type { Frontend } from '../core/frontend.ts';
import type { Backend } from '../core/backend.ts';
import type { Server } from '../core/server.ts';
import { VERSION } from '../../shared/version.ts';
import { backendStatus, frontendStatus, serverState } from './status.ts';
import { downtimeMs, sampled } from './sampler.ts';
import { BUCKET_BOUNDS_MS, MEASURES, type Histogram, type LatencyMeasure } from '../core/latency.ts';

type Kind = 'gauge' | 'counter' | 'histogram';
/** `suffix`: _bucket, _sum or _count for the series of a histogram family. */
interface Sample { labels: Record<string, string>; value: number; suffix?: string }
interface Family { name: string; help: string; kind: Kind; samples: Sample[] }

function esc(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

class Builder {
  private readonly families = new Map<string, Family>();
  add(name: string, kind: Kind, help: string, labels: Record<string, string>, value: number, suffix?: string): void {
    let f = this.families.get(name);
    if (!f) { f = { name, help, kind, samples: [] }; this.families.set(name, f); }
    f.samples.push(suffix ? { labels, value, suffix } : { labels, value });
  }

  /** One histogram (ms inside, seconds out): cumulative buckets up to +Inf, then _sum and _count. */
  histogram(name: string, help: string, labels: Record<string, string>, h: Histogram): void {
    const cum = h.cumulative();
    BUCKET_BOUNDS_MS.forEach((le, i) => this.add(name, 'histogram', help, { ...labels, le: String(le / 1000) }, cum[i]!, '_bucket'));
    this.add(name, 'histogram', help, { ...labels, le: '+Inf' }, h.count, '_bucket');
    this.add(name, 'histogram', help, labels, h.sum / 1000, '_sum');
    this.add(name, 'histogram', help, labels, h.count, '_count');
  }
  text(): string {
    let out = '';
    for (const f of this.families.values()) {
      out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.kind}\n`;
      for (const s of f.samples) {
        const l = Object.entries(s.labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
        out += `${f.name}${s.suffix ?? ''}${l ? `{${l}}` : ''} ${Number.isFinite(s.value) ? s.value : 'NaN'}\n`;
      }
    }
    return out;
  }
}

const CODES = [['1xx', 'hrsp_1xx'], ['2xx', 'hrsp_2xx'], ['3xx', 'hrsp_3xx'], ['4xx', 'hrsp_4xx'], ['5xx', 'hrsp_5xx'], ['other', 'hrsp_other']] as const;

function traffic(b: Builder, p: string, labels: Record<string, string>, c: Counters, http: boolean): void {
  b.add(`${p}_sessions_total`, 'counter', 'Sessions since start or last counter reset.', labels, c.stot);
  b.add(`${p}_bytes_in_total`, 'counter', 'Bytes received from clients.', labels, c.bin);
  b.add(`${p}_bytes_out_total`, 'counter', 'Bytes sent to clients.', labels, c.bout);
  if (!http) return;
  for (const [code, k] of CODES) b.add(`${p}_http_responses_total`, 'counter', 'HTTP responses by status class.', { ...labels, code }, c[k]);
  // HAProxy's exporter has no per-server request count (the responses by class stand in).
  if (p !== 'haproxy_server') b.add(`${p}_http_requests_total`, 'counter', 'HTTP requests.', labels, c.req_tot);
}

/** Sampled facts: the session-rate maximum, and for backends and servers the state history. */
function sampledFacts(b: Builder, p: string, labels: Record<string, string>, c: Counters, history: 'none' | 'changes' | 'downs'): void {
  const s = sampled(c);
  if (!s) return;
  b.add(`${p}_max_session_rate`, 'gauge', 'Highest sessions per second seen.', labels, s.rateMax);
  if (history === 'none') return;
  const now = Date.now();
  b.add(`${p}_last_session_seconds`, 'gauge', 'Seconds since the last session (-1: never).', labels, s.lastSess > 0 ? Math.floor((now - s.lastSess) / 1000) : -1);
  b.add(`${p}_check_last_change_seconds`, 'gauge', 'Seconds since the last state change.', labels, Math.floor((now - s.lastChange) / 1000));
  if (history !== 'downs') return;
  b.add(`${p}_check_up_down_total`, 'counter', 'Transitions from up to down.', labels, s.chkdown);
  b.add(`${p}_downtime_seconds_total`, 'counter', 'Seconds spent down.', labels, Math.floor(downtimeMs(s, now) / 1000));
}

const MEASURE_HELP: Readonly<Record<LatencyMeasure, string>> = {
  queue: 'Time spent waiting for a server slot (0 when none was needed).',
  connect: 'Time to establish a new connection to a server.',
  response: 'Time from the request sent (TCP: connection made) to the server\'s first byte.',
  total: 'HTTP: time from the request head to the end of the response; TCP: session duration.',
};

/**
 * Latency: Switchyard's histograms (`<p>_<measure>_time_histogram_seconds`, names
 * HAProxy's exporter does not use), and with `averages` HAProxy's own gauges of the
 * same facts (`<p>_<measure>_time_average_seconds`, `<p>_max_<measure>_time_seconds`).
 */
function latency(b: Builder, p: string, labels: Record<string, string>, c: Counters, measures: readonly LatencyMeasure[], averages: boolean): void {
  for (const m of measures) {
    const h = c.lat[m];
    b.histogram(`${p}_${m}_time_histogram_seconds`, `${MEASURE_HELP[m]} Histogram.`, labels, h);
    if (!averages) continue;
    b.add(`${p}_${m}_time_average_seconds`, 'gauge', `${MEASURE_HELP[m]} Average of about the last 1024.`, labels, Math.round(h.avg) / 1000);
    b.add(`${p}_max_${m}_time_seconds`, 'gauge', `${MEASURE_HELP[m]} Maximum seen.`, labels, Math.round(h.max) / 1000);
  }
}

function serverSide(b: Builder, p: string, labels: Record<string, string>, c: Counters): void {
  b.add(`${p}_current_queue`, 'gauge', 'Requests waiting in the queue now.', labels, c.qcur);
  b.add(`${p}_max_queue`, 'gauge', 'Most requests seen waiting in the queue.', labels, c.qmax);
  b.add(`${p}_connection_errors_total`, 'counter', 'Failed connection attempts to servers.', labels, c.econ);
  b.add(`${p}_response_errors_total`, 'counter', 'Invalid or aborted server responses.', labels, c.eresp);
  b.add(`${p}_retry_warnings_total`, 'counter', 'Connection or request retries.', labels, c.wretr);
  b.add(`${p}_redispatch_warnings_total`, 'counter', 'Retries sent to another server.', labels, c.wredis);
  b.add(`${p}_loadbalanced_total`, 'counter', 'Times a server was picked by the algorithm.', labels, c.lbtot);
  b.add(`${p}_client_aborts_total`, 'counter', 'Transfers aborted by the client.', labels, c.cli_abrt);
  b.add(`${p}_server_aborts_total`, 'counter', 'Transfers aborted by the server.', labels, c.srv_abrt);
  b.add(`${p}_connection_attempts_total`, 'counter', 'Connections opened to servers.', labels, c.connect);
  b.add(`${p}_connection_reuses_total`, 'counter', 'Requests sent over an already used connection.', labels, c.reuse);
}

/** What to export (the exporter's `scope=` and `no-maint` query parameters); all when omitted. */
export interface PrometheusOptions {
  readonly scopes: ReadonlySet<PrometheusScope>;
  /** Leave out the servers in maintenance. */
  readonly noMaint: boolean;
}
export type PrometheusScope = 'global' | 'frontend' | 'backend' | 'server' | 'stick-table';
export const ALL_SCOPES: ReadonlySet<PrometheusScope> = new Set(['global', 'frontend', 'backend', 'server', 'stick-table']);

export function prometheusText(rt: Runtime, opts: PrometheusOptions = { scopes: ALL_SCOPES, noMaint: false }): string {
  const b = new Builder();
  const none = {};
  const sc = opts.scopes;
  if (sc.has('global')) processMetrics(b, rt, none);
  if (sc.has('frontend')) for (const fe of rt.frontends) frontendMetrics(b, fe);
  if (!sc.has('backend') && !sc.has('server')) return b.text();
  for (const be of rt.backends.values()) {
    if (sc.has('backend')) backendMetrics(b, be);
    if (!sc.has('server')) continue;
    for (const s of be.servers) {
      if (opts.noMaint && serverState(s) === 'MAINT') continue;
      serverMetrics(b, be, s);
    }
  }
  return b.text();
}

function processMetrics(b: Builder, rt: Runtime, none: Record<string, string>): void {
  b.add('haproxy_process_nbthread', 'gauge', 'Threads of the process.', none, 1);
  b.add('haproxy_process_nbproc', 'gauge', 'Processes.', none, 1);
  b.add('haproxy_process_relative_process_id', 'gauge', 'Relative process number.', none, 1);
  b.add('haproxy_process_uptime_seconds', 'gauge', 'Seconds since the process started.', none, Math.floor((Date.now() - rt.startedAt) / 1000));
  b.add('haproxy_process_max_connections', 'gauge', 'Process connection limit (maxconn).', none, rt.maxconn);
  b.add('haproxy_process_current_connections', 'gauge', 'Connections in the process now.', none, rt.cur);
  let conns = 0;
  let reqs = 0;
  for (const fe of rt.frontends) { conns += fe.feCounters.stot; reqs += fe.feCounters.req_tot; }
  b.add('haproxy_process_connections_total', 'counter', 'Connections accepted since start.', none, conns);
  b.add('haproxy_process_requests_total', 'counter', 'HTTP requests received since start.', none, reqs);
  b.add('haproxy_process_build_info', 'gauge', 'Build information (the version label).', { version: VERSION }, 1);
  b.add('haproxy_process_start_time_seconds', 'gauge', 'Start time (seconds since the epoch).', none, Math.floor(rt.startedAt / 1000));
}

function frontendMetrics(b: Builder, fe: Frontend): void {
  const l = { proxy: fe.name };
  const c = fe.feCounters;
  b.add('haproxy_frontend_current_sessions', 'gauge', 'Current sessions.', l, c.scur);
  b.add('haproxy_frontend_max_sessions', 'gauge', 'Most concurrent sessions seen.', l, c.smax);
  b.add('haproxy_frontend_limit_sessions', 'gauge', 'Session limit (maxconn).', l, fe.maxconn);
  traffic(b, 'haproxy_frontend', l, c, fe.http);
  b.add('haproxy_frontend_request_errors_total', 'counter', 'Invalid requests.', l, c.ereq);
  b.add('haproxy_frontend_requests_denied_total', 'counter', 'Requests denied by rules.', l, c.dreq);
  b.add('haproxy_frontend_responses_denied_total', 'counter', 'Responses denied by rules.', l, c.dresp);
  const open = frontendStatus(fe) !== 'STOP';
  b.add('haproxy_frontend_status', 'gauge', 'Frontend state (1 for the current state).', { ...l, state: 'DOWN' }, open ? 0 : 1);
  b.add('haproxy_frontend_status', 'gauge', 'Frontend state (1 for the current state).', { ...l, state: 'UP' }, open ? 1 : 0);
  b.add('haproxy_frontend_connections_total', 'counter', 'Connections accepted.', l, c.stot);
  b.add('haproxy_frontend_denied_connections_total', 'counter', 'Connections refused.', l, c.dcon);
  sampledFacts(b, 'haproxy_frontend', l, c, 'none');
  latency(b, 'haproxy_frontend', l, c, ['total'], false);
  const sm = sampled(c);
  if (sm) {
    b.add('haproxy_frontend_connections_rate_max', 'gauge', 'Highest connections per second seen.', l, sm.rateMax);
    if (fe.http) b.add('haproxy_frontend_http_requests_rate_max', 'gauge', 'Highest HTTP requests per second seen.', l, sm.reqRateMax);
  }
}

function backendMetrics(b: Builder, be: Backend): void {
  const l = { proxy: be.name };
  const c = be.counters;
  const http = be.cfg.mode === 'http';
  serverSide(b, 'haproxy_backend', l, c);
  const scur = Math.max(c.scur, be.beconn);
  b.add('haproxy_backend_current_sessions', 'gauge', 'Current sessions.', l, scur);
  b.add('haproxy_backend_max_sessions', 'gauge', 'Most concurrent sessions seen.', l, Math.max(c.smax, scur));
  b.add('haproxy_backend_limit_sessions', 'gauge', 'Session limit (fullconn).', l, be.fullconn);
  traffic(b, 'haproxy_backend', l, c, http);
  const up = backendStatus(be) === 'UP';
  b.add('haproxy_backend_status', 'gauge', 'Backend state (1 for the current state).', { ...l, state: 'DOWN' }, up ? 0 : 1);
  b.add('haproxy_backend_status', 'gauge', 'Backend state (1 for the current state).', { ...l, state: 'UP' }, up ? 1 : 0);
  const usable = be.servers.filter((s) => s.usable && (be.activeUsableCount() > 0 ? !s.backup : s.backup));
  b.add('haproxy_backend_weight', 'gauge', 'Effective weight of the servers in use.', l, usable.reduce((n, s) => n + s.weight, 0));
  b.add('haproxy_backend_active_servers', 'gauge', 'Usable active servers.', l, be.activeUsableCount());
  b.add('haproxy_backend_backup_servers', 'gauge', 'Usable backup servers.', l, be.backupUsableCount());
  b.add('haproxy_backend_uweight', 'gauge', 'Configured weight of the servers in use.', l, usable.reduce((n, s) => n + s.userWeight, 0));
  sampledFacts(b, 'haproxy_backend', l, c, 'downs');
  latency(b, 'haproxy_backend', l, c, MEASURES, true);
}

function serverMetrics(b: Builder, be: Backend, s: Server): void {
  const http = be.cfg.mode === 'http';
  const sl = { proxy: be.name, server: s.name };
  const sc = s.counters;
  serverSide(b, 'haproxy_server', sl, sc);
  const cur = Math.max(sc.scur, s.served);
  b.add('haproxy_server_current_sessions', 'gauge', 'Current sessions.', sl, cur);
  b.add('haproxy_server_max_sessions', 'gauge', 'Most concurrent sessions seen.', sl, Math.max(sc.smax, cur));
  b.add('haproxy_server_limit_sessions', 'gauge', 'Session limit (maxconn; NaN when none).', sl, s.maxconn > 0 ? s.maxconn : NaN);
  traffic(b, 'haproxy_server', sl, sc, http);
  const state = serverState(s);
  for (const st of ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const) {
    b.add('haproxy_server_status', 'gauge', 'Server state (1 for the current state).', { ...sl, state: st }, state === st ? 1 : 0);
  }
  b.add('haproxy_server_weight', 'gauge', 'Effective weight.', sl, s.weight);
  b.add('haproxy_server_uweight', 'gauge', 'Weight set by configuration or the runtime API.', sl, s.userWeight);
  if (s.cfg.maxqueue > 0) b.add('haproxy_server_queue_limit', 'gauge', 'Queue limit (maxqueue).', sl, s.cfg.maxqueue);
  b.add('haproxy_server_idle_connections_current', 'gauge', 'Idle connections in the pool.', sl, s.pool.length);
  sampledFacts(b, 'haproxy_server', sl, sc, s.cfg.check.enabled ? 'downs' : 'changes');
  latency(b, 'haproxy_server', sl, sc, MEASURES, true);
}
