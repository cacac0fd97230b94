/**
 * `balance static-rr`: weighted round-robin over HAProxy's server map (server-map.ts),
 * walked in order — HAProxy 2.6's exact order. "Static": the configured weights make
 * the map; at run time only whether a server may serve matters (HAProxy: changing a
 * server's weight on the fly has no effect). O(1) per pick, plus skipping full servers;
 * a server going up or down rebuilds the map (O(T log n)) and the walk continues at the
 * same index, as in HAProxy.
 */
import type { LbAlgorithm } from './types.ts';
import { createMap, mapWalk, markDirty, type ServerMap } from './server-map.ts';

export const staticRr: LbAlgorithm<ServerMap> = {
  name: 'static-rr',
  needs: 'nothing',
  dynamicWeights: false,
  deterministic: false,
  init: (servers) => createMap(servers),
  pick: (m, _req, avoid) => mapWalk(m, avoid),
  onServerUp: markDirty,
  onServerDown: markDirty,
  // Only a weight becoming 0 or not changes the map; the rebuild uses configured weights.
  onWeight: markDirty,
};
