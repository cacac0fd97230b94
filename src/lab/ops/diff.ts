/**
 * The difference between a running lab's topology (`old`, from its state directory) and a
 * file (`next`), as two steps that `lab apply` can run and undo:
 *
 *   old ──shrink──▶ mid ──grow──▶ target
 *
 * `mid` is what the two have in common — every node, lan and link that is identical in
 * both — so shrinking only removes and growing only adds. "Identical" means: a node with
 * the same kind, options (a balancer's config text included), sysctls, env and exec (its
 * interfaces and routes may differ: they follow its links); a lan of the same kind; a link
 * with the same id (endpoint spelling), kind, options and ends (interface name, MAC, MTU
 * and addresses; lan ports by lan). Anything else is removed and added again, so a
 * changed node is restarted while an unchanged one keeps its processes. A kept link whose
 * impairment differs stays (mid has the old impairment, target the new one): grow sets
 * it live through its kind, as `lab link set` would.
 *
 * Kept links keep the objects they were created with (their lan port names `p.N`);
 * added lan members get port numbers after every number the running lab uses. Pure: no
 * system call here.
 */
import { portName } from '../sys/names.ts';
import type { LinkEnd, ResolvedLink, ResolvedNode, Route, Topology } from '../topo/types.ts';

export type Change = {
  mid: Topology;
  target: Topology;
  /** Human summary: "+node h3, -node h9, +link h1:eth2~h3:eth1 …" (empty: no change). */
  summary: string[];
};

const byName = <T extends { name: string }>(xs: readonly T[]): Map<string, T> => new Map(xs.map((x) => [x.name, x]));

function nodeSig(n: ResolvedNode): string {
  return JSON.stringify([n.kind, n.options, n.sysctls, n.env, n.exec]);
}

function endSig(e: LinkEnd, nodes: Map<string, ResolvedNode>): unknown {
  if (!e.node) return { lan: e.lan, mtu: e.mtu ?? null };
  const f = nodes.get(e.node)?.interfaces.find((i) => i.name === e.ifname);
  return { node: e.node, ifname: e.ifname, mac: e.mac ?? null, mtu: e.mtu ?? null, addrs: f?.addresses ?? [] };
}

/** What makes a link the same cable; the impairment is not part of it (changed live). */
function linkSig(l: ResolvedLink, nodes: Map<string, ResolvedNode>): string {
  return JSON.stringify([l.kind, l.options, endSig(l.a, nodes), endSig(l.b, nodes)]);
}

export function sameImpairment(a: ResolvedLink, b: ResolvedLink): boolean {
  return JSON.stringify(a.impairment) === JSON.stringify(b.impairment);
}

export function routeKey(r: Route): string {
  return `${r.to}|${r.via ?? ''}|${r.dev ?? ''}`;
}

function portNo(e: LinkEnd): number {
  const m = e.lan ? /^p\.(\d+)$/.exec(e.ifname) : null;
  return m ? Number(m[1]) : -1;
}

export function planChange(old: Topology, next: Topology): Change {
  const oldNodes = byName(old.nodes);
  const nextNodes = byName(next.nodes);
  const keptNodes = new Set(old.nodes.filter((n) => { const m = nextNodes.get(n.name); return !!m && nodeSig(m) === nodeSig(n); }).map((n) => n.name));
  const nextLans = byName(next.lans);
  const keptLans = new Set(old.lans.filter((l) => nextLans.get(l.name)?.kind === l.kind).map((l) => l.name));
  const nextLinks = new Map(next.links.map((l) => [l.id, l]));
  const endKept = (e: LinkEnd): boolean => (e.node ? keptNodes.has(e.node) : keptLans.has(e.lan ?? ''));
  const keptLinks = old.links.filter((l) => {
    const m = nextLinks.get(l.id);
    return !!m && endKept(l.a) && endKept(l.b) && linkSig(l, oldNodes) === linkSig(m, nextNodes);
  });
  const keptLinkIds = new Set(keptLinks.map((l) => l.id));

  const usedIfs = new Set(keptLinks.flatMap((l) => [l.a, l.b]).filter((e) => e.node).map((e) => `${e.node}:${e.ifname}`));
  const midNodes = old.nodes.filter((n) => keptNodes.has(n.name)).map((n) => {
    const nextRoutes = new Set((nextNodes.get(n.name)?.routes ?? []).map(routeKey));
    return { ...n, interfaces: n.interfaces.filter((f) => usedIfs.has(`${n.name}:${f.name}`)), routes: n.routes.filter((r) => nextRoutes.has(routeKey(r))) };
  });
  const mid: Topology = {
    ...old,
    nodes: midNodes,
    lans: old.lans.filter((l) => keptLans.has(l.name)),
    links: keptLinks,
    startOrder: old.startOrder.map((lv) => lv.filter((n) => keptNodes.has(n))).filter((lv) => lv.length > 0),
  };

  // target: the file's topology, kept links as created, new lan ports numbered after the old ones
  let port = Math.max(-1, ...old.links.flatMap((l) => [portNo(l.a), portNo(l.b)])) + 1;
  const oldById = new Map(keptLinks.map((l) => [l.id, l]));
  const renumber = (e: LinkEnd): LinkEnd => (e.lan ? { ...e, ifname: portName(port++) } : e);
  const links = next.links.map((l) => {
    const kept = oldById.get(l.id);
    if (!kept) return { ...l, a: renumber(l.a), b: renumber(l.b) };
    return sameImpairment(kept, l) ? kept : { ...kept, impairment: l.impairment };
  });
  // a fabric namespace that exists stays on record even when no lan is left in it
  const target: Topology = { ...next, fabric: next.fabric ?? old.fabric, links };

  const summary: string[] = [];
  for (const n of old.nodes) if (!keptNodes.has(n.name)) summary.push(`-node ${n.name}`);
  for (const l of old.lans) if (!keptLans.has(l.name)) summary.push(`-lan ${l.name}`);
  for (const l of old.links) if (!keptLinkIds.has(l.id)) summary.push(`-link ${l.id}`);
  for (const n of next.nodes) if (!keptNodes.has(n.name)) summary.push(`+node ${n.name}`);
  for (const l of next.lans) if (!keptLans.has(l.name)) summary.push(`+lan ${l.name}`);
  for (const l of next.links) if (!keptLinkIds.has(l.id)) summary.push(`+link ${l.id}`);
  for (const l of links) {
    const o = oldById.get(l.id);
    if (o && !sameImpairment(o, l)) summary.push(`~impairment ${l.id}`);
  }
  for (const n of next.nodes) {
    const o = oldNodes.get(n.name);
    if (!o || !keptNodes.has(n.name)) continue;
    const a = o.routes.map(routeKey).sort().join();
    const b = n.routes.map(routeKey).sort().join();
    if (a !== b) summary.push(`~routes ${n.name}`);
  }
  return { mid, target, summary };
}
