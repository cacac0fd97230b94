/**
 * `set rate-limit connections|sessions global <value>` (admin): the process-wide accept
 * rates of global `maxconnrate` / `maxsessrate`, per second, 0 = no limit. The value is
 * read as C's atoi does, as HAProxy does: a word that is not a number means 0 (no
 * limit), only a missing one is refused. Raising or clearing a limit lets connections
 * held by the old one in at once. The SSL and compression limits of HAProxy's form are
 * listed in the usage (the words are HAProxy's) but answered as not implemented.
 */
import type { CliCommand } from '../types.ts';

const USAGE = "'set rate-limit' only supports :\n" +
  "   - 'connections global' to set the per-process maximum connection rate\n" +
  "   - 'sessions global' to set the per-process maximum session rate\n" +
  "   - 'ssl-sessions global' to set the per-process maximum SSL session rate\n" +
  "   - 'http-compression global' to set the per-process maximum compression speed in kB/s\n";

/** C's atoi: optional sign and leading digits; anything else gives 0. */
export function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

export const setRateLimit: CliCommand = {
  words: ['set', 'rate-limit'], usage: 'set rate-limit <setting> <value>', help: 'change a rate limiting value', level: 'admin',
  run(rt, args) {
    const [what, scope, value] = args;
    if (scope !== 'global' || (what !== 'connections' && what !== 'sessions' && what !== 'ssl-sessions' && what !== 'http-compression')) return USAGE;
    if (value === undefined) return 'Expects an integer value.\n';
    if (what === 'ssl-sessions' || what === 'http-compression') return `'set rate-limit ${what}' is not implemented yet in Switchyard.\n`;
    const v = atoi(value);
    if (v < 0) return 'Value out of range.\n';
    if (what === 'connections') rt.connRateLimit = v;
    else rt.sessRateLimit = v;
    rt.drainHeld();
    return '';
  },
};
