/**
 * One statistics row per frontend, server and backend, built from the live objects in
 * HAProxy's order (per proxy, in configuration order: FRONTEND, its servers, BACKEND).
 * Values come from real counters and states, and from the once-a-second sampler for
 * rates and state-change times (sampler.ts); a column whose feature Switchyard does not
 * have yet (compression, caches, SSL, HTTP/2, denials by rules…) stays
 * undefined, which every output prints as empty — never an invented 0.
 */
import type { Runtime } from '../core/runtime.ts';
import type { Frontend } from '../core/frontend.ts';
import type { Backend } from '../core/backend.ts';
import type { Server } from '../core/server.ts';
import type { Counters } from '../core/counters.ts';
import type { ProxyConfig } from '../config/types.ts';
import { COL, COLUMNS, type ObjType } from './fields.ts';
import { backendStatus, checkFacts, frontendStatus, monitor, serverStatus, statusCode, statusDesc, statusWord } from './status.ts';
import type { CheckResult } from '../check/types.ts';
import { downtimeMs, sampled } from './sampler.ts';

export type StatValue = string | number | undefined;

export interface StatRow {
  readonly obj: ObjType;
  readonly proxy: ProxyConfig;
  /** Server id (0 for FRONTEND/BACKEND rows). */
  readonly sid: number;
  readonly values: StatValue[];
  readonly frontend?: Frontend;
  readonly backend?: Backend;
  readonly server?: Server;
}

/** What `show stat` / `;csv` may be restricted to (HAProxy's <iid|proxy> <type> <sid>). */
export interface StatFilter {
  /** Proxy id or name; undefined = all. */
  proxy?: number | string;
  /** Bit field: 1 frontends, 2 backends, 4 servers; -1 all. */
  types: number;
  /** Server id; -1 = all. */
  sid: number;
  /** Only servers that are up (`;up`, `show stat up`). */
  upOnly?: boolean;
  /** Leave servers in maintenance out. */
  noMaint?: boolean;
  /** Only these proxy names (`stats scope`); undefined = all. */
  scope?: ReadonlySet<string>;
}

export const ALL: StatFilter = { types: -1, sid: -1 };

function row(obj: ObjType, proxy: ProxyConfig, sid: number): StatValue[] {
  const v: StatValue[] = new Array(COLUMNS.length).fill(undefined);
  v[COL.pxname!] = proxy.name;
  v[COL.pid!] = 1;
  v[COL.iid!] = proxy.id;
  v[COL.sid!] = sid;
  v[COL.type!] = obj === 'F' ? 0 : obj === 'B' ? 1 : 2;
  v[COL.mode!] = proxy.mode;
  return v;
}

function put(v: StatValue[], name: string, value: StatValue): void {
  const i = COL[name];
  if (i === undefined) throw new Error(`no stats column '${name}'`);
  v[i] = value;
}

