/**
 * Parsed `stats …` proxy settings (plain data), filled by src/lb/config/sections/stats.ts.
 * null on a proxy means no statistics page. Any `stats` keyword enables the page with
 * HAProxy's defaults (uri /haproxy?stats, realm "HAProxy Statistics"), as HAProxy does.
 */
import type { CompiledCondition } from '../acl/condition.ts';

export interface StatsConfig {
  /** URI prefix the page answers on (HAProxy's default: /haproxy?stats). */
  uri: string;
  /** Basic-auth realm shown by browsers. */
  realm: string;
  /** `stats auth` entries, each "user:password" exactly as written; empty: no auth. */
  auth: string[];
  /** `stats refresh`: the page reloads itself every this many ms; 0: never. */
  refresh: number;
  /**
   * `stats admin if|unless COND`: any ACL condition of the proxy (src, hdr, http_auth(…),
   * the predefined TRUE and LOCALHOST…), compiled once and tested on each request to the
   * page (service.ts); its `negate` is the `unless`. null: no admin actions from the page.
   */
  admin: CompiledCondition | null;
  hideVersion: boolean;
  showLegends: boolean;
  showDesc: string | null;
  /** `stats show-node [NAME]`: null = off, '' = the host name. */
  showNode: string | null;
  /** `stats scope NAME`: proxies shown; empty: all ('.' is the proxy serving the page). */
  scopes: string[];
}

export const DEFAULT_STATS_URI = '/haproxy?stats';
export const DEFAULT_STATS_REALM = 'HAProxy Statistics';

export function defaultStats(): StatsConfig {
  return {
    uri: DEFAULT_STATS_URI, realm: DEFAULT_STATS_REALM, auth: [], refresh: 0, admin: null,
    hideVersion: false, showLegends: false, showDesc: null, showNode: null, scopes: [],
  };
}

/** A copy for a proxy that inherits defaults; the compiled admin condition (closures) is shared, not cloned. */
export function cloneStats(s: StatsConfig | null): StatsConfig | null {
  return s === null ? null : { ...structuredClone({ ...s, admin: null }), admin: s.admin };
}
