/**
 * Link kinds and lan kinds by the name used in topologies (`kind:` of a link or lan).
 * resolve() refuses unknown kinds listing these names, and checks impairments against
 * each kind's `impairments`. Teardown calls every registered kind's `clean`.
 *
 * To add a kind: implement LinkKind (links/types.ts) in its own module and add it to
 * LINK_KINDS below (as `sock`, the userspace cable of links/sock/, is). Importing a kind
 * must stay cheap: heavy parts (FFI, workers) load where they run, not at import.
 */
import { bridge } from './bridge.ts';
import { sock } from './sock/kind.ts';
import { sockPort } from './sock/port-kind.ts';
import { sockSwitch } from './sock/switch-kind.ts';
import type { LanKind, LinkKind } from './types.ts';
import { veth } from './veth.ts';

const LINK_KINDS = new Map<string, LinkKind>([veth, sock, sockPort].map((k) => [k.name, k]));
const LAN_KINDS = new Map<string, LanKind>([bridge, sockSwitch].map((k) => [k.name, k]));

export const DEFAULT_LINK_KIND = 'veth';
export const DEFAULT_LAN_KIND = 'bridge';

export function linkKind(name: string): LinkKind | undefined {
  return LINK_KINDS.get(name);
}
export function linkKinds(): LinkKind[] {
  return [...LINK_KINDS.values()];
}
export function lanKind(name: string): LanKind | undefined {
  return LAN_KINDS.get(name);
}
export function lanKinds(): LanKind[] {
  return [...LAN_KINDS.values()];
}
/** For kinds living outside this directory or tests; a name is registered once. */
export function registerLinkKind(kind: LinkKind): void {
  if (LINK_KINDS.has(kind.name)) throw new Error(`link kind ${kind.name} registered twice`);
  LINK_KINDS.set(kind.name, kind);
}
