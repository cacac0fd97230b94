/**
 * Stick tables (HAProxy 2.6 `stick-table`): plain types. A table maps keys of one type
 * to entries that store the data types listed in `store`; counters (`*_cnt`, `*_cur`,
 * `gpc*`, `gpt0`, `server_id`) are integers, rates (`*_rate(period)`) frequency counters.
 */

export type StickKeyType = 'ip' | 'ipv6' | 'integer' | 'string' | 'binary';

/** Data types kept as plain integers. */
export const COUNTER_TYPES = [
  'server_id', 'gpc0', 'gpc1', 'gpt0', 'conn_cnt', 'conn_cur', 'sess_cnt', 'http_req_cnt', 'http_err_cnt',
  'bytes_in_cnt', 'bytes_out_cnt',
] as const;
/** Data types kept as frequency counters; each takes a period. */
export const RATE_TYPES = [
  'gpc0_rate', 'gpc1_rate', 'conn_rate', 'sess_rate', 'http_req_rate', 'http_err_rate', 'bytes_in_rate', 'bytes_out_rate',
] as const;

export type CounterType = (typeof COUNTER_TYPES)[number];
export type RateType = (typeof RATE_TYPES)[number];
export type StickDataType = CounterType | RateType;

export interface StickTableConfig {
  /** The proxy's name (one table per proxy, as in HAProxy 2.6). */
  name: string;
  type: StickKeyType;
  /** Key length in bytes for string and binary keys (HAProxy's default 32). */
  keyLen: number;
  /** Maximum number of entries. */
  size: number;
  /** Idle lifetime in ms; 0: entries never expire. */
  expire: number;
  /** When full, refuse new entries instead of evicting the least recently used. */
  nopurge: boolean;
  /** Stored counters, and rates with their period in ms. */
  counters: ReadonlySet<CounterType>;
  rates: ReadonlyMap<RateType, number>;
  where: { file: string; line: number };
}
