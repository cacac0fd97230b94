/**
 * Routes, sysctls and exec together: a router node with forwarding switched on by
 * `sysctls`, hosts on two subnets with routes through it (IPv4 and IPv6, a gateway route
 * and a default route); `exec` commands see the node's env. Also `graph FILE` on a
 * topology that is not running.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP, cleanupLabs, cli, inNode, reach, uniqueLab, writeTopo } from './lab-fixture.ts';

const lab = uniqueLab('rt');
let file = '';

describe('routing through a router node', { skip: SKIP ?? false }, () => {
  before(async () => {
    file = writeTopo(`name: ${lab}
nodes:
  a:
    interfaces: { eth1: { ipv4: 10.11.0.1/24, ipv6: "fd11::1/64" } }
    routes:
      - { to: 10.12.0.0/24, via: 10.11.0.254 }
      - { to: "fd12::/64", via: "fd11::fe" }
  r:
    interfaces:
      eth1: { ipv4: 10.11.0.254/24, ipv6: "fd11::fe/64" }
      eth2: { ipv4: 10.12.0.254/24, ipv6: "fd12::fe/64" }
    sysctls: { net.ipv4.ip_forward: 1, net.ipv6.conf.all.forwarding: 1 }
    env: { MARK: routed }
    exec: ["echo $MARK > /tmp/${lab}-mark"]
  b:
    interfaces: { eth1: { ipv4: 10.12.0.1/24, ipv6: "fd12::1/64" } }
    routes:
      - { to: default, via: 10.12.0.254 }
      - { to: default, via: "fd12::fe" }
links:
  - endpoints: ["a:eth1", "r:eth1"]
  - endpoints: ["r:eth2", "b:eth1"]
`);
    const r = await cli(['up', file]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test('a reaches b through r (IPv4 and IPv6); forwarding set by sysctls; exec saw env', async () => {
    assert.equal(inNode(lab, 'r', ['sysctl', '-n', 'net.ipv4.ip_forward']).out.trim(), '1');
    assert.ok(reach(lab, 'a', '10.12.0.1'), 'IPv4 via r');
    assert.ok(reach(lab, 'a', 'fd12::1'), 'IPv6 via r');
    assert.equal(inNode(lab, 'r', ['cat', `/tmp/${lab}-mark`]).out.trim(), 'routed');
    inNode(lab, 'r', ['rm', '-f', `/tmp/${lab}-mark`]);
    // cut/restore keeps the routes (restore puts addresses and gateway routes back)
    assert.equal((await cli(['link', 'cut', '--lab', lab, 'a:eth1'])).code, 0);
    assert.equal(reach(lab, 'a', '10.12.0.1'), false);
    assert.equal((await cli(['link', 'restore', '--lab', lab, 'a:eth1'])).code, 0);
    assert.ok(reach(lab, 'a', '10.12.0.1'), 'IPv4 via r after restore');
    assert.ok(reach(lab, 'a', 'fd12::1'), 'IPv6 via r after restore');
  });

  test('graph of a file that is not running', async () => {
    const r = await cli(['graph', file, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const g = JSON.parse(r.stdout) as { nodes: { id: string; addresses: string[] }[]; links: unknown[] };
    assert.deepEqual(g.nodes.map((n) => n.id), ['a', 'r', 'b']);
    assert.equal(g.links.length, 2);
  });
});
