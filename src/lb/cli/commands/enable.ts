/** `enable server` / `disable server <bk>/<srv>`: leave or enter maintenance (admin). */
import type { CliCommand } from '../types.ts';
import { findServer } from '../target.ts';

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
