/**
 * `server NAME ADDR [options]` and `default-server [options]`.
 *
 * Options are tables (server-option.ts): the core ones here, health checks in
 * server-check.ts. A word found in no table is either a HAProxy option we do not serve
 * yet ("not implemented") or unknown — both errors, never ignored. A server starts from a
 * copy of its proxy's default-server settings, then its own options apply in order.
 */
import type { ParseContext } from '../context.ts';
import type { ProxyConfig, ServerDefaults, ServerParams } from '../types.ts';
import type { ServerOption } from './server-option.ts';
import { expandAddressEnv, parseServerAddress } from '../address.ts';
import { parseTime, parseUint } from '../units.ts';
import { UNSUPPORTED_SERVER_KEYWORDS } from './unsupported.ts';
import { CHECK_SERVER_OPTIONS } from './server-check.ts';
import { defaultServerCheck } from '../../check/config.ts';

export const NAME_RE = /^[A-Za-z0-9_.:-]+$/;

/** Largest per-server maxconn/maxqueue (HAProxy's limit is the process's; this bounds memory). */
const MAX_SERVER_CONN = 1_000_000;

function intOption(key: 'weight' | 'maxconn' | 'minconn' | 'maxqueue', max: number): ServerOption {
  return {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      const v = parseUint(value, 0, max);
      if (!v.ok) {
        ctx.alert('SY_ERR_CFG_ARG', `'${what}' : '${key}' ${v.reason} (allowed: 0 to ${max}).`);
        return false;
      }
      into[key] = v.value;
      return true;
    },
  };
}

/** An integer that may also be -1 ("no limit"). */
function limitOption(key: 'poolMaxConn' | 'maxReuse', kw: string): ServerOption {
  return {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      const v = value === '-1' ? { ok: true as const, value: -1 } : parseUint(value, 0, 2_147_483_647);
      if (!v.ok) {
        ctx.alert('SY_ERR_CFG_ARG', `'${what}' : '${kw}' ${v.reason} (an integer, or -1 for no limit).`);
        return false;
      }
      into[key] = v.value;
      return true;
    },
  };
}

function flag(key: 'disabled' | 'backup', value: boolean): ServerOption {
  return { args: 0, inDefaults: true, apply: (_ctx, into) => { into[key] = value; return true; } };
}

const CORE_SERVER_OPTIONS: Readonly<Record<string, ServerOption>> = {
  weight: intOption('weight', 256),
  maxconn: intOption('maxconn', MAX_SERVER_CONN),
  minconn: intOption('minconn', MAX_SERVER_CONN),
  maxqueue: intOption('maxqueue', MAX_SERVER_CONN),
  disabled: flag('disabled', true),
  enabled: flag('disabled', false),
  backup: flag('backup', true),
  'no-backup': flag('backup', false),
  cookie: {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      if (!value) { ctx.alert('SY_ERR_CFG_ARG', `'${what}' : 'cookie' expects a value.`); return false; }
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) {
        ctx.alert('SY_ERR_CFG_ARG', `'${what}' : cookie value '${value}' must be a token (letters, digits and !#$%&'*+-.^_\`|~).`);
        return false;
      }
      into.cookie = value;
      return true;
    },
  },
  'pool-max-conn': limitOption('poolMaxConn', 'pool-max-conn'),
  'max-reuse': limitOption('maxReuse', 'max-reuse'),
  'pool-purge-delay': {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      const v = parseTime(value ?? '');
      if (!value || !v.ok) {
        ctx.alert('SY_ERR_CFG_ARG', `'${what}' : 'pool-purge-delay' expects a time (e.g. 5s)${value && !v.ok ? `: ${v.reason}` : ''}.`);
        return false;
      }
      into.poolPurgeDelay = v.value;
      return true;
    },
  },
  slowstart: {
    args: 1,
    inDefaults: true,
    apply(ctx, into, value, what) {
      const v = parseTime(value ?? '');
      if (!value || !v.ok) {
        ctx.alert('SY_ERR_CFG_ARG', `'${what}' : 'slowstart' expects a time (e.g. 30s)${value ? `: ${v.ok ? '' : v.reason}` : ''}.`);
        return false;
      }
      into.slowstart = v.value;
      return true;
    },
  },
};

/** Every option Switchyard serves, by keyword. */
export const SERVER_OPTIONS: Readonly<Record<string, ServerOption>> = { ...CORE_SERVER_OPTIONS, ...CHECK_SERVER_OPTIONS };

export function defaultServerParams(): ServerParams {
  return { weight: 1, disabled: false, maxconn: 0, minconn: 0, maxqueue: 0, backup: false, slowstart: 0, check: defaultServerCheck(), cookie: '', poolMaxConn: -1, poolPurgeDelay: 5000, maxReuse: -1 };
}

