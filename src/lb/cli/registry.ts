/**
 * Every runtime API command, the help listing, and the answer to an unknown command.
 *
 * Help lists every command whatever the session's level (HAProxy 2.6 does the same);
 * running one above the level answers "Permission denied". An unknown command gets
 * HAProxy's shape of answer: the few commands whose words look closest to what was
 * typed, then help/prompt/quit. "Closest" is a distance between letter-pair
 * fingerprints of the typed words and of each command's usage words: typos and
 * truncated words still land near the intended command.
 */
import type { CliCommand } from './types.ts';
import { showStat, showInfo } from './commands/show-stat.ts';
import { showServersState, showBackend } from './commands/show-servers.ts';
import { showSess, showEnv, showVersion, showCliLevel } from './commands/show-misc.ts';
import { setWeight, setMaxconnServer, setMaxconnFrontend, setMaxconnGlobal } from './commands/set.ts';
import { setServer } from './commands/set-server.ts';
import { addServer, delServer } from './commands/server.ts';
import { setRateLimit } from './commands/rate-limit.ts';
import { shutdownSession, shutdownSessionsServer } from './commands/shutdown.ts';
import { showErrors } from './commands/show-errors.ts';
import { getWeight } from './commands/get.ts';
import { enableServer, disableServer, enableHealth, disableHealth, enableAgent, disableAgent } from './commands/enable.ts';
import { clearCounters } from './commands/clear.ts';
import { prompt, quit, operator, user } from './commands/session.ts';
import { showTable, clearTable, setTable } from './commands/table.ts';
import { addAcl, addMap, clearAcl, clearMap, delAcl, delMap, setMap, showAcl, showMap } from './commands/map.ts';

const help: CliCommand = {
  words: ['help'], usage: 'help [<command>]', help: 'list the commands (or those starting with the words given)',
  run: (_rt, args) => helpText(args),
};

/** Sorted as HAProxy lists them; help, prompt and quit come last. */
const COMMANDS: readonly CliCommand[] = [
  addAcl, addMap, addServer, clearAcl, clearCounters, clearMap, clearTable, delAcl, delMap, delServer,
  disableAgent, disableHealth, disableServer, enableAgent, enableHealth, enableServer, getWeight, operator,
  setMap, setMaxconnFrontend, setMaxconnGlobal, setMaxconnServer, setRateLimit, setServer, setTable, setWeight,
  showAcl, showBackend, showCliLevel, showEnv, showErrors, showInfo, showMap, showServersState, showSess, showStat, showTable, showVersion,
  shutdownSession, shutdownSessionsServer,
  user, help, prompt, quit,
];
const TAIL = new Set<CliCommand>([help, prompt, quit]);

function line(c: CliCommand): string {
  return `  ${c.usage.padEnd(40)}: ${c.help}\n`;
}

/** The longest command whose words start `words`. */
export function findCommand(words: readonly string[]): CliCommand | undefined {
  let best: CliCommand | undefined;
  for (const c of COMMANDS) {
    if (c.words.length > words.length || !c.words.every((w, i) => words[i] === w)) continue;
    if (!best || c.words.length > best.words.length) best = c;
  }
  return best;
}

export function helpText(args: readonly string[] = []): string {
  const match = args.length > 0 ? COMMANDS.filter((c) => !TAIL.has(c) && args.every((a, i) => c.words[i] === a)) : [];
  const list = match.length > 0 ? match : COMMANDS.filter((c) => !TAIL.has(c));
  return 'The following commands are valid at this level:\n' + list.map(line).join('') + [...TAIL].map(line).join('');
}

/** Letter-pair counts of a text, with word starts and ends as pairs too. */
function fingerprint(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    const s = `^${w}$`;
    for (let i = 0; i + 1 < s.length; i++) {
      const k = s.slice(i, i + 2);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return m;
}

function distance(a: Map<string, number>, b: Map<string, number>): number {
  let d = 0;
  for (const [k, n] of a) d += Math.abs(n - (b.get(k) ?? 0));
  for (const [k, n] of b) if (!a.has(k)) d += n;
  return d;
}

export function unknownText(words: readonly string[]): string {
  const typed = fingerprint(words.join(' '));
  const ranked = COMMANDS.filter((c) => !TAIL.has(c))
    .map((c) => ({ c, d: distance(typed, fingerprint(c.words.slice(0, words.length).join(' '))) }))
    .sort((x, y) => x.d - y.d)
    .slice(0, 5)
    .map((x) => x.c);
  const shown = COMMANDS.filter((c) => ranked.includes(c));
  return 'Unknown command, but maybe one of the following ones is a better match:\n' +
    shown.map(line).join('') + [...TAIL].map(line).join('');
}

export function allCommands(): readonly CliCommand[] {
  return COMMANDS;
}
