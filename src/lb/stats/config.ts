/**
 * Parsed `stats …` proxy settings (plain data), filled by src/lb/config/sections/stats.ts.
 * null on a proxy means no statistics page.
 */
export interface StatsConfig {
  /** URI prefix the page answers on (HAProxy's default: /haproxy?stats). */
  uri: string;
}

export function cloneStats(s: StatsConfig | null): StatsConfig | null {
  return s === null ? null : structuredClone(s);
}
