/**
 * planChange (the plan behind `lab apply`) on resolved topologies: what is identical is
 * kept (links keep their lan port names), what changed is removed and added again, new
 * lan ports are numbered after the running lab's, route changes are noticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopologyText } from '../topo/load.ts';
import { resolve } from '../topo/resolve.ts';
import type { Topology } from '../topo/types.ts';
import { planChange } from './diff.ts';

function topo(text: string): Topology {
  const r = resolve(parseTopologyText(text, '/x/t.yaml'));
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.topology;
}

const base = `
name: d
nodes:
  a: { interfaces: { eth1: { ipv4: 10.0.0.1/24 }, eth2: { ipv4: 10.1.0.1/24 } } }
  b: { kind: server, interfaces: { eth1: { ipv4: 10.0.0.2/24 } } }
  c: { interfaces: { eth1: { ipv4: 10.1.0.3/24 } } }
lans:
  sw: { members: ["a:eth2", "c:eth1"] }
links:
  - endpoints: ["a:eth1", "b:eth1"]
`;

test('same topology: nothing to do', () => {
  assert.deepEqual(planChange(topo(base), topo(base)).summary, []);
});

test('a new lan member: kept links keep their ports, the new port comes after them', () => {
  const old = topo(base);
  const t = topo(base
    .replace('nodes:\n', 'nodes:\n  e: { interfaces: { eth1: { ipv4: 10.1.0.5/24 } } }\n')
    .replace('"c:eth1"]', '"c:eth1", "e:eth1"]'));
  const c = planChange(old, t);
  assert.deepEqual(c.summary, ['+node e', '+link e:eth1~sw']);
  const ports = (tp: Topology): string[] => tp.links.flatMap((l) => [l.a, l.b]).filter((e) => e.lan).map((e) => e.ifname);
  assert.deepEqual(ports(old), ['p.0', 'p.1']);
  assert.deepEqual(ports(c.target).sort(), ['p.0', 'p.1', 'p.2']);
  assert.equal(c.mid.links.length, 3);
  assert.ok(c.target.links.includes(old.links[0] as never), 'kept link objects are the running ones');
});

test('a changed node is replaced with its links; an address change replaces only its link', () => {
  const c1 = planChange(topo(base), topo(base.replace('kind: server,', 'kind: server, port: 8080,')));
  assert.deepEqual(c1.summary, ['-node b', '-link a:eth1~b:eth1', '+node b', '+link a:eth1~b:eth1']);
  assert.deepEqual(c1.mid.nodes.map((n) => n.name), ['a', 'c']);
  assert.deepEqual(c1.mid.nodes.find((n) => n.name === 'a')?.interfaces.map((f) => f.name), ['eth2']);
  const c2 = planChange(topo(base), topo(base.replace('10.1.0.3/24', '10.1.0.33/24')));
  assert.deepEqual(c2.summary, ['-link c:eth1~sw', '+link c:eth1~sw']);
});

test('removed lan and route changes', () => {
  const noLan = `
name: d
nodes:
  a: { interfaces: { eth1: { ipv4: 10.0.0.1/24 } }, routes: [{ to: 10.9.0.0/16, via: 10.0.0.2 }] }
  b: { kind: server, interfaces: { eth1: { ipv4: 10.0.0.2/24 } } }
links:
  - endpoints: ["a:eth1", "b:eth1"]
`;
  const c = planChange(topo(base), topo(noLan));
  assert.deepEqual(c.summary, ['-node c', '-lan sw', '-link a:eth2~sw', '-link c:eth1~sw', '~routes a']);
  assert.equal(c.target.fabric, 'sy-d.sw', 'the fabric namespace stays on record');
});

test('an impairment change keeps the link and retunes it', () => {
  const old = topo(base);
  const c = planChange(old, topo(base.replace('  - endpoints: ["a:eth1", "b:eth1"]', '  - endpoints: ["a:eth1", "b:eth1"]\n    impairment: { rate: 10mbit }')));
  assert.deepEqual(c.summary, ['~impairment a:eth1~b:eth1']);
  assert.deepEqual(c.mid.links.find((l) => l.id === 'a:eth1~b:eth1')?.impairment, { ab: {}, ba: {} });
  assert.deepEqual(c.target.links.find((l) => l.id === 'a:eth1~b:eth1')?.impairment, { ab: { rate: 10e6 }, ba: { rate: 10e6 } });
});
