/**
 * The `global` section (may appear several times; later settings override earlier ones,
 * as VTest relies on by prepending its own `global`).
 */
import type { ParseContext } from '../context.ts';
import { expandAddressEnv, parseListenAddress } from '../address.ts';
import { parseTime, parseUint } from '../units.ts';
import { isUnsupportedGlobal } from './unsupported.ts';
import { LOG_GLOBAL_KEYWORDS, parseGlobalLog } from './log.ts';
import { setSpreadChecks } from '../../check/config.ts';

export const GLOBAL_KEYWORDS = [
  'maxconn', 'maxconnrate', 'maxsessrate', 'nbthread', 'daemon', 'pidfile', 'stats socket', 'stats timeout', 'user', 'group',
  'uid', 'gid', 'setenv', 'unsetenv', 'quiet', 'spread-checks', 'tune.bufsize', 'tune.maxrewrite',
  'tune.http.maxhdr', 'expose-experimental-directives', ...LOG_GLOBAL_KEYWORDS,
];

export function parseGlobalLine(ctx: ParseContext, args: string[]): void {
  const g = ctx.config.global;
  if (parseGlobalLog(ctx, g, args)) return;
  const kw = args[0]!;
  switch (kw) {
    case 'tune.bufsize':
    case 'tune.maxrewrite':
    case 'tune.http.maxhdr': {
      // Bounds chosen so a head always fits: bufsize 1 KiB–1 MiB, maxhdr 1–32767 (HAProxy's).
      const [min, max] = kw === 'tune.bufsize' ? [1024, 1_048_576] : kw === 'tune.maxrewrite' ? [0, 1_048_576] : [1, 32_767];
      const v = parseUint(args[1], min, max);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'${kw}' ${v.reason}.`);
      if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'${kw}' : unexpected argument '${args[2]}'.`);
      (g.tune ??= {})[kw === 'tune.bufsize' ? 'bufsize' : kw === 'tune.maxrewrite' ? 'maxrewrite' : 'maxhdr'] = v.value;
      return;
    }
    case 'maxconn': {
      // 0 means "derive from the file-descriptor limit", as in HAProxy.
      const v = parseUint(args[1], 0, 10_000_000);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'maxconn' ${v.reason}.`);
      g.maxconn = v.value === 0 ? undefined : v.value;
      return;
    }
    case 'maxconnrate':
    case 'maxsessrate': {
      // Accepts per second over the whole process; 0 means no limit (rate-limit.ts).
      const v = parseUint(args[1], 0, 10_000_000);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'${kw}' ${v.reason} (connections per second, 0 for no limit).`);
      g[kw] = v.value === 0 ? undefined : v.value;
      return;
    }
    case 'nbthread': {
      const v = parseUint(args[1], 1, 4096);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'nbthread' ${v.reason}.`);
      // Accepted for compatibility; the balancer runs on one thread for now.
      g.nbthread = v.value;
      return;
    }
    case 'daemon':
      g.daemon = true;
      return;
    case 'quiet':
      g.quiet = true;
      return;
    case 'pidfile':
      if (!args[1]) return ctx.alert('SY_ERR_CFG_ARG', `'pidfile' expects a file name as an argument.`);
      g.pidfile = args[1];
      return;
    case 'user': case 'group':
      if (!args[1]) return ctx.alert('SY_ERR_CFG_ARG', `'${kw}' expects a name as an argument.`);
      g[kw] = args[1];
      return;
    case 'uid': case 'gid': {
      const v = parseUint(args[1], 0, 2 ** 32 - 1);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'${kw}' ${v.reason}.`);
      g[kw === 'uid' ? 'user' : 'group'] = v.value;
      return;
    }
    case 'setenv':
      if (args.length !== 3) return ctx.alert('SY_ERR_CFG_ARG', `'setenv' expects exactly 2 arguments: NAME VALUE.`);
      ctx.env[args[1]!] = args[2]!;
      return;
    case 'unsetenv':
      if (args.length < 2) return ctx.alert('SY_ERR_CFG_ARG', `'unsetenv' expects at least one variable name.`);
      for (const name of args.slice(1)) delete ctx.env[name];
      return;
    case 'stats':
      return parseGlobalStats(ctx, args);
    case 'master-worker':
      // Same as -W on the command line (src/lb/mworker/master.ts).
      if (args.length > 2 || (args[1] !== undefined && args[1] !== 'no-exit-on-failure')) {
        return ctx.alert('SY_ERR_CFG_ARG', `'master-worker' only supports 'no-exit-on-failure' option.`);
      }
      g.masterWorker = { noExitOnFailure: args[1] === 'no-exit-on-failure' };
      return;
    case 'hard-stop-after': {
      // How long a soft-stopping process may keep sessions before it is stopped hard.
      if (!args[1]) return ctx.alert('SY_ERR_CFG_ARG', `'hard-stop-after' expects <time> as argument (e.g. 30s).`);
      const t = parseTime(args[1]);
      if (!t.ok) return ctx.alert('SY_ERR_CFG_ARG', `'hard-stop-after' ${t.reason}; expects a time (e.g. 30s).`);
      if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'hard-stop-after' : unexpected argument '${args[2]}'.`);
      g.hardStopAfter = t.value;
      return;
    }
    case 'mworker-max-reloads': {
      // HAProxy reads a non-number as 0 and only warns on errors; a typo here must not
      // change which old workers get killed, so every mistake is an error.
      const v = parseUint(args[1], 0, 2 ** 31 - 1);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'mworker-max-reloads' ${v.reason} (reloads an old worker may survive).`);
      if (args.length > 2) return ctx.alert('SY_ERR_CFG_ARG', `'mworker-max-reloads' cannot handle unexpected argument '${args[2]}'.`);
      g.mworkerMaxReloads = v.value;
      return;
    }
    case 'expose-experimental-directives':
      // HAProxy 2.6 asks for it before its experimental actions (normalize-uri); so do we.
      g.exposeExperimental = true;
      return;
    case 'spread-checks': {
      // ±N % of random jitter on every check interval (src/lb/check/scheduler.ts).
      const v = parseUint(args[1], 0, 50);
      if (!v.ok) return ctx.alert('SY_ERR_CFG_ARG', `'spread-checks' needs a positive value in range 0..50 (a percentage).`);
      setSpreadChecks(g, v.value);
      return;
    }
  }
  if (isUnsupportedGlobal(kw)) {
    return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${kw}' is a valid HAProxy keyword in 'global' section but is not implemented yet in Switchyard.`);
  }
  ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown keyword '${kw}' in 'global' section; supported: ${GLOBAL_KEYWORDS.join(', ')}.`);
}

function parseGlobalStats(ctx: ParseContext, args: string[]): void {
  const g = ctx.config.global;
  const sub = args[1];
  if (sub === 'timeout') {
    const t = args[2] ? parseTime(args[2]) : { ok: false as const, reason: 'missing value' };
    if (!t.ok) return ctx.alert('SY_ERR_CFG_ARG', `'stats timeout' ${t.reason}; expects a time (e.g. 10s).`);
    g.statsTimeout = t.value;
    return;
  }
  if (sub !== 'socket') {
    return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'stats ${sub ?? ''}' in 'global' section is not implemented yet; supported: 'stats socket', 'stats timeout'.`);
  }
  if (!args[2]) return ctx.alert('SY_ERR_CFG_ARG', `'stats socket' expects an address (a path, unix@PATH, IP:PORT or fd@N).`);
  const text = expandAddressEnv(args[2], ctx.env);
  const a = parseListenAddress(text.startsWith('/') || text.includes('@') || text.includes(':') ? text : `unix@${text}`);
  if (!a.ok) return ctx.alert('SY_ERR_CFG_ADDRESS', `'stats socket' : ${a.reason}.`);
  if (a.value.length !== 1 || (a.value[0]!.kind === 'inet' && a.value[0]!.portLow !== a.value[0]!.portHigh)) {
    return ctx.alert('SY_ERR_CFG_ADDRESS', `'stats socket' : port ranges are not allowed ('${args[2]}').`);
  }
  const sock: import('../types.ts').StatsSocketConfig = { where: { ...ctx.where }, address: a.value[0]!, level: 'admin' };
  // HAProxy 2.6's default level is 'operator' (checked with `show cli level`).
  sock.level = 'operator';
  for (let i = 3; i < args.length; i++) {
    const p = args[i]!;
    const v = args[i + 1];
    if (p === 'level') {
      if (v !== 'user' && v !== 'operator' && v !== 'admin') return ctx.alert('SY_ERR_CFG_ARG', `'stats socket' : 'level' only supports 'user', 'operator' and 'admin'.`);
      sock.level = v;
      i++;
    } else if (p === 'mode') {
      if (!v || !/^[0-7]{1,4}$/.test(v)) return ctx.alert('SY_ERR_CFG_ARG', `'stats socket' : 'mode' expects an octal file mode (e.g. 600).`);
      sock.mode = parseInt(v, 8);
      i++;
    } else if (p === 'expose-fd') {
      // HAProxy knows one value: the listeners may be taken by `_getsocks` (a new process's -x).
      if (v !== 'listeners') return ctx.alert('SY_ERR_CFG_ARG', `'stats socket' : 'expose-fd' only supports 'listeners'.`);
      sock.exposeFd = true;
      i++;
    } else {
      return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'stats socket' : option '${p}' is not implemented yet; supported: level, mode, expose-fd listeners.`);
    }
  }
  g.statsSockets.push(sock);
}