function traffic(v: StatValue[], c: Counters, http: boolean): void {
  put(v, 'stot', c.stot);
  put(v, 'bin', c.bin);
  put(v, 'bout', c.bout);
  if (!http) return;
  put(v, 'req_tot', c.req_tot);
  for (const k of ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'] as const) put(v, k, c[k]);
}

/** Session rates (all rows) and, with `requests`, request rates (frontends). */
function rates(v: StatValue[], c: Counters, requests: boolean): void {
  const s = sampled(c);
  if (!s) return;
  put(v, 'rate', s.rate);
  put(v, 'rate_max', s.rateMax);
  if (!requests) return;
  put(v, 'req_rate', s.reqRate);
  put(v, 'req_rate_max', s.reqRateMax);
}

/** lastchg and lastsess (seconds ago; lastsess -1 when never), and with `downs` chkdown and downtime. */
function history(v: StatValue[], c: Counters, downs: boolean, now = Date.now()): void {
  const s = sampled(c);
  if (!s) return;
  put(v, 'lastchg', Math.floor((now - s.lastChange) / 1000));
  put(v, 'lastsess', s.lastSess > 0 ? Math.floor((now - s.lastSess) / 1000) : -1);
  if (!downs) return;
  put(v, 'chkdown', s.chkdown);
  put(v, 'downtime', Math.floor(downtimeMs(s, now) / 1000));
}

/** HAProxy's timing columns (ms): sliding averages and maximums of the latency histograms. */
function timings(v: StatValue[], c: Counters): void {
  const l = c.lat;
  put(v, 'qtime', Math.round(l.queue.avg));
  put(v, 'ctime', Math.round(l.connect.avg));
  put(v, 'rtime', Math.round(l.response.avg));
  put(v, 'ttime', Math.round(l.total.avg));
  put(v, 'qtime_max', Math.round(l.queue.max));
  put(v, 'ctime_max', Math.round(l.connect.max));
  put(v, 'rtime_max', Math.round(l.response.max));
  put(v, 'ttime_max', Math.round(l.total.max));
}

/**
 * One probe's columns (check_* or agent_*): the status word — "* " in front while a
 * probe runs, INI before the first result —, the layer-7 code, the duration, the text of
 * the status and the last details (last_chk / last_agt), as HAProxy 2.6 prints them.
 */
function probeColumns(v: StatValue[], p: 'check' | 'agent', r: CheckResult | null, running: boolean): void {
  put(v, `${p}_status`, (running ? '* ' : '') + statusWord(r));
  put(v, `${p}_code`, statusCode(r));
  if (r) put(v, `${p}_duration`, r.durationMs);
  put(v, `${p}_desc`, statusDesc(r));
  put(v, p === 'check' ? 'last_chk' : 'last_agt', r?.info ?? '');
}

function frontendRow(fe: Frontend): StatRow {
  const v = row('F', fe.cfg, 0);
  const c = fe.feCounters;
  put(v, 'svname', 'FRONTEND');
  put(v, 'scur', c.scur);
  put(v, 'smax', c.smax);
  put(v, 'slim', fe.maxconn);
  traffic(v, c, fe.http);
  put(v, 'ereq', c.ereq);
  put(v, 'status', frontendStatus(fe));
  put(v, 'conn_tot', c.stot);
  put(v, 'dcon', c.dcon);
  rates(v, c, fe.http);
  const sm = sampled(c);
  if (sm) { put(v, 'conn_rate', sm.rate); put(v, 'conn_rate_max', sm.rateMax); }
  return { obj: 'F', proxy: fe.cfg, sid: 0, values: v, frontend: fe };
}

function serverRow(be: Backend, s: Server): StatRow {
  const v = row('S', be.cfg, s.id);
  const c = s.counters;
  const http = be.cfg.mode === 'http';
  put(v, 'svname', s.name);
  put(v, 'qcur', c.qcur);
  put(v, 'qmax', c.qmax);
  // In HTTP mode a server's current sessions are its slots in use (requests in flight).
  const scur = Math.max(c.scur, s.served);
  put(v, 'scur', scur);
  put(v, 'smax', Math.max(c.smax, scur));
  put(v, 'slim', s.maxconn > 0 ? s.maxconn : undefined);
  traffic(v, c, http);
  put(v, 'econ', c.econ);
  put(v, 'eresp', c.eresp);
  put(v, 'wretr', c.wretr);
  put(v, 'wredis', c.wredis);
  put(v, 'status', serverStatus(s));
  put(v, 'weight', s.weight);
  put(v, 'uweight', s.userWeight);
  put(v, 'act', s.backup ? 0 : 1);
  put(v, 'bck', s.backup ? 1 : 0);
  put(v, 'qlimit', s.cfg.maxqueue > 0 ? s.cfg.maxqueue : undefined);
  put(v, 'lbtot', c.lbtot);
  put(v, 'cli_abrt', c.cli_abrt);
  put(v, 'srv_abrt', c.srv_abrt);
  put(v, 'connect', c.connect);
  put(v, 'reuse', c.reuse);
  put(v, 'srv_icur', s.pool.length);
  put(v, 'addr', serverAddr(s));
  if (s.cfg.cookie !== '') put(v, 'cookie', s.cfg.cookie);
  const t = s.cfg.check.track;
  if (t) put(v, 'tracked', `${t.proxy ?? be.name}/${t.server}`);
  const m = monitor(s);
  const hc = m?.check ?? null;
  rates(v, c, false);
  timings(v, c);
  // Downs are counted for checked servers only, as HAProxy does.
  history(v, c, hc !== null);
  const facts = checkFacts(s);
  // A check disabled at run time (`disable health`) shows no check columns, as in HAProxy.
  if (hc && facts && m?.checkEnabled !== false) {
    put(v, 'check_rise', hc.rise);
    put(v, 'check_fall', hc.fall);
    put(v, 'check_health', hc.health);
    put(v, 'chkfail', facts.failedChecks);
    probeColumns(v, 'check', facts.check, facts.checkRunning);
  }
  const ag = m?.agent ?? null;
  if (ag && facts && m?.agentEnabled !== false) {
    put(v, 'agent_rise', ag.rise);
    put(v, 'agent_fall', ag.fall);
    put(v, 'agent_health', ag.health);
    probeColumns(v, 'agent', facts.agent, false);
  }
  return { obj: 'S', proxy: be.cfg, sid: s.id, values: v, backend: be, server: s };
}

export function serverAddr(s: Server): string {
  const a = s.cfg.address;
  if (a.kind !== 'inet') return s.host;
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return a.port !== null ? `${host}:${a.port}` : host;
}

function backendRow(be: Backend): StatRow {
  const v = row('B', be.cfg, 0);
  const c = be.counters;
  const http = be.cfg.mode === 'http';
  put(v, 'svname', 'BACKEND');
  put(v, 'qcur', c.qcur);
  put(v, 'qmax', c.qmax);
  const scur = Math.max(c.scur, be.beconn);
  put(v, 'scur', scur);
  put(v, 'smax', Math.max(c.smax, scur));
  put(v, 'slim', be.fullconn);
  traffic(v, c, http);
  put(v, 'econ', c.econ);
  put(v, 'eresp', c.eresp);
  put(v, 'wretr', c.wretr);
  put(v, 'wredis', c.wredis);
  put(v, 'status', backendStatus(be));
  // Weight of the servers in use: the active ones, or the backups when none is usable.
  const inUse = be.activeUsableCount() > 0 ? be.servers.filter((s) => !s.backup) : be.servers.filter((s) => s.backup);
  const usable = inUse.filter((s) => s.usable);
  put(v, 'weight', usable.reduce((n, s) => n + s.weight, 0));
  put(v, 'uweight', usable.reduce((n, s) => n + s.userWeight, 0));
  put(v, 'act', be.activeUsableCount());
  put(v, 'bck', be.backupUsableCount());
  put(v, 'lbtot', c.lbtot);
  put(v, 'cli_abrt', c.cli_abrt);
  put(v, 'srv_abrt', c.srv_abrt);
  put(v, 'connect', c.connect);
  put(v, 'reuse', c.reuse);
  put(v, 'algo', be.cfg.balance.algorithm);
  rates(v, c, false);
  timings(v, c);
  history(v, c, true);
  return { obj: 'B', proxy: be.cfg, sid: 0, values: v, backend: be };
}

function proxyMatches(p: ProxyConfig, f: StatFilter): boolean {
  if (f.scope && !f.scope.has(p.name)) return false;
  if (f.proxy === undefined) return true;
  return typeof f.proxy === 'number' ? p.id === f.proxy : p.name === f.proxy;
}

/** Every row the filter lets through, in HAProxy's order. */
export function collectRows(rt: Runtime, f: StatFilter = ALL): StatRow[] {
  const out: StatRow[] = [];
  const fes = new Map(rt.frontends.map((fe) => [fe.cfg, fe]));
  for (const p of rt.config.proxies) {
    if (!proxyMatches(p, f)) continue;
    const fe = fes.get(p);
    if (fe && f.types & 1) out.push(frontendRow(fe));
    const be = rt.backends.get(p.name);
    if (!be) continue;
    if (f.types & 4) {
      for (const s of be.servers) {
        if (f.sid !== -1 && s.id !== f.sid) continue;
        if (f.upOnly && !s.usable) continue;
        if (f.noMaint && s.admin === 'maint') continue;
        out.push(serverRow(be, s));
      }
    }
    if (f.types & 2) out.push(backendRow(be));
  }
  return out;
}
