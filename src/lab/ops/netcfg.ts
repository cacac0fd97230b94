/**
 * The `ip -batch` scripts that configure namespaces after their links exist: per node
 * namespace (loopback, interfaces up, addresses, routes) and for the fabric (ports into
 * their bridges). One `ip -n <ns> -batch -` per namespace, run in parallel.
 */
import { ipFamily } from '../topo/addr.ts';
import type { ResolvedNode, Route, Topology } from '../topo/types.ts';

function routeLine(r: Route): string {
  let to = r.to;
  if (to === 'default' && r.via && ipFamily(r.via) === 6) to = '::/0';
  return `route add ${to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`;
}

export function nodeScript(node: ResolvedNode): string[] {
  const lines = ['link set dev lo up'];
  for (const f of node.interfaces) lines.push(`link set dev ${f.name} up`);
  for (const f of node.interfaces) {
    for (const a of f.addresses) lines.push(`addr add ${a} dev ${f.name}${a.includes(':') ? ' nodad' : ''}`);
  }
  for (const r of node.routes) lines.push(routeLine(r));
  return lines;
}

export function fabricScript(topo: Topology): string[] {
  const lines: string[] = [];
  for (const l of topo.links) {
    for (const [end, peer] of [[l.a, l.b], [l.b, l.a]] as const) {
      if (!end.master) continue;
      const alias = peer.node ? `${peer.node}:${peer.ifname}` : `${peer.lan ?? '?'}`;
      lines.push(`link set dev ${end.ifname} master ${end.master} alias ${alias} up`);
    }
  }
  return lines;
}

/** Re-apply a node's addresses and routes (idempotent), e.g. after a restored cut: the
 *  kernel drops IPv6 addresses and gateway routes of an interface that went down. */
export function nodeRefreshScript(node: ResolvedNode): string[] {
  const lines: string[] = [];
  for (const f of node.interfaces) {
    for (const a of f.addresses) lines.push(`addr replace ${a} dev ${f.name}${a.includes(':') ? ' nodad' : ''}`);
  }
  for (const r of node.routes) lines.push(routeLine(r).replace(/^route add/, 'route replace'));
  return lines;
}

/** Sysctls of a node namespace: on nodes with IPv6, duplicate address detection off (lab addresses are
 *  planned, and DAD would keep link-local addresses tentative for a second after `up`,
 *  losing the first IPv6 packets), then the node's own. Interface keys use `/` so that
 *  names with dots (eth0.100) stay one path element. */
export function nodeSysctls(node: ResolvedNode): Record<string, string> {
  // only where IPv6 is used: an IPv4-only node needs no extra process at `up`
  const v6 = node.interfaces.some((f) => f.addresses.some((a) => a.includes(':'))) || node.routes.some((r) => r.to.includes(':') || !!r.via?.includes(':'));
  const s: Record<string, string> = {};
  if (v6) {
    s['net.ipv6.conf.all.accept_dad'] = '0';
    s['net.ipv6.conf.default.accept_dad'] = '0';
    for (const f of node.interfaces) s[`net/ipv6/conf/${f.name}/accept_dad`] = '0';
  }
  return { ...s, ...node.sysctls };
}
