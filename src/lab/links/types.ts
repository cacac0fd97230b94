/**
 * The LinkKind contract — what a cable type implements to join the lab (veth here,
 * the userspace `sock` cable in links/sock/). And LanKind, for switches.
 *
 * Division of labour with the lab core:
 *  - `resolve()` has checked the topology: both ends are placed (`LinkEnd`: namespace +
 *    interface name, MAC/MTU wanted), the impairment uses only keys in `impairments`,
 *    and the kind's own keys were validated by `resolveOptions`.
 *  - `create` receives ALL links of its kind at once (so it can batch) and must leave an
 *    interface named `end.ifname` in namespace `end.netns` for each end, with `end.mac` /
 *    `end.mtu` applied when given, and the link's impairment in force. The namespaces
 *    exist; the interfaces must not exist yet.
 *  - The core then brings every end up, adds node addresses/routes and plugs lan ends
 *    into their bridge (`end.master`). Kinds never touch addresses or bridges.
 *  - `destroy` must work on partially created links (rollback) and on links whose
 *    namespaces are already gone. `clean` must work from the lab's state directory alone
 *    after `kill -9` of everything (no live objects from this process) and remove only
 *    what this kind tagged for this lab. Deleting a namespace removes the interfaces
 *    inside it, so kernel-only kinds may have nothing to clean.
 *  - `cut` takes the carrier down so that BOTH ends see it (link down / NO-CARRIER);
 *    `restore` undoes it. `set` replaces the impairment live. `stats` counts frames and
 *    bytes per end as the interfaces see them, plus kind-specific extras.
 */
import type { ErrorCode } from '../../shared/errors.ts';
import type { Path } from '../topo/load.ts';
import type { ImpairmentKey, LinkImpairment, ResolvedLan, ResolvedLink } from '../topo/types.ts';

export type LinkCtx = {
  lab: string;
  /** The lab's state directory (sock cables keep their files under `<stateDir>/sock/`). */
  stateDir: string;
  /** A progress/diagnostic line for the user. */
  log(message: string): void;
};

export type LinkOptionCtx = {
  linkId: string;
  error(code: ErrorCode, path: Path, message: string, part?: 'key' | 'value'): void;
};

export type EndCounters = {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  rxDropped: number;
  txDropped: number;
};

export type LinkStats = {
  /** false while cut. */
  up: boolean;
  a: EndCounters | null;
  b: EndCounters | null;
  /** Kind-specific figures (sock: per-direction drops by cause, queue depth …). */
  extra?: Record<string, unknown>;
};

export interface LinkKind {
  readonly name: string;
  readonly description: string;
  /** Impairment keys this kind can apply; resolve() refuses the others. */
  readonly impairments: readonly ImpairmentKey[];
  /** True when deleting the lab's namespaces removes everything the kind made (kernel-
   *  only kinds such as veth): teardown then skips `destroy`, saving a call per link. */
  readonly diesWithNamespaces?: boolean;
  /** Keys this kind accepts on a link entry beyond endpoints/kind/impairment. */
  readonly optionKeys: readonly string[];
  /** True for kinds the core uses only for the members of a lan kind that names them
   *  (`LanKind.memberLinkKind`): a topology cannot write them on a link. */
  readonly memberOnly?: boolean;
  resolveOptions?(raw: Record<string, unknown>, ctx: LinkOptionCtx): Record<string, unknown>;
  create(ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void>;
  destroy(ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void>;
  cut(ctx: LinkCtx, link: ResolvedLink): Promise<void>;
  restore(ctx: LinkCtx, link: ResolvedLink): Promise<void>;
  set(ctx: LinkCtx, link: ResolvedLink, impairment: LinkImpairment): Promise<void>;
  stats(ctx: LinkCtx, link: ResolvedLink): Promise<LinkStats>;
  /** Optional batch form of `stats` for `status` on big labs (keyed by link id). */
  statsMany?(ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<Map<string, LinkStats>>;
  clean?(ctx: LinkCtx): Promise<void>;
}

/** A switch. The core creates the fabric namespace; the kind creates its lans in it.
 *  A kernel switch (bridge) gets its members as links of the default kind whose lan end
 *  is a port interface the core plugs into it (`LinkEnd.master`). A switch living
 *  elsewhere (the relay's `sock-switch`) names `memberLinkKind`: its members are links
 *  of that kind, whose lan end is no interface at all (master null; `ifname` is just a
 *  unique port name) — the link kind attaches the node end to the switch itself; such
 *  lans take members only (no link between lans or to them). */
export interface LanKind {
  readonly name: string;
  readonly description: string;
  readonly memberLinkKind?: string;
  create(ctx: LinkCtx, fabricNetns: string, lans: readonly ResolvedLan[]): Promise<void>;
  /** Remove lans from a running lab (`apply`); their member links are already gone. */
  destroy?(ctx: LinkCtx, fabricNetns: string, lans: readonly ResolvedLan[]): Promise<void>;
}
