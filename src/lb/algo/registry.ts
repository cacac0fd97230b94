/** Maps `balance` keywords to algorithm tables. Add an algorithm here and in docs/configuration.md. */
import type { LbAlgorithm } from './types.ts';
import type { BalanceAlgorithm } from '../config/types.ts';
import { roundrobin } from './roundrobin.ts';
import { staticRr } from './static-rr.ts';

export const ALGORITHMS: Record<BalanceAlgorithm, LbAlgorithm<any>> = {
  roundrobin,
  'static-rr': staticRr,
};
