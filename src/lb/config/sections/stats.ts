/**
 * `stats enable|uri|realm|auth|refresh|admin|hide-version|show-legends|show-node|
 * show-desc|scope …` in listen, backend and defaults sections (HAProxy 2.6). Every
 * keyword turns the page on with the defaults (stats/config.ts), as HAProxy does.
 *
 * `stats admin if|unless COND` takes any condition of the sample engine, compiled here
 * against the proxy's ACLs (declared before it, as for every rule) and tested on each
 * request to the page. Always returns true: every `stats` line is handled (or reported) here.
 *
 * The page is served by the frontend that received the request when it has `stats`
 * (HAProxy's `frontend stats` setup), else by its backend; a page in `defaults` is
 * inherited by every proxy of it.
 */
import type { ParseContext } from '../context.ts';
import { defaultStats, type StatsConfig } from '../../stats/config.ts';
import { parseTime } from '../units.ts';
import type { ProxyConfig } from '../types.ts';
import { compileCondition } from './acl.ts';

const KEYWORDS = "'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'";

export function parseStatsKeyword(ctx: ParseContext, s: { stats: StatsConfig | null }, args: string[]): boolean {
  const sub = args[1];
  const inDefaults = ctx.section.kind === 'defaults';
  const st = (): StatsConfig => (s.stats ??= defaultStats());
  switch (sub) {
    case 'enable':
      st();
      return true;
    case 'uri':
      if (!args[2]) { ctx.alert('SY_ERR_CFG_ARG', `'stats uri' needs a URI prefix.`); return true; }
      st().uri = args[2];
      return true;
    case 'realm':
      if (!args[2]) { ctx.alert('SY_ERR_CFG_ARG', `'stats realm' needs a realm name.`); return true; }
      // HAProxy turns spaces into non-breaking-safe form for the header; keep the text.
      st().realm = args.slice(2).join(' ');
      return true;
    case 'auth':
      if (!args[2]) { ctx.alert('SY_ERR_CFG_ARG', `'stats auth' needs a user:password account.`); return true; }
      st().auth.push(args[2]);
      return true;
    case 'refresh': {
      if (!args[2]) { ctx.alert('SY_ERR_CFG_ARG', `'stats refresh' needs a delay in seconds.`); return true; }
      const t = parseTime(args[2], 1000);
      if (!t.ok) { ctx.alert('SY_ERR_CFG_ARG', `'stats refresh' ${t.reason}; expects a delay (default unit: seconds).`); return true; }
      st().refresh = t.value;
      return true;
    }
    case 'scope':
      if (!args[2]) { ctx.alert('SY_ERR_CFG_ARG', `'stats scope' needs a proxy name.`); return true; }
      st().scopes.push(args[2]);
      return true;
    case 'hide-version':
      st().hideVersion = true;
      return true;
    case 'show-legends':
      st().showLegends = true;
      return true;
    case 'show-node':
      st().showNode = args[2] ?? '';
      return true;
    case 'show-desc':
      st().showDesc = args.slice(2).join(' ');
      return true;
    case 'admin':
      parseAdmin(ctx, s, st, args, inDefaults);
      return true;
    default:
      ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown stats parameter '${sub ?? ''}', expects ${KEYWORDS}.`);
      return true;
  }
}

function parseAdmin(ctx: ParseContext, s: { stats: StatsConfig | null }, st: () => StatsConfig, args: string[], inDefaults: boolean): void {
  if (inDefaults) { ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'stats admin' not allowed in 'defaults' section.`); return; }
  const kw = args[2];
  if ((kw !== 'if' && kw !== 'unless') || args.length < 4) {
    ctx.alert('SY_ERR_CFG_ARG', `'stats admin' requires either 'if' or 'unless' followed by a condition.`);
    return;
  }
  // Outside defaults the settings object is the proxy itself, with its ACLs.
  const cond = compileCondition(ctx, s as ProxyConfig, args.slice(2), { keyword: 'stats admin', stage: 'request' });
  if (cond) st().admin = cond;
}
