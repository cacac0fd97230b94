/**
 * The parsed `balance`, `hash-type` and `hash-balance-factor` settings of a proxy (plain
 * data, no state). The config parser (src/lb/config/sections/balance.ts) fills it; the
 * registry maps `algorithm` to a table, which reads its own arguments from here.
 *
 * `hashType` and `hashBalanceFactor` are separate keywords: `balance` never resets them,
 * and they may come before or after it (or from defaults), as in HAProxy.
 */
export type BalanceAlgorithm =
  | 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'random'
  | 'source' | 'uri' | 'url_param' | 'hdr' | 'hash';

/** `hash-type <method>`: a static map of servers (default) or a consistent-hash ring. */
export type HashMethod = 'map-based' | 'consistent';
/** `hash-type … <function>`: HAProxy's hash functions over the key bytes (default sdbm). */
export type HashFunction = 'sdbm' | 'djb2' | 'wt6' | 'crc32';

export interface HashType {
  method: HashMethod;
  fn: HashFunction;
  /** The `avalanche` modifier: the hash is mixed once more before the lookup. */
  avalanche: boolean;
}

/** `balance uri [whole] [len N] [depth N] [path-only]`; 0 = no limit. */
export interface UriOptions {
  whole: boolean;
  len: number;
  depth: number;
  pathOnly: boolean;
}

/**
 * The sample expressions `balance hash` understands until the sample-fetch engine
 * (issue 5) exists. `occ` follows HAProxy's req.hdr occurrence rule: positive counts
 * from the first value, negative from the last; the default -1 is the last value.
 */
export type HashExpr =
  | { fetch: 'src' }
  | { fetch: 'path' }
  | { fetch: 'url' }
  | { fetch: 'req.hdr'; name: string; occ: number };

export interface BalanceConfig {
  algorithm: BalanceAlgorithm;
  /** `balance uri` options. */
  uri?: UriOptions;
  /** `balance url_param NAME`. */
  urlParam?: string;
  /** `balance hdr(NAME) [use_domain_only]` (NAME lower-cased). */
  hdr?: { name: string; useDomainOnly: boolean };
  /** `balance random(N)`: number of draws, default 2. */
  draws?: number;
  /** `balance hash <expr>`. */
  expr?: HashExpr;
  hashType: HashType;
  /** `hash-balance-factor`: 0 = off, else > 100 (percent of the average load). */
  hashBalanceFactor: number;
}

export function defaultHashType(): HashType {
  return { method: 'map-based', fn: 'sdbm', avalanche: false };
}

export function defaultBalance(): BalanceConfig {
  return { algorithm: 'roundrobin', hashType: defaultHashType(), hashBalanceFactor: 0 };
}

export function cloneBalance(b: BalanceConfig): BalanceConfig {
  return structuredClone(b);
}

/**
 * Algorithms that hash HTTP data only. In a `mode tcp` backend HAProxy 2.6 warns
 * "Layer 7 hash not possible for proxy 'NAME' (needs 'mode http'). Falling back to round
 * robin." and balances with `roundrobin` (not with the hash fallback walk). `balance
 * hash <expr>` is not converted: its fetch simply finds nothing at run time.
 */
export const LAYER7_ALGORITHMS: readonly BalanceAlgorithm[] = ['uri', 'url_param', 'hdr'];

/** What a backend of this mode balances with (see LAYER7_ALGORITHMS); for finalize.ts. */
export function effectiveBalance(b: BalanceConfig, mode: 'tcp' | 'http'): BalanceConfig {
  return mode === 'tcp' && LAYER7_ALGORITHMS.includes(b.algorithm) ? { ...b, algorithm: 'roundrobin' } : b;
}
