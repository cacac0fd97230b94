/**
 * Shared conformance suite for lan kinds (bridge, sock-switch, …): three hosts as members
 * of one lan reach each other (IPv4 and IPv6); a lan joined by a second lan of the same
 * kind is not required (userspace switches take members only). The member links count
 * traffic; cutting one member isolates it and only it; restore brings it back; `apply`
 * adds a member live; down leaves no namespace and no relay.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { SKIP, cleanupLabs, labNamespaces, labProcesses, reach, uniqueLab, writeTopo } from '../../../test/lab/lab-fixture.ts';
import { labApply } from '../ops/apply.ts';
import { labDown } from '../ops/down.ts';
import { cutLink, findLink, linkStats, restoreLink } from '../ops/links.ts';
import { labUp } from '../ops/up.ts';
import { LabState } from '../sys/state.ts';
import { lanKinds } from './registry.ts';

/** Hosts h1… on one lan: each member "hN:eth1" is a host addressed 10.90.0.N. */
function topology(lab: string, kind: string, members: string[]): string {
  const hosts = members.map((m) => m.slice(0, m.indexOf(':')));
  return writeTopo(stringify({
    name: lab,
    nodes: Object.fromEntries(hosts.map((h) => [h, { interfaces: { eth1: { ipv4: `10.90.0.${h.slice(1)}/24`, ipv6: `fd90::${h.slice(1)}/64` } } }])),
    lans: { lan0: { kind, members } },
  }));
}

describe('lan kind conformance', { skip: SKIP ?? false }, () => {
  after(cleanupLabs);
  for (const kind of lanKinds()) {
    test(`lan kind ${kind.name}`, { timeout: 30_000 }, async () => {
      const lab = uniqueLab('ln');
      const topo = await labUp(topology(lab, kind.name, ['h1:eth1', 'h2:eth1', 'h3:eth1']));
      const state = new LabState(lab);
      try {
        assert.ok(reach(lab, 'h1', '10.90.0.2'), 'h1 → h2');
        assert.ok(reach(lab, 'h3', '10.90.0.1'), 'h3 → h1');
        assert.ok(reach(lab, 'h2', 'fd90::3'), 'h2 → h3, IPv6');
        const m1 = findLink(topo, 'h1:eth1');
        const s = await linkStats(state, m1);
        assert.equal(s?.up, true);
        assert.ok((s?.a?.txPackets ?? 0) > 0 && (s?.a?.rxPackets ?? 0) > 0, 'member counters move');

        await cutLink(state, findLink(topo, 'h2:eth1'));
        assert.equal((await linkStats(state, findLink(topo, 'h2:eth1')))?.up, false);
        assert.equal(reach(lab, 'h1', '10.90.0.2'), false, 'cut member unreachable');
        assert.ok(reach(lab, 'h1', '10.90.0.3'), 'the others still talk');
        await restoreLink(state, topo, findLink(topo, 'h2:eth1'));
        assert.ok(reach(lab, 'h1', '10.90.0.2'), 'back after restore');

        const r = await labApply(topology(lab, kind.name, ['h1:eth1', 'h2:eth1', 'h3:eth1', 'h4:eth1']));
        assert.equal(r.summary, '+node h4, +link h4:eth1~lan0');
        assert.ok(reach(lab, 'h4', '10.90.0.1'), 'a member added live');
        assert.ok(reach(lab, 'h2', '10.90.0.3'), 'old members untouched');
      } finally {
        await labDown(lab);
      }
      assert.deepEqual(labNamespaces(lab), []);
      assert.deepEqual(labProcesses(lab), []);
    });
  }
});
