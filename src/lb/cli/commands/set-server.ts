/**
 * `set server <b>/<s> <what> …` (admin), with HAProxy 2.6's answers word for word,
 * including which ones it ends without the empty line (bare()):
 *
 *   state ready|drain|maint, weight N[%]    the operator's state and weight
 *   addr IP [port P|+N|-N]                  where new connections go; idle pooled ones
 *                                           to the old address are closed (Server.moveTo)
 *   health up|stopping|down                 forces the check's verdict (a tracking
 *                                           server refuses: its health is another's)
 *   agent up|down                           forces the agent's verdict
 *   check-addr IP [port P], check-port P    where health checks connect
 *   agent-addr IP [port P], agent-port P,   where agent checks connect, what they send
 *   agent-send TEXT
 *
 * Probes read these settings when they start, so a change applies from the next probe.
 * `fqdn` and `ssl` answer HAProxy's refusals (no resolvers, no TLS to servers yet).
 */
import { isIP } from 'node:net';
import type { CliCommand } from '../types.ts';
import { bare, type BareAnswer } from '../types.ts';
import type { Backend } from '../../core/backend.ts';
import type { Server } from '../../core/server.ts';
import { applyWeight, findServer } from '../target.ts';
import { monitorOf } from '../../check/monitor.ts';

const USAGE = 'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';
const BY = " by 'stats socket command'";
const NO_CHECK = bare('health checks are not enabled on this server\n');
const NO_AGENT = bare('agent checks are not enabled on this server\n');

type Answer = string | BareAnswer;

/** A port as `set server` reads one: digits only, 1–65535. */
function portOf(text: string | undefined): number | 'nan' | 'range' {
  if (text === undefined || !/^\d+$/.test(text)) return 'nan';
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : 'range';
}

function portError(p: 'nan' | 'range'): BareAnswer {
  return bare(p === 'nan' ? 'provided port is not an integer\n' : 'provided port is invalid\n');
}

function setAddr(s: Server, args: string[]): Answer {
  const ip = args[0];
  if (ip === undefined) return 'set server <b>/<s> addr requires an address and optionally a port.\n';
  if (isIP(ip) === 0) return `Invalid addr '${ip}'${BY}\n`;
  const a = s.cfg.address;
  if (a.kind !== 'inet') return `Invalid addr '${ip}'${BY}\n`;
  const portText = args[1] === 'port' ? args[2] ?? '' : undefined;
  const parts: string[] = [];
  const oldHost = s.host;
  let newPort: number | null = null;
  const oldPort = a.port === null ? (a.portOffset === 0 ? '0' : `${a.portOffset > 0 ? '+' : ''}${a.portOffset}`) : String(a.port);
  let portMsg = '';
  let mapped = false;
  if (portText !== undefined) {
    const map = /^[+-]\d+$/.test(portText);
    const p = map ? null : /^\d+$/.test(portText) && Number(portText) <= 65535 ? Number(portText) : null;
    if (map) {
      portMsg = "can't change <port> to port map because it is incompatible with current health check port configuration (use 'port' statement from the 'server' directive.";
      if (s.cfg.check.port > 0) {
        s.cfg.address = { ...a, port: null, portOffset: Number(portText) };
        mapped = true;
        portMsg = portText === oldPort ? 'no need to change the port' : `port changed from '${oldPort}' to '${portText}'`;
      }
    } else if (p === null) {
      portMsg = `problem converting port '${portText}' to an int`;
    } else if (String(p) === oldPort) {
      portMsg = 'no need to change the port';
    } else {
      newPort = p;
      portMsg = `port changed from '${oldPort}' to '${p}'`;
    }
  }
  parts.push(ip === oldHost ? 'no need to change the addr' : `IP changed from '${oldHost}' to '${ip}'`);
  if (portMsg) parts.push(portMsg);
  if (ip !== oldHost || newPort !== null || mapped) s.moveTo(ip, newPort);
  return `${parts.join(', ')}${BY}\n`;
}

