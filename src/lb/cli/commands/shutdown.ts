/**
 * `shutdown session <id>` and `shutdown sessions server <bk>/<srv>` (admin): end client
 * sessions now, logged with termination state K (killed). Ids are the ones `show sess`
 * prints (hexadecimal, `0x` optional); a session never listed has no id yet.
 */
import type { CliCommand } from '../types.ts';
import { findServer } from '../target.ts';
import { sessionById } from './show-misc.ts';

const EXPECTED = "Session pointer expected (use 'show sess').\n";

export const shutdownSession: CliCommand = {
  words: ['shutdown', 'session'], usage: 'shutdown session [id]', help: 'kill a specific session', level: 'admin',
  run(rt, args) {
    const m = /^(?:0x)?([0-9a-f]+)$/i.exec(args[0] ?? '');
    const id = m ? parseInt(m[1]!, 16) : 0;
    if (id === 0) return EXPECTED;
    const found = sessionById(rt, id);
    if (!found) return "No such session (use 'show sess').\n";
    found.fe.kill(found.st);
    return '';
  },
};

export const shutdownSessionsServer: CliCommand = {
  words: ['shutdown', 'sessions', 'server'], usage: 'shutdown sessions server <bk>/<srv>', help: 'kill sessions on a server', level: 'admin',
  run(rt, args) {
    const t = findServer(rt, args[0]);
    if (!t.ok) return t.error;
    t.be.shutdownSessions(t.s);
    return '';
  },
};
