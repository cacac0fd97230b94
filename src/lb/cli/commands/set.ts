/**
 * `set weight`, `set maxconn server|frontend|global` — admin level, with HAProxy's
 * answers (empty on success). `set server` has its own file (set-server.ts).
 *
 * The values are read as HAProxy 2.6 reads them: a server's maxconn must be digits only
 * (HAProxy tells "no number" from "trailing garbage"; it also takes a negative one, which
 * would stop the server from serving at all: refused here as "no number"); the frontend's and the global one
 * go through C's atoi, so a word that is not a number means 0 and only a missing value
 * (or, for a frontend, a negative one) is refused. A frontend at 0 accepts nothing; the
 * global limit at 0 or below means the hard limit set at start-up.
 */
import type { CliCommand } from '../types.ts';
import { bare } from '../types.ts';
import { applyWeight, findServer } from '../target.ts';
import { defaultMaxconn } from '../../core/limits.ts';
import { atoi } from './rate-limit.ts';

export const setWeight: CliCommand = {
  words: ['set', 'weight'], usage: 'set weight <bk>/<srv>  (DEPRECATED)', help: "older form of 'set server … weight'", level: 'admin',
  run(rt, args) {
    const t = findServer(rt, args[0]);
    if (!t.ok) return t.error;
    return applyWeight(t.be, t.s, args[1]);
  },
};

const INT = /^\d+$/;

export const setMaxconnServer: CliCommand = {
  words: ['set', 'maxconn', 'server'], usage: 'set maxconn server <bk>/<srv> <value>', help: "set how many requests a server serves at once", level: 'admin',
  run(rt, args) {
    const t = findServer(rt, args[0]);
    if (!t.ok) return t.error;
    if (args[1] === undefined) return 'Require <maxconn>.\n';
    // HAProxy ends these two answers without the empty line.
    if (!/^\d/.test(args[1])) return bare('maxconn string empty or preceded by garbage\n');
    if (!INT.test(args[1])) return bare('Trailing garbage in maxconn string\n');
    t.be.setServerMaxconn(t.s, Number(args[1]));
    return '';
  },
};

export const setMaxconnFrontend: CliCommand = {
  words: ['set', 'maxconn', 'frontend'], usage: 'set maxconn frontend <frontend> <value>', help: "set a frontend's connection limit", level: 'admin',
  run(rt, args) {
    if (args[0] === undefined) return 'A frontend name is expected.\n';
    const fe = rt.frontends.find((f) => f.name === args[0] || `#${f.cfg.id}` === args[0]);
    if (!fe) return 'No such frontend.\n';
    if (args[1] === undefined) return 'Integer value expected.\n';
    const n = atoi(args[1]);
    if (n < 0) return 'Value out of range.\n';
    fe.maxconn = n;
    // A raised limit lets held connections in now (the same path a freed slot takes).
    fe.drainHeld();
    return '';
  },
};

export const setMaxconnGlobal: CliCommand = {
  words: ['set', 'maxconn', 'global'], usage: 'set maxconn global <value>', help: 'set the process-wide connection limit', level: 'admin',
  run(rt, args) {
    if (args[0] === undefined) return 'Expects an integer value.\n';
    const n = atoi(args[0]);
    // HAProxy refuses values above the hard limit set at start-up (global maxconn).
    const hard = rt.config.global.maxconn ?? defaultMaxconn();
    if (n > hard) return 'Value out of range.\n';
    // Runtime.maxconn is the process limit read by hasRoom(); the API is its one writer
    // after start-up (the field is declared readonly for everything else).
    (rt as { maxconn: number }).maxconn = n <= 0 ? hard : n;
    for (const fe of rt.frontends) fe.drainHeld();
    return '';
  },
};
