/**
 * `stats enable|uri|realm|auth|refresh|admin|hide-version|show-legends|scope …` in
 * proxies. Fills ProxySettings.stats (src/lb/stats/config.ts). Returns false when the
 * line is not served yet (the caller reports it as not implemented).
 */
import type { ParseContext } from '../context.ts';
import type { StatsConfig } from '../../stats/config.ts';

export function parseStatsKeyword(_ctx: ParseContext, _s: { stats: StatsConfig | null }, _args: string[]): boolean {
  return false;
}
