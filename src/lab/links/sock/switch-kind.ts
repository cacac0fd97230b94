/**
 * `sock-switch` — a lan as a userspace learning switch inside the lab's relay (switches.ts,
 * switch-pump.ts): MAC learning, flooding of broadcast/multicast/unknown destinations,
 * aging (300 s), per-port counters, a capture tap of everything entering it
 * (`lab capture LAN -w f.pcap`). Its members are `sock-port` links (port-kind.ts): a TAP
 * in the node wired straight to a switch port — no kernel bridge, no fabric interface.
 *
 *   lans:
 *     usw: { kind: sock-switch, members: ["h1:eth1", "h2:eth1", "h3:eth1"] }
 */
import type { ResolvedLan } from '../../topo/types.ts';
import type { LanKind, LinkCtx } from '../types.ts';
import { relayRequest } from './cable.ts';

export const SOCK_SWITCH = 'sock-switch';
export const SOCK_PORT = 'sock-port';

export const sockSwitch: LanKind = {
  name: SOCK_SWITCH,
  description: 'userspace learning switch in the lab relay (MAC learning, flooding, aging, per-port counters, capture tap)',
  memberLinkKind: SOCK_PORT,
  async create(ctx: LinkCtx, _fabric: string, lans: readonly ResolvedLan[]): Promise<void> {
    for (const l of lans) await relayRequest(ctx.stateDir, ctx.lab, { op: 'switch-add', switch: l.name }, { start: true });
  },
  async destroy(ctx: LinkCtx, _fabric: string, lans: readonly ResolvedLan[]): Promise<void> {
    for (const l of lans) {
      try {
        await relayRequest(ctx.stateDir, ctx.lab, { op: 'switch-del', switch: l.name });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'SY_ERR_SOCK_NAME' && code !== 'SY_ERR_SOCK_CONTROL') throw e; // gone already
      }
    }
  },
};
