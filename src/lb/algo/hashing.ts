/**
 * The hash family (`source`, `uri`, `url_param`, `hdr`, `hash`) shares one shape, built
 * here: the algorithm computes a 32-bit hash of something in the request, optionally
 * mixes it (`avalanche`), and looks it up in the server map (`hash-type map-based`, the
 * default: `hash % total weight`) or on the consistent ring (`hash-type consistent`).
 *
 * When the request has nothing to hash (TCP mode for the HTTP ones, a missing header
 * or parameter, a UNIX-socket client for `source`), HAProxy falls back to round-robin
 * over the same structure, and so do we: the map is walked like static-rr, the ring
 * point by point. The fallback is a free choice (skips full servers, null when all are
 * full); a hashed pick is deterministic (the mapped server even when full: the request
 * then waits in that server's queue).
 */
import type { BalanceConfig } from './config.ts';
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';
import { avalanche, HASH_FUNCTIONS, type Bytes } from './hash-fn.ts';
import { createMap, mapLookup, mapWalk, markDirty, type ServerMap } from './server-map.ts';
import { createRing, ringDirty, ringDrop, ringLookup, ringTake, ringWalk, type Ring } from './chash-ring.ts';

export interface HashState {
  readonly map: ServerMap | null;
  readonly ring: Ring | null;
  /** The configured hash function over bytes (sdbm, djb2, wt6, crc32). */
  readonly fn: (key: Bytes) => number;
  readonly avalanche: boolean;
  readonly cfg: BalanceConfig;
}

/**
 * Computes the request's hash with the configured function (`st.fn`), before the
 * avalanche mix; null when there is nothing to hash (round-robin fallback).
 */
export type HashOf = (st: HashState, req: PickRequest) => number | null;

export function hashAlgorithm(name: BalanceConfig['algorithm'], needs: 'source' | 'http', hashOf: HashOf): LbAlgorithm<HashState> {
  const refresh = (st: HashState, s: LbServer): void => {
    if (st.map) markDirty(st.map);
    if (st.ring) ringDirty(st.ring, s);
  };
  return {
    name,
    needs,
    // True with `hash-type consistent`; a map keeps configured weights (registry.ts
    // weightsAreDynamic() tells which, per configuration).
    dynamicWeights: true,
    deterministic: true,
    init(servers, cfg) {
      const consistent = cfg.hashType.method === 'consistent';
      return {
        map: consistent ? null : createMap(servers),
        ring: consistent ? createRing(servers, cfg.hashBalanceFactor) : null,
        fn: HASH_FUNCTIONS[cfg.hashType.fn],
        avalanche: cfg.hashType.avalanche,
        cfg,
      };
    },
    pick(st, req, avoid) {
      let h = hashOf(st, req);
      if (h === null) return st.map ? mapWalk(st.map, avoid) : ringWalk(st.ring!, avoid);
      if (st.avalanche) h = avalanche(h);
      return st.map ? mapLookup(st.map, h, avoid) : ringLookup(st.ring!, h, avoid);
    },
    onServerUp: refresh,
    onServerDown: refresh,
    onWeight: refresh,
    onTake: (st) => { if (st.ring) ringTake(st.ring); },
    onDrop: (st) => { if (st.ring) ringDrop(st.ring); },
  };
}