export function parseServer(ctx: ParseContext, p: ProxyConfig, args: string[]): void {
  const name = args[1];
  if (!name || !args[2]) return ctx.alert('SY_ERR_CFG_ARG', `'server' expects <name> and <addr>[:<port>] as arguments.`);
  if (!NAME_RE.test(name)) return ctx.alert('SY_ERR_CFG_ARG', `character '${[...name].find((c) => !NAME_RE.test(c))}' is not permitted in server name '${name}'.`);
  const dup = p.servers.find((s) => s.name === name);
  if (dup) {
    return ctx.alert('SY_ERR_CFG_DUPLICATE', `${p.kind} '${p.name}', another server named '${name}' was already defined at line ${dup.where.line}, please use distinct names.`);
  }
  const addr = parseServerAddress(expandAddressEnv(args[2], ctx.env));
  if (!addr.ok) return ctx.alert('SY_ERR_CFG_ADDRESS', `'server ${p.name}/${name}' : ${addr.reason}.`);
  const params: ServerDefaults = structuredClone(p.serverDefaults);
  let id = 0;
  const what = `server ${p.name}/${name}`;
  // `id N` is per server only, so it is read here rather than in the shared table.
  const rest: string[] = [];
  for (let i = 3; i < args.length; i++) {
    if (args[i] !== 'id') { rest.push(args[i]!); continue; }
    const v = parseUint(args[++i], 1, 2_147_483_647);
    if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'${what}' : 'id' ${v.reason} (a positive integer).`);
    id = v.value;
  }
  if (!parseServerParams(ctx, params, rest, 0, what, false)) return;
  const full: ServerParams = { ...defaultServerParams(), ...params };
  if (full.minconn > 0 && full.maxconn > 0 && full.minconn > full.maxconn) {
    ctx.warning(`'${what}' : 'minconn' ${full.minconn} is larger than 'maxconn' ${full.maxconn}; using maxconn for both.`);
    full.minconn = full.maxconn;
  }
  // Provisional id for a server without `id`; assignServerIds settles it once all are read.
  p.servers.push({ ...full, where: { ...ctx.where }, name, text: args[2], address: addr.value, id: id || p.servers.length + 1, idExplicit: id > 0 });
}

/** `default-server [options]`. */
export function parseDefaultServer(ctx: ParseContext, into: ServerDefaults, args: string[]): void {
  parseServerParams(ctx, into, args, 1, 'default-server', true);
}

/** Applies options from args[from…] into `into`; false if an error was reported. */
function parseServerParams(ctx: ParseContext, into: ServerDefaults, args: string[], from: number, what: string, defaults: boolean): boolean {
  for (let i = from; i < args.length; i++) {
    const k = args[i]!;
    const opt = SERVER_OPTIONS[k];
    if (opt) {
      if (defaults && !opt.inDefaults) {
        ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'${what}' : '${k}' is not supported on default-server lines.`);
        return false;
      }
      let value: string | undefined;
      if (opt.args === 1) value = args[++i] ?? '';
      if (!opt.apply(ctx, into, value, what)) return false;
      continue;
    }
    if (k === 'id' && defaults) {
      ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'default-server' : 'id' is not supported on default-server lines (ids are unique per server).`);
      return false;
    }
    const supported = Object.keys(SERVER_OPTIONS).join(', ');
    if (UNSUPPORTED_SERVER_KEYWORDS.has(k)) {
      ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${what}' : '${k}' is a valid HAProxy server option but is not implemented yet in Switchyard; supported: ${supported}.`);
    } else {
      ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `'${what}' : unknown keyword '${k}'; supported: ${supported}.`);
    }
    return false;
  }
  return true;
}

/**
 * Gives every server without an explicit `id` the smallest free id from 1 in declaration
 * order, and reports explicit ids used twice in one backend (HAProxy refuses them).
 */
export function assignServerIds(ctx: ParseContext, p: ProxyConfig): void {
  const used = new Map<number, string>();
  for (const s of p.servers) {
    if (!s.idExplicit) continue;
    const other = used.get(s.id);
    if (other) ctx.alert('SY_ERR_CFG_DUPLICATE', `${p.kind} '${p.name}' : server '${s.name}' has the same id ${s.id} as server '${other}'.`, s.where);
    used.set(s.id, s.name);
  }
  let next = 1;
  for (const s of p.servers) {
    if (s.idExplicit) continue;
    while (used.has(next)) next++;
    s.id = next;
    used.set(next, s.name);
  }
}
