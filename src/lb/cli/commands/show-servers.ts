/**
 * `show servers state [<backend>]` (format version 1, the one `server-state-file`
 * reads) and `show backend`. Numbers follow HAProxy's encodings: operational state
 * 0 stopped (down or in maintenance) / 2 running; admin flags 0x01 forced maintenance, 0x08 forced drain; check
 * status and result codes and the check-state bits (0x02 configured, 0x04 enabled).
 * srv_time_since_last_change comes from the statistics sampler (one-second resolution).
 */
import type { CliCommand } from '../types.ts';
import type { Runtime } from '../../core/runtime.ts';
import type { Backend } from '../../core/backend.ts';
import type { Server } from '../../core/server.ts';
import { findBackend } from '../target.ts';
import { lastCheckStatus, monitor } from '../../stats/status.ts';
import type { CheckStatus } from '../../check/types.ts';
import { sampled } from '../../stats/sampler.ts';

const HEADER = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';

/** HAProxy's numbering of check statuses in the state file. */
const CHECK_CODE: Readonly<Record<CheckStatus, number>> = {
  HANA: 4, SOCKERR: 5, L4OK: 6, L4TOUT: 7, L4CON: 8, L7TOUT: 12, L7RSP: 13, L7OK: 14, L7OKC: 15, L7STS: 16,
};

/** HAProxy's check-state bits: 0x02 configured, 0x04 enabled, 0x10 agent. */
function checkState(m: ReturnType<typeof monitor>, kind: 'check' | 'agent'): number {
  if (kind === 'check') return m?.check ? (m.checkEnabled ? 0x06 : 0x02) : 0;
  return m?.agent ? (m.agentEnabled ? 0x16 : 0x12) : 0;
}

function stateLine(rt: Runtime, be: Backend, s: Server): string {
  const m = monitor(s);
  const hc = m?.check ?? null;
  const st = lastCheckStatus(s);
  const admin = s.admin === 'maint' ? 0x01 : s.admin === 'drain' ? 0x08 : 0;
  const checkStatus = hc ? (st ? CHECK_CODE[st] : 1) : 1;
  const checkResult = hc && st ? (s.health === 'up' ? 3 : 2) : 0;
  const a = s.cfg.address;
  const c = s.cfg.check;
  const addr = a.kind === 'inet' ? s.host : '-';
  const port = a.kind === 'inet' ? (a.port ?? 0) : 0;
  const since = Math.floor((Date.now() - (sampled(s.counters)?.lastChange ?? rt.startedAt)) / 1000);
  const running = s.health === 'up' && s.admin !== 'maint';
  // Without a check, HAProxy reports the health counter as full (rise) while running.
  const health = hc ? hc.health : running ? s.cfg.check.rise : 0;
  return [
    be.cfg.id, be.name, s.id, s.name, addr, running ? 2 : 0, admin, s.userWeight, s.cfg.weight, since,
    checkStatus, checkResult, health, checkState(m, 'check'), checkState(m, 'agent'), 0, s.cfg.idExplicit ? 1 : 0,
    '-', port, '-', 0, c.port, c.addr ?? '-', c.agentAddr ?? '-', c.agentPort,
  ].join(' ');
}

export const showServersState: CliCommand = {
  words: ['show', 'servers', 'state'], usage: 'show servers state [<backend>]', help: 'server states in the server-state-file format',
  run(rt, args) {
    let list = [...rt.backends.values()];
    if (args[0] !== undefined) {
      const be = findBackend(rt, args[0]);
      if (!be) return `Can't find backend.\n`;
      list = [be];
    }
    let out = `1\n${HEADER}\n`;
    for (const be of list) for (const s of be.servers) out += stateLine(rt, be, s) + '\n';
    return out;
  },
};

export const showBackend: CliCommand = {
  words: ['show', 'backend'], usage: 'show backend', help: 'list the backends',
  run(rt) {
    return '# name\n' + [...rt.backends.keys()].map((n) => `${n}\n`).join('');
  },
};
