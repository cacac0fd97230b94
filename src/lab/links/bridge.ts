/**
 * `bridge` — a lan as a Linux bridge in the lab's fabric namespace. STP off and no
 * forwarding delay, so ports forward as soon as they are up (a lab switch, not a campus
 * one: loops in a topology are the user's to avoid). All bridges of a lab in one batch.
 */
import { ipBatch } from '../sys/run.ts';
import type { ResolvedLan } from '../topo/types.ts';
import type { LanKind, LinkCtx } from './types.ts';

export const bridge: LanKind = {
  name: 'bridge',
  description: 'Linux bridge (kernel learning switch)',
  async create(_ctx: LinkCtx, fabricNetns: string, lans: readonly ResolvedLan[]): Promise<void> {
    await ipBatch(
      lans.flatMap((l) => [`link add name ${l.bridge} type bridge stp_state 0 forward_delay 0`, `link set dev ${l.bridge} up`]),
      { netns: fabricNetns },
    );
  },
  async destroy(_ctx: LinkCtx, fabricNetns: string, lans: readonly ResolvedLan[]): Promise<void> {
    await ipBatch(lans.map((l) => `link del dev ${l.bridge}`), { netns: fabricNetns, force: true });
  },
};
