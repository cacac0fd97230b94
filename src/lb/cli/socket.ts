/**
 * The runtime API on `stats socket` (HAProxy's line CLI, management guide §9.3).
 *
 * Protocol: the client sends one line; commands in it are separated by ';'; each
 * command's output is followed by an empty line; then the connection is closed —
 * unless `prompt` switched the session to interactive mode, where a "> " prompt follows
 * every answer and the session stays open until `quit` or `stats timeout` idles it out.
 * Lines are bounded (line-reader.ts) so a client can't make us buffer without limit.
 *
 * Each connection starts at its socket's `level`; `operator` and `user` lower it.
 * A command above the session's level answers "Permission denied" (types.ts).
 * The commands themselves live in commands/*.ts, listed by registry.ts.
 *
 * One line is not a command that answers text: `_getsocks` (HAProxy's socket transfer for
 * a successor started with -x) takes over the connection and sends this process's
 * listening sockets, on a socket with `expose-fd listeners` only (getsocks.ts).
 */
import type net from 'node:net';
import type { Runtime } from '../core/runtime.ts';
import { findCommand, unknownText } from './registry.ts';
import { LEVEL_RANK, PERMISSION_DENIED, type BareAnswer, type CliSession, type Level } from './types.ts';
import { attachRuntime, detachRuntime } from '../stats/registry.ts';
import { serveGetsocks } from './getsocks.ts';
import { readCliLines } from './line-reader.ts';


/** Runs one line (commands separated by ';'); returns the answer and whether to close. */
export function runLine(rt: Runtime, line: string, session: CliSession): { out: string; quit: boolean } {
  let out = '';
  for (const cmdText of line.split(';')) {
    const words = cmdText.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) continue;
    const cmd = findCommand(words);
    if (cmd?.words[0] === 'quit') return { out, quit: true };
    let answer: string | BareAnswer;
    if (!cmd) answer = unknownText(words);
    else if (LEVEL_RANK[session.level] < LEVEL_RANK[cmd.level ?? 'user']) answer = PERMISSION_DENIED;
    else answer = cmd.run(rt, words.slice(cmd.words.length), session);
    out += typeof answer === 'string' ? answer + '\n' : answer.bare;
    // In interactive mode every answer is followed by a prompt, even mid-line.
    if (session.interactive) out += '> ';
  }
  return { out, quit: false };
}

export class CliServer {
  private readonly rt: Runtime;
  private readonly sessions = new Set<net.Socket>();

  constructor(rt: Runtime) {
    this.rt = rt;
    // The runtime builds this server at start-up: the one moment the statistics page
    // (served from inside HTTP streams) can learn which live objects to show.
    attachRuntime(rt);
  }

  /** `exposeFd`: the socket has `expose-fd listeners`, so `_getsocks` is allowed. */
  accept(sock: net.Socket, level: Level, exposeFd = false): void {
    this.sessions.add(sock);
    const session: CliSession = { level, interactive: false };
    const timeout = this.rt.config.global.statsTimeout;
    sock.setTimeout(timeout, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.sessions.delete(sock));
    sock.on('end', () => sock.end());
    readCliLines(sock, (line) => {
      if (line.trim() === '_getsocks') {
        // HAProxy's answer without expose-fd: nothing, the connection is closed.
        if (exposeFd) void serveGetsocks(sock, this.rt.listeningFds());
        else sock.end();
        return false;
      }
      const { out, quit } = runLine(this.rt, line, session);
      if (quit || !session.interactive) {
        sock.end(out);
        return false;
      }
      sock.write(out.endsWith('> ') ? out : out + '> ');
      return true;
    });
    sock.resume();
  }

  /** Called when the runtime stops: ends CLI sessions and the statistics sampler. */
  closeAll(): void {
    for (const s of this.sessions) s.destroy();
    detachRuntime(this.rt);
  }
}
