/**
 * The sock cable through the lab's LinkKind contract (src/lab/links/sock/kind.ts), as the
 * lab core drives it: create from resolved links, stats per end, set, cut/restore, destroy,
 * clean; option validation by code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { skipReason, makeNamespaces, addressAndWarm, ping, ip, IP_B } from './sock-fixture.ts';
import { sock } from '../../src/lab/links/sock/kind.ts';
import type { ResolvedLink } from '../../src/lab/topo/types.ts';
import type { LinkCtx } from '../../src/lab/links/types.ts';

const skip = skipReason();

test('sock kind: options are checked by code', () => {
  const errors: string[] = [];
  const ctx = { linkId: 'h1:eth1~h2:eth1', error: (code: string) => void errors.push(code) };
  assert.deepEqual(sock.resolveOptions!({ offload: 'off' }, ctx as never), { offload: 'off' });
  assert.deepEqual(sock.resolveOptions!({}, ctx as never), {});
  sock.resolveOptions!({ offload: 'maybe' }, ctx as never);
  assert.deepEqual(errors, ['SY_ERR_LAB_FIELD']);
  assert.ok(sock.impairments.includes('delay') && sock.impairments.includes('corrupt'));
});

test('sock kind: create, stats, set, cut/restore, destroy, clean', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const ns = makeNamespaces();
  const logs: string[] = [];
  const ctx: LinkCtx = { lab: ns.lab, stateDir: ns.stateDir, log: (m) => void logs.push(m) };
  const link: ResolvedLink = {
    id: 'h1:eth1~h2:eth1',
    kind: 'sock',
    a: { node: 'h1', lan: null, netns: ns.nsA, ifname: 'eth1', master: null, mac: '02:77:00:00:01:01' },
    b: { node: 'h2', lan: null, netns: ns.nsB, ifname: 'eth1', master: null, mtu: 1400 },
    impairment: { ab: { delay: 5 }, ba: {} },
    options: {},
    pos: { file: 'x.yaml', line: 1, col: 1 },
  };
  try {
    await sock.create(ctx, [link]);
    assert.match(ip('-n', ns.nsA, 'link', 'show', 'eth1'), /02:77:00:00:01:01/);
    assert.match(ip('-n', ns.nsB, 'link', 'show', 'eth1'), /mtu 1400/);
    await addressAndWarm(ns.nsA, ns.nsB);
    const r = await ping(ns.nsA, IP_B, 10, 0.01);
    assert.equal(r.received, 10);
    assert.ok(Math.min(...r.rtts) >= 5, 'ab delay from the topology in force');
    let s = await sock.stats(ctx, link);
    assert.equal(s.up, true);
    assert.ok(s.a!.txPackets >= 10 && s.b!.rxPackets >= 10 && s.a!.rxPackets >= 10);
    await sock.set(ctx, link, { ab: {}, ba: { loss: 100 } });
    assert.equal((await ping(ns.nsA, IP_B, 3, 0.05)).received, 0);
    await sock.set(ctx, link, { ab: {}, ba: {} });
    await sock.cut(ctx, link);
    s = await sock.stats(ctx, link);
    assert.equal(s.up, false);
    assert.match(ip('-n', ns.nsB, 'link', 'show', 'eth1'), /NO-CARRIER/);
    await sock.restore(ctx, link);
    assert.equal((await ping(ns.nsA, IP_B, 3, 0.05)).received, 3);
    await sock.destroy(ctx, [link]);
    await sock.destroy(ctx, [link]); // idempotent, relay already gone
    assert.doesNotMatch(ip('-n', ns.nsA, 'link', 'show'), /eth1/);
    await sock.clean!(ctx);
    assert.equal(existsSync(`${ns.stateDir}/sock`), false);
  } finally {
    await sock.clean!(ctx).catch(() => {});
    await ns.dispose();
  }
});
