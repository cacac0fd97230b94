/**
 * The runtime API on `stats socket` (HAProxy's line CLI, management.txt §9.3).
 *
 * Protocol: the client sends one line; commands in it are separated by ';'; each
 * command's output is followed by an empty line; then the connection is closed —
 * unless `prompt` switched the session to interactive mode, where a "> " prompt follows
 * every answer and the session stays open until `quit` or `stats timeout` idles it out.
 * Lines are bounded (MAX_LINE) so a client can't make us buffer without limit.
 *
 * Commands served so far: help, prompt, quit, show version, show info. The rest of the
 * runtime API comes with the operations issue.
 */
import type net from 'node:net';
import type { Runtime } from '../core/runtime.ts';
import { VERSION, RELEASE_DATE } from '../../shared/version.ts';

const MAX_LINE = 16_384;

type Level = 'user' | 'operator' | 'admin';

interface Command {
  words: string[];
  usage: string;
  help: string;
  run(rt: Runtime, args: string[]): string;
}

function uptime(ms: number): { text: string; sec: number } {
  const sec = Math.floor(ms / 1000);
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return { text: `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`, sec };
}

const COMMANDS: Command[] = [
  {
    words: ['help'], usage: 'help [<command>]', help: 'list matching or all commands',
    run: () => helpText(),
  },
  {
    words: ['prompt'], usage: 'prompt', help: 'toggle interactive mode with prompt',
    run: () => '',
  },
  {
    words: ['quit'], usage: 'quit', help: 'disconnect',
    run: () => '',
  },
  {
    words: ['show', 'version'], usage: 'show version', help: 'show version of the current process',
    run: () => `${VERSION}\n`,
  },
  {
    words: ['show', 'info'], usage: 'show info', help: 'report information about the running process',
    run: (rt) => {
      const up = uptime(Date.now() - rt.startedAt);
      let cum = 0;
      for (const fe of rt.frontends) cum += fe.feCounters.stot;
      const lines = [
        'Name: Switchyard', `Version: ${VERSION}`, `Release_date: ${RELEASE_DATE}`,
        'Nbthread: 1', 'Nbproc: 1', 'Process_num: 1', `Pid: ${process.pid}`,
        `Uptime: ${up.text}`, `Uptime_sec: ${up.sec}`,
        `Memmax_MB: 0`, `Maxsock: ${rt.maxconn * 2}`, `Maxconn: ${rt.maxconn}`,
        `CurrConns: ${rt.cur}`, `CumConns: ${cum}`,
      ];
      return lines.join('\n') + '\n';
    },
  },
];

function helpText(): string {
  return 'The following commands are valid at this level:\n' +
    COMMANDS.map((c) => `  ${c.usage.padEnd(40)}: ${c.help}`).join('\n') + '\n';
}

function findCommand(words: string[]): Command | undefined {
  return COMMANDS.find((c) => c.words.every((w, i) => words[i] === w));
}

export class CliServer {
  private readonly rt: Runtime;
  private readonly sessions = new Set<net.Socket>();

  constructor(rt: Runtime) {
    this.rt = rt;
  }

  accept(sock: net.Socket, _level: Level): void {
    this.sessions.add(sock);
    let buf = '';
    let interactive = false;
    const timeout = this.rt.config.global.statsTimeout;
    sock.setTimeout(timeout, () => sock.destroy());
    sock.setEncoding('utf8');
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.sessions.delete(sock));
    sock.on('end', () => sock.end());
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE && !buf.includes('\n')) {
        sock.end('Line too long.\n\n');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        let out = '';
        let quit = false;
        for (const cmdText of line.split(';')) {
          const words = cmdText.trim().split(/\s+/).filter((w) => w !== '');
          if (words.length === 0) continue;
          const cmd = findCommand(words);
          if (!cmd) {
            out += `Unknown command: '${words.join(' ')}'\n\n${helpText()}\n`;
            if (interactive) out += '> ';
            continue;
          }
          if (cmd.words[0] === 'prompt') interactive = !interactive;
          if (cmd.words[0] === 'quit') { quit = true; break; }
          out += cmd.run(this.rt, words.slice(cmd.words.length)) + '\n';
          // In interactive mode every answer is followed by a prompt, even mid-line.
          if (interactive) out += '> ';
        }
        if (quit || !interactive) {
          sock.end(out);
          return;
        }
        if (!out.endsWith('> ')) out += '> ';
        sock.write(out);
      }
    });
    sock.resume();
  }

  closeAll(): void {
    for (const s of this.sessions) s.destroy();
  }
}
