/**
 * Shared conformance suite for link kinds (veth, sock; member-only kinds are not
 * registered here — lan-conformance.test.ts runs them as the members of their lan kind): two hosts joined by one link of the kind must reach each
 * other; stats count the traffic; cut takes both ends down and stops traffic; restore
 * brings it back; `set` applies a rate the kind supports; a lan port works the same;
 * down leaves nothing.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { SKIP, cleanupLabs, labNamespaces, reach, uniqueLab, writeTopo } from '../../../test/lab/lab-fixture.ts';
import { linkCtx } from '../ops/context.ts';
import { labDown } from '../ops/down.ts';
import { cutLink, findLink, restoreLink } from '../ops/links.ts';
import { labUp } from '../ops/up.ts';
import { LabState } from '../sys/state.ts';
import { linkKinds } from './registry.ts';

describe('link kind conformance', { skip: SKIP ?? false }, () => {
  after(cleanupLabs);
  for (const kind of linkKinds()) {
    // member-only kinds (sock-port) cannot be written between two nodes: the lan suite
    // (lan-conformance.test.ts) runs them as the members of their lan kind
    if (kind.memberOnly) continue;
    test(`kind ${kind.name}`, async () => {
      const lab = uniqueLab('lk');
      const topo = await labUp(writeTopo(stringify({
        name: lab,
        nodes: {
          a: { interfaces: { eth1: { ipv4: '10.8.0.1/24' }, eth2: { ipv4: '10.8.1.1/24' } } },
          b: { interfaces: { eth1: { ipv4: '10.8.0.2/24' } } },
          c: { interfaces: { eth1: { ipv4: '10.8.1.3/24' } } },
        },
        lans: { sw: { members: ['c:eth1'] } },
        links: [{ endpoints: ['a:eth1', 'b:eth1'], kind: kind.name }, { endpoints: ['a:eth2', 'sw'], kind: kind.name }],
      })));
      const state = new LabState(lab);
      const ctx = linkCtx(state);
      try {
        const link = findLink(topo, 'a:eth1', 'b:eth1');
        assert.ok(reach(lab, 'a', '10.8.0.2'), 'a reaches b');
        assert.ok(reach(lab, 'a', '10.8.1.3'), 'a reaches c through the lan port');
        const s1 = await kind.stats(ctx, link);
        assert.equal(s1.up, true);
        assert.ok((s1.a?.txPackets ?? 0) > 0 && (s1.b?.rxPackets ?? 0) > 0, 'counters move');

        await cutLink(state, link);
        const s2 = await kind.stats(ctx, link);
        assert.equal(s2.up, false, 'stats show the cut');
        if (kind.statsMany) {
          const many = await kind.statsMany(ctx, topo.links.filter((l) => l.kind === kind.name));
          assert.equal(many.get(link.id)?.up, false, 'statsMany agrees: cut');
          assert.equal(many.get(findLink(topo, 'a:eth2').id)?.up, true, 'statsMany agrees: the other link is up');
        }
        assert.equal(reach(lab, 'a', '10.8.0.2'), false, 'no traffic while cut');
        await restoreLink(state, topo, link);
        assert.ok(reach(lab, 'a', '10.8.0.2'), 'traffic after restore');

        if (kind.impairments.includes('rate')) {
          await kind.set(ctx, link, { ab: { rate: 10e6 }, ba: {} });
          assert.ok(reach(lab, 'a', '10.8.0.2'), 'still reachable with a rate');
          await kind.set(ctx, link, { ab: {}, ba: {} });
        }
      } finally {
        await labDown(lab);
      }
      assert.deepEqual(labNamespaces(lab), []);
    });
  }
});
