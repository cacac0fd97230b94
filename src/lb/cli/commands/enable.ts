/** `enable|disable server <bk>/<srv>`: leave or enter maintenance; `enable|disable health|agent`: switch a check (admin). */
import type { CliCommand } from '../types.ts';
import { findServer } from '../target.ts';
import { monitorOf } from '../../check/monitor.ts';

export const enableServer: CliCommand = {
  words: ['enable', 'server'], usage: 'enable server  (DEPRECATED)', help: "take a server out of maintenance (older form of 'set server … state ready')", level: 'admin',
  run(rt, args) {
    const t = findServer(rt, args[0]);
    if (!t.ok) return t.error;
    if (t.s.admin === 'maint') t.be.setAdmin(t.s, 'ready');
    return '';
  },
};

export const disableServer: CliCommand = {
  words: ['disable', 'server'], usage: 'disable server (DEPRECATED)', help: "put a server in maintenance (older form of 'set server … state maint')", level: 'admin',
  run(rt, args) {
    const t = findServer(rt, args[0]);
    if (!t.ok) return t.error;
    t.be.setAdmin(t.s, 'maint');
    return '';
  },
};

/**
 * `enable|disable health|agent <bk>/<srv>`: starts or stops a server's health check or
 * agent check; a stopped one changes no state by itself, and its last verdict no longer
 * counts in later changes (monitor.ts). Enabling a
 * check the server does not have is refused with HAProxy's words; disabling one is
 * silently accepted, as HAProxy does.
 */
function checkSwitch(kind: 'health' | 'agent', on: boolean): CliCommand {
  const what = kind === 'health' ? 'health check' : 'agent check';
  return {
    words: [on ? 'enable' : 'disable', kind], usage: `${on ? 'enable' : 'disable'} ${kind} <bk>/<srv>`,
    help: `${on ? 'enable' : 'disable'} a server's ${what}`, level: 'admin',
    run(rt, args) {
      const t = findServer(rt, args[0]);
      if (!t.ok) return t.error;
      const m = monitorOf(t.s);
      const has = kind === 'health' ? m?.check : m?.agent;
      if (!m || !has) return on ? `${kind === 'health' ? 'Health check' : 'Agent'} was not configured on this server, cannot enable.\n` : '';
      if (kind === 'health') m.setCheckEnabled(on);
      else m.setAgentEnabled(on);
      return '';
    },
  };
}

export const enableHealth = checkSwitch('health', true);
export const disableHealth = checkSwitch('health', false);
export const enableAgent = checkSwitch('agent', true);
export const disableAgent = checkSwitch('agent', false);
