/**
 * Finding a link from what the user types (`h1:eth1`, `sw1`, one or two endpoints) and
 * driving it through its kind: cut, restore, set impairment, stats.
 */
import { SyError } from '../../shared/errors.ts';
import { linkKind } from '../links/registry.ts';
import type { LinkKind, LinkStats } from '../links/types.ts';
import type { LabState } from '../sys/state.ts';
import type { LinkEnd, ResolvedLink, Topology } from '../topo/types.ts';
import { linkCtx } from './context.ts';
import { nodeRefreshScript } from './netcfg.ts';
import { ipBatch } from '../sys/run.ts';

function endText(e: LinkEnd): string {
  return e.node ? `${e.node}:${e.ifname}` : (e.lan ?? '?');
}

export function findLink(topo: Topology, a: string, b?: string): ResolvedLink {
  const matches = topo.links.filter((l) => {
    const ends = [endText(l.a), endText(l.b)];
    return ends.includes(a) && (b === undefined || (ends.includes(b) && a !== b));
  });
  if (matches.length === 1) return matches[0] as ResolvedLink;
  const list = topo.links.map((l) => `${endText(l.a)} ${endText(l.b)}`).join('; ');
  if (matches.length === 0) throw new SyError('SY_ERR_LAB_NOT_FOUND', `no link ${b ? `between ${a} and ${b}` : `at ${a}`} in lab ${topo.name} (links: ${list})`);
  throw new SyError('SY_ERR_LAB_NOT_FOUND', `${a} names ${matches.length} links (a lan?): give both endpoints`);
}

export function kindOf(link: ResolvedLink): LinkKind {
  const k = linkKind(link.kind);
  if (!k) throw new SyError('SY_ERR_LAB_UNKNOWN_KIND', `link kind ${link.kind} is not available in this build`);
  return k;
}

export async function linkStats(state: LabState, link: ResolvedLink): Promise<LinkStats | null> {
  try {
    return await kindOf(link).stats(linkCtx(state), link);
  } catch {
    return null;
  }
}

export { endText };

export async function cutLink(state: LabState, link: ResolvedLink): Promise<void> {
  await kindOf(link).cut(linkCtx(state), link);
}

/** Restore, then give the node ends their addresses and routes back. */
export async function restoreLink(state: LabState, topo: Topology, link: ResolvedLink): Promise<void> {
  await kindOf(link).restore(linkCtx(state), link);
  for (const end of [link.a, link.b]) {
    const node = end.node ? topo.nodes.find((n) => n.name === end.node) : undefined;
    if (node) await ipBatch(nodeRefreshScript(node), { netns: node.netns, force: true });
  }
}
