/**
 * The userspace learning switch (`kind: sock-switch` lans): once stations are learned,
 * unicast goes only to its port (the third member sees none of it); the MAC table shows
 * who is where; the capture tap records what enters the switch; a topology cannot link
 * to such a lan or write its member kind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { relayRequest, type PortStats, type SwitchStats } from '../../src/lab/links/sock/index.ts';
import { readPcap } from '../../src/lab/links/sock/pcap.ts';
import { labCapture } from '../../src/lab/ops/capture.ts';
import { LabState } from '../../src/lab/sys/state.ts';
import { parseTopologyText } from '../../src/lab/topo/load.ts';
import { resolve } from '../../src/lab/topo/resolve.ts';
import { SKIP, cleanupLabs, cli, inNode, labNamespaces, uniqueLab, writeTopo } from './lab-fixture.ts';

const lab = uniqueLab('ss');
const topo = `
name: ${lab}
nodes:
  h1: { interfaces: { eth1: { ipv4: 10.91.0.1/24, mac: "02:00:00:00:91:01" } } }
  h2: { interfaces: { eth1: { ipv4: 10.91.0.2/24, mac: "02:00:00:00:91:02" } } }
  h3: { interfaces: { eth1: { ipv4: 10.91.0.3/24, mac: "02:00:00:00:91:03" } } }
lans:
  usw: { kind: sock-switch, members: ["h1:eth1", "h2:eth1", "h3:eth1"] }
`;

describe('sock-switch lan', { skip: SKIP ?? false, timeout: 60_000 }, () => {
  let state: LabState;
  const port = async (p: string): Promise<PortStats> => (await relayRequest(state.dir, lab, { op: 'port-stats', port: p })).stats as PortStats;
  before(async () => {
    const r = await cli(['up', '-q', writeTopo(topo)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    state = new LabState(lab);
  });
  after(cleanupLabs);

  test('learned unicast is not flooded; the MAC table knows every station', async () => {
    assert.equal(inNode(lab, 'h1', ['ping', '-c2', '-i0.1', '-W1', '10.91.0.2']).code, 0, 'warm-up (ARP learned)');
    const h3before = await port('h3:eth1~usw');
    const h2before = await port('h2:eth1~usw');
    assert.equal(inNode(lab, 'h1', ['ping', '-c20', '-i0.02', '-W1', '10.91.0.2']).code, 0);
    const h3after = await port('h3:eth1~usw');
    const h2after = await port('h2:eth1~usw');
    assert.ok(h2after.txFrames - h2before.txFrames >= 20, 'h2 got the echo requests');
    // h3 may get a multicast or two meanwhile (IPv6 link-local chatter), not the 20 requests
    assert.ok(h3after.txFrames - h3before.txFrames < 5, `h3 saw none of the unicast (${h3after.txFrames - h3before.txFrames} frames)`);
    const sw = (await relayRequest(state.dir, lab, { op: 'switch-stats', switch: 'usw' })).stats as SwitchStats;
    const where = Object.fromEntries(sw.macs.map(([m, p]) => [m, p]));
    assert.equal(where['02:00:00:00:91:01'], 'h1:eth1~usw');
    assert.equal(where['02:00:00:00:91:02'], 'h2:eth1~usw');
    assert.equal(sw.ports.length, 3);
    assert.ok(sw.ports.some((p) => p.flooded > 0), 'ARP broadcasts were flooded');
    const insp = await cli(['inspect', '--lab', lab, '--text']);
    assert.match(insp.stdout, /switch usw: 3 ports, \d+ stations learned/);
    assert.match(insp.stdout, /02:00:00:00:91:01 {2}h1:eth1~usw/);
  });

  test('capture tap: the ICMP frames entering the switch', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sy-ss-')), 'usw.pcap');
    const r = await labCapture(state, 'usw', {
      file,
      durationMs: 1200,
      onReady: () => { inNode(lab, 'h3', ['ping', '-c3', '-i0.1', '-W1', '10.91.0.1']); },
    });
    assert.equal(r.via, 'relay');
    const { frames } = readPcap(readFileSync(file));
    const icmp = frames.filter((f) => f.readUInt16BE(12) === 0x0800 && f[23] === 1);
    assert.equal(icmp.length, 6, 'three requests and three replies, each entering once');
    const sw = (await relayRequest(state.dir, lab, { op: 'switch-stats', switch: 'usw' })).stats as SwitchStats;
    assert.equal(sw.capture, null, 'tap stopped');
  });

  test('topology errors: no link to a sock-switch lan, no sock-port written by hand', () => {
    const bad = resolve(parseTopologyText(`
name: x
nodes:
  a: { interfaces: { eth1: {}, eth2: {} } }
  b: { interfaces: { eth1: {} } }
lans:
  usw: { kind: sock-switch, members: ["b:eth1"] }
links:
  - endpoints: ["a:eth1", "usw"]
  - endpoints: ["a:eth2", "b:eth9"]
    kind: sock-port
`, '/t.yaml'));
    assert.equal(bad.ok, false);
    const codes = bad.ok ? [] : bad.diagnostics.map((d) => `${d.line}:${d.code}`);
    assert.ok(codes.includes('9:SY_ERR_LAB_REFERENCE'), codes.join());
    assert.ok(codes.includes('11:SY_ERR_LAB_UNKNOWN_KIND'), codes.join());
  });

  test('down leaves nothing (relay included)', async () => {
    assert.equal((await cli(['down', lab])).code, 0);
    assert.deepEqual(labNamespaces(lab), []);
  });
});
