/**
 * `sock-port` — a member of a `sock-switch` lan (switch-kind.ts): a TAP named after the
 * node's interface, in the node, whose frames go to a port of the relay's switch. The lab
 * core makes these links from the lan's `members` (a topology never writes the kind):
 * end a is the node's interface, end b the lan (no interface; `ifname` names the port).
 * The port is named by the link id. Cut/restore take the TAP's carrier down/up and make
 * the switch drop the port's frames (and forget its MACs). Counters are the switch's:
 * what the node sent in (rx of the port) and what the switch sent out to it (tx).
 * No impairment (use a `sock` cable for that).
 */
import type { ErrorCode } from '../../../shared/errors.ts';
import type { LinkEnd, ResolvedLink } from '../../topo/types.ts';
import type { EndCounters, LinkCtx, LinkKind, LinkStats } from '../types.ts';
import { relayRequest } from './cable.ts';
import { SOCK_PORT } from './switch-kind.ts';
import type { PortStats, SockEnd } from './types.ts';

function nodeEnd(l: ResolvedLink): LinkEnd {
  return l.a.node ? l.a : l.b;
}
function lanEnd(l: ResolvedLink): LinkEnd {
  return l.a.node ? l.b : l.a;
}
function sockEnd(e: LinkEnd): SockEnd {
  return { netns: e.netns, ifname: e.ifname, ...(e.mac ? { mac: e.mac } : {}), ...(e.mtu ? { mtu: e.mtu } : {}) };
}
function gone(e: unknown): boolean {
  const code = (e as { code?: ErrorCode }).code;
  return code === 'SY_ERR_SOCK_NAME' || code === 'SY_ERR_SOCK_CONTROL';
}

async function portStats(ctx: LinkCtx, l: ResolvedLink): Promise<PortStats> {
  return (await relayRequest(ctx.stateDir, ctx.lab, { op: 'port-stats', port: l.id })).stats as PortStats;
}

export const sockPort: LinkKind = {
  name: SOCK_PORT,
  description: 'member of a sock-switch lan: a TAP in the node wired to a port of the relay switch',
  impairments: [],
  optionKeys: [],
  memberOnly: true,
  async create(ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void> {
    for (const l of links) {
      await relayRequest(ctx.stateDir, ctx.lab, { op: 'port-add', switch: lanEnd(l).lan ?? '', port: l.id, end: sockEnd(nodeEnd(l)) });
    }
  },
  async destroy(ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void> {
    for (const l of links) {
      try {
        await relayRequest(ctx.stateDir, ctx.lab, { op: 'port-del', port: l.id });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    }
  },
  cut: async (ctx, l) => void (await relayRequest(ctx.stateDir, ctx.lab, { op: 'port-cut', port: l.id })),
  restore: async (ctx, l) => void (await relayRequest(ctx.stateDir, ctx.lab, { op: 'port-restore', port: l.id })),
  async set(): Promise<void> {
    /* no impairment on switch ports: resolve() and `link set` refuse every key */
  },
  async stats(ctx: LinkCtx, l: ResolvedLink): Promise<LinkStats> {
    const s = await portStats(ctx, l);
    const node: EndCounters = { txPackets: s.rxFrames, txBytes: s.rxBytes, rxPackets: s.txFrames, rxBytes: s.txBytes, rxDropped: s.drops.error, txDropped: s.drops.cut };
    const port: EndCounters = { rxPackets: s.rxFrames, rxBytes: s.rxBytes, txPackets: s.txFrames, txBytes: s.txBytes, rxDropped: s.drops.cut, txDropped: s.drops.error };
    const onA = !!l.a.node;
    return { up: s.up, a: onA ? node : port, b: onA ? port : node, extra: { switch: s.switch, flooded: s.flooded, drops: s.drops } };
  },
};
