/** Maps `balance` keywords to algorithm tables. Add an algorithm here and in docs/configuration.md. */
import type { LbAlgorithm } from './types.ts';
import type { BalanceAlgorithm, BalanceConfig } from './config.ts';
import { roundrobin } from './roundrobin.ts';
import { staticRr } from './static-rr.ts';
import { leastconn } from './leastconn.ts';
import { first } from './first.ts';
import { random } from './random.ts';
import { source } from './source.ts';
import { uri } from './uri.ts';
import { urlParam } from './url-param.ts';
import { hdr } from './hdr.ts';
import { hash } from './hash.ts';

export const ALGORITHMS: Record<BalanceAlgorithm, LbAlgorithm<any>> = {
  roundrobin,
  'static-rr': staticRr,
  leastconn,
  first,
  random,
  source,
  uri,
  url_param: urlParam,
  hdr,
  hash,
};

/**
 * Whether run-time weights other than 0 and the configured one take effect (HAProxy's
 * "dynamic" algorithms; `set weight` refuses other values for static ones). The table's
 * `dynamicWeights` says it per algorithm; the hash family depends on `hash-type`: the
 * consistent ring follows weights, the map keeps the configured ones.
 */
export function weightsAreDynamic(cfg: BalanceConfig): boolean {
  const algo = ALGORITHMS[cfg.algorithm];
  return algo.deterministic ? cfg.hashType.method === 'consistent' : algo.dynamicWeights;
}
