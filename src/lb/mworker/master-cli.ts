/**
 * The master CLI (`-S`): the same line protocol as a `stats socket` (one line, commands
 * separated by ';', an empty line after each answer, close unless `prompt`), with the
 * master's own commands — `show proc`, `reload` — and routing prefixes that send a command
 * to a worker's runtime API:
 *
 *   @1 CMD        the current worker (HAProxy 2.6 numbers its one worker 1)
 *   @!PID CMD     any worker, current or old, by process id (`@PID` too, beyond HAProxy)
 *   @master CMD   the master itself
 *   @X alone      in prompt mode: every later command goes to X (the prompt shows it)
 *
 * A forwarded command runs in the worker at this session's level. Answers are produced
 * asynchronously (a forward waits for the worker, a reload for the new worker), so each
 * connection handles its lines strictly in order, and a half-closed connection (the
 * client sent its line and shut its side, as VTest and `socat` do) is ended only after
 * the answer is written.
 */
import type net from 'node:net';
import { LEVEL_RANK, PERMISSION_DENIED, type Level } from '../cli/types.ts';
import { readCliLines } from '../cli/line-reader.ts';
import { VERSION } from '../../shared/version.ts';


/** What the master CLI needs from the master. */
export interface MasterApi {
  showProc(): string;
  /** Runs a reload; resolves with the answer (Success=0|1, then the messages). */
  reload(): Promise<string>;
  /** The pid a prefix names ('@1', '@!1234'), or null when no such worker. */
  resolveTarget(prefix: string): number | null;
  forward(pid: number, line: string, level: Level): Promise<string>;
  /** Idle timeout of a session, ms. */
  timeoutMs: number;
}

interface Session {
  level: Level;
  interactive: boolean;
  /** Where commands without a prefix go: the master, or a worker's pid. */
  target: 'master' | number;
}

interface MasterCommand {
  words: string[];
  usage: string;
  help: string;
  level?: Level;
  run(api: MasterApi, args: string[], s: Session): string | Promise<string>;
}

const COMMANDS: MasterCommand[] = [
  { words: ['@!<pid>'], usage: '@!<pid>', help: 'run the rest of the command in the worker with this process id', run: () => '' },
  { words: ['@<relative pid>'], usage: '@<relative pid>', help: 'run the rest of the command in worker number N (1: the current one)', run: () => '' },
  { words: ['@master'], usage: '@master', help: 'run the rest of the command in the master', run: () => '' },
  { words: ['operator'], usage: 'operator', help: 'lower this session\'s level to operator', run: (_a, _w, s) => { lower(s, 'operator'); return ''; } },
  { words: ['reload'], usage: 'reload', help: 'read the configuration again and replace the worker', level: 'operator', run: (a) => a.reload() },
  { words: ['show', 'cli', 'level'], usage: 'show cli level', help: 'print this session\'s level', run: (_a, _w, s) => `${s.level}\n` },
  { words: ['show', 'proc'], usage: 'show proc', help: 'list the master, the current worker and the old ones', run: (a) => a.showProc() },
  { words: ['show', 'version'], usage: 'show version', help: 'print the master\'s version', run: () => `${VERSION}\n` },
  { words: ['user'], usage: 'user', help: 'lower this session\'s level to user', run: (_a, _w, s) => { lower(s, 'user'); return ''; } },
  { words: ['help'], usage: 'help [<command>]', help: 'list the commands', run: () => helpText('The following commands are valid at this level:') },
  { words: ['prompt'], usage: 'prompt', help: 'toggle interactive mode with a prompt', run: () => '' },
  { words: ['quit'], usage: 'quit', help: 'close this session', run: () => '' },
];

function lower(s: Session, to: Level): void {
  if (LEVEL_RANK[to] < LEVEL_RANK[s.level]) s.level = to;
}

function helpText(title: string): string {
  return `${title}\n${COMMANDS.map((c) => `  ${c.usage.padEnd(40)}: ${c.help}\n`).join('')}`;
}

function findCommand(words: string[]): MasterCommand | undefined {
  return COMMANDS.find((c) => !c.words[0]!.startsWith('@') && c.words.every((w, i) => words[i] === w));
}

function prompt(s: Session): string {
  return s.target === 'master' ? 'master> ' : `${s.target}> `;
}

export class MasterCli {
  private readonly api: MasterApi;
  private readonly sessions = new Set<net.Socket>();

  constructor(api: MasterApi) {
    this.api = api;
  }

