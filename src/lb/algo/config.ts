/**
 * The parsed `balance` settings of a proxy (plain data, no state). The config parser
 * (src/lb/config/sections/balance.ts) fills it; the registry maps `algorithm` to a table.
 */
export type BalanceAlgorithm = 'roundrobin' | 'static-rr';

export interface BalanceConfig {
  algorithm: BalanceAlgorithm;
}

export function defaultBalance(): BalanceConfig {
  return { algorithm: 'roundrobin' };
}

export function cloneBalance(b: BalanceConfig): BalanceConfig {
  return structuredClone(b);
}
