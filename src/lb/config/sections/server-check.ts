/**
 * Health-check options of `server` / `default-server` lines (`check`, `inter`, `rise`, …).
 * What they mean at run time: src/lb/check. Until an option is in this table it stays
 * refused as "not implemented" (unsupported.ts).
 *
 * Checks that need the whole line or the whole configuration (agent-check without a
 * port, check together with track, track targets and loops, observe layer7 outside
 * mode http) are in check.ts's validateHealthChecks, run after every file was read.
 * Messages follow HAProxy 2.6's wording ("'server be/s1' : 'rise' has to be > 0.").
 */
import type { ServerOption } from './server-option.ts';
import type { ServerDefaults } from '../types.ts';
import type { ParseContext } from '../context.ts';
import { isIP } from 'node:net';
import { defaultServerCheck, type ServerCheckParams } from '../../check/config.ts';
import { parseTime, parseUint } from '../units.ts';

/** The check settings of a line being parsed (created from HAProxy's defaults when absent). */
function checkOf(into: ServerDefaults): ServerCheckParams {
  into.check ??= defaultServerCheck();
  return into.check;
}

function flag(set: (c: ServerCheckParams) => void): ServerOption {
  return { args: 0, inDefaults: true, apply: (_ctx, into) => { set(checkOf(into)); return true; } };
}

type DelayKey = 'inter' | 'fastinter' | 'downinter' | 'agentInter';

/** A delay > 0 (HAProxy refuses 0 for every check interval). */
function delay(kw: string, key: DelayKey): ServerOption {
  return {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      if (!value) return fail(ctx, `'${what}' : '${kw}' expects a delay as argument (e.g. 2s, 500ms).`);
      const t = parseTime(value);
      if (!t.ok) return fail(ctx, `'${what}' : ${t.reason} in '${kw}' argument; expects a delay (e.g. 2s, 500ms).`);
      if (t.value === 0) return fail(ctx, `'${what}' : invalid value 0 for argument '${kw}'; expects a delay > 0.`);
      checkOf(into)[key] = t.value;
      return true;
    },
  };
}

function positive(kw: string, key: 'rise' | 'fall' | 'errorLimit'): ServerOption {
  return {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      const v = parseUint(value, 1, 1_000_000);
      if (!v.ok) return fail(ctx, `'${what}' : '${kw}' has to be > 0 (an integer from 1 to 1000000).`);
      checkOf(into)[key] = v.value;
      return true;
    },
  };
}

function port(kw: string, key: 'port' | 'agentPort'): ServerOption {
  return {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      const v = parseUint(value, 0, 65535);
      if (!v.ok) return fail(ctx, `'${what}' : '${kw}' expects a port number from 0 to 65535 (0: the server's port), got '${value}'.`);
      checkOf(into)[key] = v.value;
      return true;
    },
  };
}

/** An IP literal, optionally [v6] or with ":port" (the port then applies if none was set). */
export function parseCheckAddr(text: string): { host: string; port: number } | null {
  let host = text;
  let p = 0;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    p = v6[2] ? Number(v6[2]) : 0;
  } else if (isIP(text) !== 6) {
    const m = /^([^:]+)(?::(\d+))?$/.exec(text);
    if (!m) return null;
    host = m[1]!;
    p = m[2] ? Number(m[2]) : 0;
  }
  if (isIP(host) === 0 || p > 65535) return null;
  return { host, port: p };
}

function addr(kw: string, key: 'addr' | 'agentAddr', portKey: 'port' | 'agentPort'): ServerOption {
  return {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      const a = value ? parseCheckAddr(value) : null;
      if (!a) return fail(ctx, `'${what}' : '${kw}' : invalid address: '${value ?? ''}' (an IPv4 or IPv6 address, optionally with ':port').`);
      const c = checkOf(into);
      c[key] = a.host;
      if (a.port > 0 && c[portKey] === 0) c[portKey] = a.port;
      return true;
    },
  };
}

function oneOf<T extends string>(kw: string, allowed: readonly T[], set: (c: ServerCheckParams, v: T) => void, wording: string): ServerOption {
  return {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      if (!value || !(allowed as readonly string[]).includes(value)) {
        return fail(ctx, `'${what}' : '${kw}' expects ${wording} but got '${value ?? ''}'.`);
      }
      set(checkOf(into), value as T);
      return true;
    },
  };
}

function fail(ctx: ParseContext, message: string): false {
  ctx.alert('SY_ERR_CFG_ARG', message);
  return false;
}

export const CHECK_SERVER_OPTIONS: Readonly<Record<string, ServerOption>> = {
  check: flag((c) => { c.enabled = true; }),
  'no-check': flag((c) => { c.enabled = false; }),
  inter: delay('inter', 'inter'),
  fastinter: delay('fastinter', 'fastinter'),
  downinter: delay('downinter', 'downinter'),
  rise: positive('rise', 'rise'),
  fall: positive('fall', 'fall'),
  port: port('port', 'port'),
  addr: addr('addr', 'addr', 'port'),
  'agent-check': flag((c) => { c.agent = true; }),
  'no-agent-check': flag((c) => { c.agent = false; }),
  'agent-port': port('agent-port', 'agentPort'),
  'agent-inter': delay('agent-inter', 'agentInter'),
  'agent-addr': addr('agent-addr', 'agentAddr', 'agentPort'),
  'agent-send': {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      if (value === undefined || value === '') return fail(ctx, `'${what}' : 'agent-send' expects a string argument.`);
      checkOf(into).agentSend = value;
      return true;
    },
  },
  observe: oneOf('observe', ['none', 'layer4', 'layer7'] as const, (c, v) => { c.observe = v; }, "one of 'none', 'layer4', 'layer7'"),
  'error-limit': positive('error-limit', 'errorLimit'),
  'on-error': oneOf('on-error', ['fastinter', 'fail-check', 'sudden-death', 'mark-down'] as const, (c, v) => { c.onError = v; },
    "one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down'"),
  'on-marked-down': oneOf('on-marked-down', ['shutdown-sessions'] as const, (c) => { c.shutdownOnDown = true; }, "'shutdown-sessions'"),
  'on-marked-up': oneOf('on-marked-up', ['shutdown-backup-sessions'] as const, (c) => { c.shutdownBackupOnUp = true; }, "'shutdown-backup-sessions'"),
  track: {
    args: 1,
    // HAProxy 2.6 takes `track` on default-server lines but never applies it; we refuse it.
    inDefaults: false,
    apply(ctx, into, value, what) {
      if (!value) return fail(ctx, `'${what}' : 'track' expects [<proxy>/]<server> as argument.`);
      const slash = value.indexOf('/');
      const proxy = slash >= 0 ? value.slice(0, slash) : null;
      const server = slash >= 0 ? value.slice(slash + 1) : value;
      if (server === '' || proxy === '') return fail(ctx, `'${what}' : 'track' expects [<proxy>/]<server> as argument, got '${value}'.`);
      checkOf(into).track = { proxy, server };
      return true;
    },
  },
};
