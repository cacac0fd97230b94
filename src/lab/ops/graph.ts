/**
 * `lab graph`: a topology as Mermaid, Graphviz DOT or JSON (nodes, lans, edges). Pure.
 */
import type { Impairment, Topology } from '../topo/types.ts';
import { endText } from './links.ts';

export type GraphFormat = 'mermaid' | 'dot' | 'json';

type Edge = { from: string; to: string; label: string; kind: string };

function impText(i: Impairment): string {
  const parts: string[] = [];
  if (i.delay) parts.push(`${i.delay}ms${i.jitter ? `±${i.jitter}` : ''}`);
  if (i.loss) parts.push(`${i.loss}% loss`);
  if (i.rate) parts.push(i.rate >= 1e9 ? `${i.rate / 1e9}gbit` : i.rate >= 1e6 ? `${i.rate / 1e6}mbit` : `${i.rate / 1e3}kbit`);
  return parts.join(' ');
}

function edges(t: Topology): Edge[] {
  return t.links.map((l) => {
    const from = l.a.node ?? l.a.lan ?? '?';
    const to = l.b.node ?? l.b.lan ?? '?';
    const ifs = [l.a.node ? l.a.ifname : '', l.b.node ? l.b.ifname : ''].filter(Boolean).join('–');
    const imp = impText(l.impairment.ab);
    return { from, to, kind: l.kind, label: [ifs, l.kind === 'veth' ? '' : l.kind, imp].filter(Boolean).join(' ') };
  });
}

const id = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');

export function graph(t: Topology, format: GraphFormat): string {
  const es = edges(t);
  if (format === 'json') {
    return JSON.stringify({
      name: t.name,
      nodes: t.nodes.map((n) => ({ id: n.name, kind: n.kind, addresses: n.interfaces.flatMap((f) => f.addresses) })),
      lans: t.lans.map((l) => ({ id: l.name, kind: l.kind })),
      links: t.links.map((l) => ({ id: l.id, kind: l.kind, a: endText(l.a), b: endText(l.b), impairment: l.impairment })),
    }, null, 2);
  }
  if (format === 'dot') {
    const lines = [`graph "${t.name}" {`, '  node [fontname="Helvetica"];'];
    for (const n of t.nodes) lines.push(`  ${id(n.name)} [label="${n.name}\\n${n.kind}", shape=box];`);
    for (const l of t.lans) lines.push(`  ${id(l.name)} [label="${l.name}", shape=ellipse];`);
    for (const e of es) lines.push(`  ${id(e.from)} -- ${id(e.to)}${e.label ? ` [label="${e.label}"]` : ''};`);
    lines.push('}');
    return lines.join('\n');
  }
  const lines = ['graph LR'];
  for (const n of t.nodes) lines.push(`  ${id(n.name)}["${n.name}<br/>${n.kind}"]`);
  for (const l of t.lans) lines.push(`  ${id(l.name)}(("${l.name}"))`);
  for (const e of es) lines.push(`  ${id(e.from)} ---${e.label ? `|"${e.label}"|` : ''} ${id(e.to)}`);
  return lines.join('\n');
}