  accept(sock: net.Socket, level: Level): void {
    this.sessions.add(sock);
    const session: Session = { level, interactive: false, target: 'master' };
    let chain: Promise<void> = Promise.resolve();
    let closing = false;
    sock.setTimeout(this.api.timeoutMs, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.sessions.delete(sock));
    sock.on('end', () => { chain = chain.then(() => { if (!sock.destroyed) sock.end(); }); });
    readCliLines(sock, (line) => {
      // Whether the session goes on is known only once the line ran (`prompt`, `quit`):
      // lines queued behind a closing one are dropped.
      chain = chain.then(async () => {
        if (closing || sock.destroyed) return;
        sock.setTimeout(0);
        const { out, quit } = await this.runLine(line, session);
        if (sock.destroyed) return;
        sock.setTimeout(this.api.timeoutMs);
        if (quit || !session.interactive) { closing = true; sock.end(out); return; }
        sock.write(out + prompt(session));
      });
      return true;
    });
    sock.resume();
  }

  /** One line: commands separated by ';', each possibly prefixed by a target. */
  async runLine(line: string, s: Session): Promise<{ out: string; quit: boolean }> {
    let out = '';
    for (const text of line.split(';')) {
      let words = text.trim().split(/\s+/).filter((w) => w !== '');
      if (words.length === 0) continue;
      let target = s.target;
      if (words[0]!.startsWith('@')) {
        const prefix = words[0]!;
        if (prefix === '@master') target = 'master';
        else {
          const pid = this.api.resolveTarget(prefix);
          // The whole line stops here, as a wrong target must not run the rest elsewhere.
          if (pid === null) return { out: `${out}Can't find the target PID matching the prefix '${prefix}'\n`, quit: false };
          target = pid;
        }
        words = words.slice(1);
        if (words.length === 0) {
          if (s.interactive) s.target = target;
          continue;
        }
      }
      if (target !== 'master') {
        // A worker that left meanwhile: the same answer as an unknown target.
        try {
          out += await this.api.forward(target, words.join(' '), s.level);
        } catch {
          return { out: `${out}Can't find the target PID matching the prefix '@!${target}'\n`, quit: false };
        }
        continue;
      }
      const cmd = findCommand(words);
      if (cmd?.words[0] === 'quit') return { out, quit: true };
      // The prompt itself is the whole answer to `prompt`.
      if (cmd?.words[0] === 'prompt') { s.interactive = !s.interactive; continue; }
      if (!cmd) out += helpText('Unknown command, but maybe one of the following ones is a better match:') + '\n';
      else if (LEVEL_RANK[s.level] < LEVEL_RANK[cmd.level ?? 'user']) out += PERMISSION_DENIED + '\n';
      else out += (await cmd.run(this.api, words.slice(cmd.words.length), s)) + '\n';
    }
    return { out, quit: false };
  }

  closeAll(): void {
    for (const s of this.sessions) s.destroy();
  }
}

/** HAProxy's uptime layout in `show proc`: 0d00h00m07s. */
export function procUptime(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(t / 86400)}d${p2(Math.floor((t % 86400) / 3600))}h${p2(Math.floor((t % 3600) / 60))}m${p2(t % 60)}s`;
}

/**
 * `show proc`, in HAProxy 2.6's columns: <PID> <type> <reloads> <uptime> <version>, the
 * master first (its reloads with the count of failed ones since the last success), then
 * the current worker, then the old ones still finishing their sessions.
 */
export function formatShowProc(
  master: { pid: number; reloads: number; failed: number; startedAt: number },
  workers: { pid: number; reloads: number; startedAt: number; old: boolean }[],
  now: number,
): string {
  const col = (v: string | number): string => String(v).padEnd(15);
  const row = (pid: number, reloads: string, startedAt: number): string =>
    `${col(pid)} ${col('worker')} ${col(reloads)} ${col(procUptime(now - startedAt))} ${col(VERSION)}\n`;
  let out = `#${'<PID>'.padEnd(14)} ${col('<type>')} ${col('<reloads>')} ${col('<uptime>')} ${col('<version>')}\n`;
  out += `${col(master.pid)} ${col('master')} ${col(`${master.reloads} [failed: ${master.failed}]`)} ${col(procUptime(now - master.startedAt))} ${col(VERSION)}\n`;
  out += '# workers\n';
  for (const w of workers) if (!w.old) out += row(w.pid, String(w.reloads), w.startedAt);
  if (workers.some((w) => w.old)) {
    out += '# old workers\n';
    for (const w of workers) if (w.old) out += row(w.pid, String(w.reloads), w.startedAt);
  }
  return out + '# programs\n';
}
