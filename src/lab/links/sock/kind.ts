/**
 * The sock cable as a lab link kind (the LinkKind contract of ../types.ts): how a
 * topology's `kind: sock` link with `impairment:` becomes a cable.
 *
 *   links:
 *     - endpoints: ["c1:eth1", "lb1:eth1"]
 *       kind: sock
 *       impairment: { ab: {delay: 25, loss: 1}, ba: {delay: 25} }   # resolve() fills ab/ba
 *       offload: auto                                               # optional: auto | on | off
 *
 * maps to createSockCable({ stateDir, lab, name: link.id, a: {netns, ifname, mac, mtu},
 * b: {…}, impairment: link.impairment, offload }). The cable name is the link id, so later
 * CLI invocations reach it with attachSockCable(stateDir, link.id). All cables of a lab
 * ride one relay process; `clean` stops it and removes its files.
 */
import type { ErrorCode } from '../../../shared/errors.ts';
import type { LinkEnd, LinkImpairment, ResolvedLink } from '../../topo/types.ts';
import type { EndCounters, LinkCtx, LinkKind, LinkOptionCtx, LinkStats } from '../types.ts';
import { attachSockCable, cleanSockCables, createSockCable, type SockCable } from './cable.ts';
import type { OffloadMode, SockEnd } from './types.ts';

const OFFLOAD_MODES: readonly OffloadMode[] = ['auto', 'on', 'off'];

function end(e: LinkEnd): SockEnd {
  return { netns: e.netns, ifname: e.ifname, ...(e.mac ? { mac: e.mac } : {}), ...(e.mtu ? { mtu: e.mtu } : {}) };
}

function cable(ctx: LinkCtx, link: ResolvedLink): Promise<SockCable> {
  return attachSockCable(ctx.stateDir, link.id);
}

function gone(e: unknown): boolean {
  const code = (e as { code?: ErrorCode }).code;
  return code === 'SY_ERR_SOCK_NAME' || code === 'SY_ERR_SOCK_CONTROL';
}

export const sock: LinkKind = {
  name: 'sock',
  description: 'userspace cable (TAP ↔ relay ↔ TAP): delay, jitter, loss, duplicate, corrupt, rate per direction; pcap',
  impairments: ['delay', 'jitter', 'loss', 'duplicate', 'corrupt', 'rate', 'queue'],
  optionKeys: ['offload'],
  resolveOptions(raw: Record<string, unknown>, ctx: LinkOptionCtx): Record<string, unknown> {
    if (raw.offload === undefined) return {};
    if (!OFFLOAD_MODES.includes(raw.offload as OffloadMode)) {
      ctx.error('SY_ERR_LAB_FIELD', ['offload'], `offload must be one of ${OFFLOAD_MODES.join(', ')}, got ${JSON.stringify(raw.offload)}`, 'value');
      return {};
    }
    return { offload: raw.offload };
  },
  async create(ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void> {
    // The relay serializes TAP creation anyway; one at a time keeps errors attributable.
    for (const l of links) {
      await createSockCable({
        stateDir: ctx.stateDir,
        lab: ctx.lab,
        name: l.id,
        a: end(l.a),
        b: end(l.b),
        impairment: l.impairment,
        ...(l.options.offload ? { offload: l.options.offload as OffloadMode } : {}),
      });
    }
    if (links.length) ctx.log(`sock: ${links.length} cable(s) on the lab relay`);
  },
  async destroy(ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void> {
    for (const l of links) {
      try {
        await (await cable(ctx, l)).destroy();
      } catch (e) {
        if (!gone(e)) throw e; // never created, or its relay is gone: nothing left
      }
    }
  },
  cut: async (ctx, link) => (await cable(ctx, link)).cut(),
  restore: async (ctx, link) => (await cable(ctx, link)).restore(),
  async set(ctx: LinkCtx, link: ResolvedLink, imp: LinkImpairment): Promise<void> {
    const c = await cable(ctx, link);
    await c.set('ab', imp.ab);
    await c.set('ba', imp.ba);
  },
  async stats(ctx: LinkCtx, link: ResolvedLink): Promise<LinkStats> {
    const s = await (await cable(ctx, link)).stats();
    const drops = (d: typeof s.ab): number => d.drops.loss + d.drops.queue + d.drops.cut + d.drops.error;
    // As each TAP sees it: what a sends is what the relay read in direction ab, what a
    // receives is what the relay wrote in direction ba. GSO super-frames count once.
    const a: EndCounters = { txPackets: s.ab.rxFrames, txBytes: s.ab.rxBytes, rxPackets: s.ba.txFrames, rxBytes: s.ba.txBytes, rxDropped: drops(s.ba), txDropped: 0 };
    const b: EndCounters = { txPackets: s.ba.rxFrames, txBytes: s.ba.rxBytes, rxPackets: s.ab.txFrames, rxBytes: s.ab.txBytes, rxDropped: drops(s.ab), txDropped: 0 };
    return { up: s.up, a, b, extra: { ab: s.ab, ba: s.ba, offload: s.offload, capture: s.capture, relayPid: s.pid } };
  },
  async clean(ctx: LinkCtx): Promise<void> {
    await cleanSockCables(ctx.stateDir);
  },
};
