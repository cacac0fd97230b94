/**
 * `show sess`, `show env [NAME]`, `show version`, `show cli level`.
 *
 * `show sess` lists the client sessions of every frontend, one line each, starting with
 * the fields HAProxy prints first (an id, proto, src, fe, be, srv, age); HAProxy's
 * internal buffer and task details have no equivalent here and are not printed. The
 * CLI's own session is not listed.
 */
import type net from 'node:net';
import type { CliCommand } from '../types.ts';
import type { Runtime } from '../../core/runtime.ts';
import type { Frontend } from '../../core/frontend.ts';
import type { TcpStream } from '../../core/tcp-stream.ts';
import type { HttpStream } from '../../core/http-stream.ts';
import { VERSION } from '../../../shared/version.ts';

/** Stable ids for sessions, so two `show sess` calls name a session the same way. */
const ids = new WeakMap<object, number>();
let nextId = 0x1000;

function idOf(st: object): string {
  let id = ids.get(st);
  if (id === undefined) { id = nextId++; ids.set(st, id); }
  return `0x${id.toString(16).padStart(8, '0')}`;
}

/** The stream `show sess` printed as `id` (only streams already listed have an id). */
export function sessionById(rt: Runtime, id: number): { fe: Frontend; st: TcpStream | HttpStream } | null {
  for (const fe of rt.frontends) for (const st of fe.streams) if (ids.get(st) === id) return { fe, st };
  return null;
}

function src(sock: net.Socket): { proto: string; src: string } {
  const fam = sock.remoteFamily;
  if (!fam) return { proto: 'unix_stream', src: 'unix' };
  const addr = fam === 'IPv6' ? `[${sock.remoteAddress}]` : sock.remoteAddress;
  return { proto: fam === 'IPv6' ? 'tcpv6' : 'tcpv4', src: `${addr}:${sock.remotePort}` };
}

export const showSess: CliCommand = {
  words: ['show', 'sess'], usage: 'show sess [id]', help: 'list the client sessions in progress', level: 'operator',
  run(rt) {
    let out = '';
    const now = Date.now();
    for (const fe of rt.frontends) {
      for (const st of fe.streams) {
        const s = src(st.cli);
        const be = st.backend?.name ?? '<NONE>';
        const srv = st.server?.name ?? '<none>';
        const since = fe.acceptedAt.get(st);
        const age = since === undefined ? '' : ` age=${Math.floor((now - since) / 1000)}s`;
        out += `${idOf(st)}: proto=${s.proto} src=${s.src} fe=${fe.name} be=${be} srv=${srv} ts=00${age}\n`;
      }
    }
    return out;
  },
};

export const showEnv: CliCommand = {
  words: ['show', 'env'], usage: 'show env [var]', help: 'print the environment (or one variable)', level: 'operator',
  run(_rt, args) {
    const name = args[0];
    if (name !== undefined) {
      const v = process.env[name];
      return v === undefined ? 'Variable not found\n' : `${name}=${v}\n`;
    }
    return Object.entries(process.env).map(([k, v]) => `${k}=${v}\n`).join('');
  },
};

export const showVersion: CliCommand = {
  words: ['show', 'version'], usage: 'show version', help: 'show version of the current process',
  run: () => `${VERSION}\n`,
};

export const showCliLevel: CliCommand = {
  words: ['show', 'cli', 'level'], usage: 'show cli level', help: 'print this session\'s level',
  run: (_rt, _args, session) => `${session.level}\n`,
};
