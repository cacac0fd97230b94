/**
 * `show info`: the process-wide facts, under HAProxy's field names and positions (its
 * typed output numbers them). Only fields Switchyard can fill truthfully are listed;
 * the ones about SSL, pipes, compression, pools, peers… are left out.
 */
import { hostname } from 'node:os';
import type { Runtime } from '../core/runtime.ts';
import { VERSION, RELEASE_DATE } from '../../shared/version.ts';
import { defaultMaxconn, openFilesLimit } from '../core/limits.ts';
import { tagsObject } from './format.ts';
import { logCounters } from '../log/sinks.ts';

export interface InfoField {
  pos: number;
  name: string;
  tags: string;
  type: 'str' | 'u32' | 'u64';
  value: string | number;
}

export function uptimeText(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

export function infoFields(rt: Runtime): InfoField[] {
  const upMs = Date.now() - rt.startedAt;
  let cumConns = 0;
  let cumReq = 0;
  let listeners = 0;
  for (const fe of rt.frontends) {
    cumConns += fe.feCounters.stot;
    cumReq += fe.feCounters.req_tot;
    listeners += fe.listeners.length;
  }
  const f = (pos: number, name: string, tt: string, value: string | number): InfoField => {
    const [tags, type] = tt.split(':') as [string, InfoField['type']];
    return { pos, name, tags, type, value };
  };
  const ulimit = openFilesLimit();
  return [
    f(0, 'Name', 'POS:str', 'Switchyard'),
    f(1, 'Version', 'POS:str', VERSION),
    f(2, 'Release_date', 'POS:str', RELEASE_DATE),
    f(3, 'Nbthread', 'CGS:u32', 1),
    f(4, 'Nbproc', 'CGS:u32', 1),
    f(5, 'Process_num', 'KGP:u32', 1),
    f(6, 'Pid', 'SGP:u32', process.pid),
    f(7, 'Uptime', 'MDP:str', uptimeText(upMs)),
    f(8, 'Uptime_sec', 'MDP:u32', Math.floor(upMs / 1000)),
    f(9, 'Memmax_MB', 'CLP:u32', 0),
    f(13, 'Ulimit-n', 'CLP:u32', ulimit),
    f(14, 'Maxsock', 'CLP:u32', rt.maxconn * 2),
    f(15, 'Maxconn', 'CLP:u32', rt.maxconn),
    // The limit set at start-up: `set maxconn global` moves Maxconn only, under it.
    f(16, 'Hard_maxconn', 'CLP:u32', rt.config.global.maxconn ?? defaultMaxconn()),
    f(17, 'CurrConns', 'MGP:u32', rt.cur),
    f(18, 'CumConns', 'MCP:u32', cumConns),
    f(19, 'CumReq', 'MCP:u32', cumReq),
    f(26, 'ConnRate', 'MRP:u32', rt.connRate.rate()),
    f(27, 'ConnRateLimit', 'CLP:u32', rt.connRateLimit),
    f(28, 'MaxConnRate', 'MMP:u32', rt.connRate.peak),
    f(29, 'SessRate', 'MRP:u32', rt.sessRate.rate()),
    f(30, 'SessRateLimit', 'CLP:u32', rt.sessRateLimit),
    f(31, 'MaxSessRate', 'MRP:u32', rt.sessRate.peak),
    f(50, 'node', 'COS:str', hostname()),
    f(53, 'Jobs', 'MGP:u32', rt.sessionCount + listeners),
    f(55, 'Listeners', 'MGP:u32', listeners),
    // Log lines lost: a full socket or descriptor backlog (src/lb/log/sinks.ts), as HAProxy counts them.
    f(58, 'DroppedLogs', 'MGP:u32', logCounters.dropped),
    f(70, 'Start_time_sec', 'MDP:u32', Math.floor(rt.startedAt / 1000)),
  ];
}

export function infoText(rt: Runtime, mode: 'text' | 'typed' | 'json'): string {
  const fields = infoFields(rt);
  if (mode === 'typed') return fields.map((x) => `${x.pos}.${x.name}.1:${x.tags}:${x.type}:${x.value}\n`).join('');
  if (mode === 'json') {
    return JSON.stringify(fields.map((x) => ({
      field: { pos: x.pos, name: x.name }, processNum: 1, tags: tagsObject(x.tags), value: { type: x.type, value: x.value },
    }))) + '\n';
  }
  return fields.map((x) => `${x.name}: ${x.value}\n`).join('');
}
