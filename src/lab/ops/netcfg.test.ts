/** The ip -batch scripts generated for a node and for the fabric (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopologyText } from '../topo/load.ts';
import { resolve } from '../topo/resolve.ts';
import type { Topology } from '../topo/types.ts';
import { fabricScript, nodeRefreshScript, nodeScript, nodeSysctls } from './netcfg.ts';

function topo(text: string): Topology {
  const r = resolve(parseTopologyText(text, '/t.yaml'));
  if (!r.ok) assert.fail(JSON.stringify(r.diagnostics));
  return r.topology;
}

const t = topo(`name: n
nodes:
  a:
    interfaces: { eth1: { ipv4: [10.0.0.1/24, 10.0.1.1/24], ipv6: "fd00::0001/64" } }
    routes:
      - { to: default, via: 10.0.0.254 }
      - { to: default, via: "fd00::fe" }
      - { to: 10.9.0.0/16, dev: eth1 }
    sysctls: { net.ipv4.ip_forward: true }
  b: { interfaces: { eth0: { ipv4: 10.0.0.2/24 } } }
lans:
  sw: { members: ["b:eth0"] }
links:
  - endpoints: ["a:eth1", "sw"]
`);
const a = t.nodes[0]!;

test('node script: loopback and interfaces up, addresses (IPv6 without DAD), routes by family', () => {
  assert.deepEqual(nodeScript(a), [
    'link set dev lo up',
    'link set dev eth1 up',
    'addr add 10.0.0.1/24 dev eth1',
    'addr add 10.0.1.1/24 dev eth1',
    'addr add fd00::1/64 dev eth1 nodad',
    'route add default via 10.0.0.254',
    'route add ::/0 via fd00::fe',
    'route add 10.9.0.0/16 dev eth1',
  ]);
  assert.ok(nodeRefreshScript(a).every((l) => /^(addr|route) replace /.test(l)));
});

test('fabric script: every lan port into its bridge, aliased after its peer', () => {
  assert.deepEqual(fabricScript(t), ['link set dev p.0 master sw alias b:eth0 up', 'link set dev p.1 master sw alias a:eth1 up']);
});

test('sysctls: DAD off only where IPv6 is used, then the node\'s own', () => {
  assert.deepEqual(nodeSysctls(a), {
    'net.ipv6.conf.all.accept_dad': '0',
    'net.ipv6.conf.default.accept_dad': '0',
    'net/ipv6/conf/eth1/accept_dad': '0',
    'net.ipv4.ip_forward': '1',
  });
  assert.deepEqual(nodeSysctls(t.nodes[1]!), {});
});