/** `IP [port P]` for check-addr / agent-addr. */
function setProbeAddr(s: Server, args: string[], agent: boolean): Answer {
  const word = agent ? 'agent-addr' : 'check-addr';
  if (args[0] === undefined) return `set server <b>/<s> ${word} requires an address and optionally a port.\n`;
  const m = monitorOf(s);
  if (agent ? !m?.agent : !m?.check) return agent ? NO_AGENT : NO_CHECK;
  if (isIP(args[0]) === 0) return bare(`invalid addr '${args[0]}'\n`);
  let port: number | null = null;
  if (args[1] === 'port') {
    const p = portOf(args[2]);
    if (typeof p !== 'number') return portError(p);
    port = p;
  }
  const c = s.cfg.check;
  if (agent) { c.agentAddr = args[0]; if (port !== null) c.agentPort = port; }
  else { c.addr = args[0]; if (port !== null) c.port = port; }
  return '';
}

function setProbePort(s: Server, text: string | undefined, agent: boolean): Answer {
  if (text === undefined) return `set server <b>/<s> ${agent ? 'agent-port' : 'check-port'} requires a port.\n`;
  const m = monitorOf(s);
  if (agent ? !m?.agent : !m?.check) return agent ? NO_AGENT : NO_CHECK;
  // check-port 0 means "the server's own port" again (agent ports have no such default).
  const p = !agent && text === '0' ? 0 : portOf(text);
  if (typeof p !== 'number') return portError(p);
  if (agent) s.cfg.check.agentPort = p;
  else s.cfg.check.port = p;
  return '';
}

/** Servers without checks that `health stopping` drained: `health up` undoes only that drain. */
const stoppedHere = new WeakSet<Server>();

function setHealth(be: Backend, s: Server, st: string | undefined): Answer {
  if (st !== 'up' && st !== 'stopping' && st !== 'down') return `'set server <srv> health' expects 'up', 'stopping', or 'down'.\n`;
  const m = monitorOf(s);
  if (m?.tracking || s.cfg.check.track) return 'cannot change health on a tracking server.\n';
  if (m) { m.force('check', st); return ''; }
  be.setHealth(s, st !== 'down');
  if (st === 'stopping' && s.admin === 'ready') { be.setAdmin(s, 'drain'); stoppedHere.add(s); }
  else if (st === 'up' && stoppedHere.delete(s) && s.admin === 'drain') be.setAdmin(s, 'ready');
  return '';
}

function setAgent(s: Server, st: string | undefined): Answer {
  const m = monitorOf(s);
  if (!m?.agent) return 'agent checks are not enabled on this server.\n';
  if (st !== 'up' && st !== 'down') return `'set server <srv> agent' expects 'up' or 'down'.\n`;
  m.force('agent', st);
  return '';
}

export const setServer: CliCommand = {
  words: ['set', 'server'], usage: 'set server <bk>/<srv> [opts]', help: "change a server's state, weight, address or check settings", level: 'admin',
  run(rt, args) {
    const t = findServer(rt, args[0]);
    if (!t.ok) return t.error;
    const { be, s } = t;
    const rest = args.slice(2);
    switch (args[1]) {
      case 'state': {
        const st = rest[0];
        if (st !== 'ready' && st !== 'drain' && st !== 'maint') return `'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n`;
        be.setAdmin(s, st);
        return '';
      }
      case 'weight': return applyWeight(be, s, rest[0]);
      case 'addr': return setAddr(s, rest);
      case 'health': return setHealth(be, s, rest[0]);
      case 'agent': return setAgent(s, rest[0]);
      case 'check-addr': return setProbeAddr(s, rest, false);
      case 'agent-addr': return setProbeAddr(s, rest, true);
      case 'check-port': return setProbePort(s, rest[0], false);
      case 'agent-port': return setProbePort(s, rest[0], true);
      case 'agent-send': {
        if (!monitorOf(s)?.agent) return 'agent checks are not enabled on this server.\n';
        s.cfg.check.agentSend = rest.join(' ');
        return '';
      }
      case 'fqdn': return 'set server <b>/<s> fqdn failed because no resolution is configured.\n';
      case 'ssl': return "'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n";
      default: return USAGE;
    }
  },
};
