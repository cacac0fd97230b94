/**
 * resolve(): every mistake reported with its code and file:line, all at once; valid
 * topologies get their defaults. Pure — nothing here touches the system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopologyFile, parseTopologyText } from './load.ts';
import { resolve } from './resolve.ts';
import type { Diagnostic, Topology } from './types.ts';
import { REPO_ROOT } from '../nodes/paths.ts';

function ok(text: string): Topology {
  const r = resolve(parseTopologyText(text, '/t/topo.yaml'));
  if (!r.ok) assert.fail(r.diagnostics.map((d) => `${d.line}: ${d.code} ${d.message}`).join('\n'));
  return r.topology;
}
function errs(text: string): Diagnostic[] {
  const r = resolve(parseTopologyText(text, '/t/topo.yaml'));
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.diagnostics;
}
/** [line, code] pairs, sorted by line. */
function where(ds: Diagnostic[]): [number, string][] {
  return ds.map((d) => [d.line, d.code] as [number, string]).sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
}

test('every example topology resolves', () => {
  const dir = join(REPO_ROOT, 'examples', 'lab');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const r = resolve(loadTopologyFile(join(dir, f)));
    assert.ok(r.ok, `${f}: ${r.ok ? '' : r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
  }
});

test('defaults: host kind, veth links, bridge lans, namespaces and ports named from one place', () => {
  const t = ok(`name: lab1
nodes:
  a: { interfaces: { eth1: { ipv4: 10.0.0.1/24 } } }
  b: {}
  c:
lans:
  sw: { members: ["b:eth0", "c:eth0"] }
links:
  - endpoints: ["a:eth1", "sw"]
`);
  assert.deepEqual(t.nodes.map((n) => [n.name, n.kind, n.netns]), [['a', 'host', 'sy-lab1-a'], ['b', 'host', 'sy-lab1-b'], ['c', 'host', 'sy-lab1-c']]);
  assert.equal(t.fabric, 'sy-lab1.sw');
  assert.deepEqual(t.links.map((l) => [l.id, l.kind, l.a.ifname, l.b.ifname, l.b.master]), [
    ['b:eth0~sw', 'veth', 'eth0', 'p.0', 'sw'],
    ['c:eth0~sw', 'veth', 'eth0', 'p.1', 'sw'],
    ['a:eth1~sw', 'veth', 'eth1', 'p.2', 'sw'],
  ]);
  assert.deepEqual(t.startOrder, [['a', 'b', 'c']]);
});

test('impairment units: per link and per direction; veth takes rate only', () => {
  const t = ok(`name: x
nodes: { a: {}, b: {} }
links:
  - endpoints: ["a:e", "b:e"]
    impairment: { rate: 100mbit, queue: 64k }
`);
  assert.deepEqual(t.links[0]?.impairment, { ab: { rate: 100e6, queue: 65536 }, ba: { rate: 100e6, queue: 65536 } });
  const t2 = ok(`name: x
nodes: { a: {}, b: {} }
links:
  - endpoints: ["a:e", "b:e"]
    impairment: { ab: { rate: 1gbit }, ba: { rate: 10mbps } }
`);
  assert.deepEqual(t2.links[0]?.impairment, { ab: { rate: 1e9 }, ba: { rate: 80e6 } });
  const e = errs(`name: x
nodes: { a: {}, b: {} }
links:
  - endpoints: ["a:e", "b:e"]
    impairment:
      delay: 20ms
      rate: fast
      wobble: 3
`);
  assert.deepEqual(where(e), [[6, 'SY_ERR_LAB_IMPAIRMENT'], [7, 'SY_ERR_LAB_IMPAIRMENT'], [8, 'SY_ERR_LAB_IMPAIRMENT']]);
  assert.match(e.find((d) => d.line === 6)?.message ?? '', /veth cannot apply 'delay' \(it supports: rate, queue/);
  assert.match(e.find((d) => d.line === 7)?.message ?? '', /100mbit/);
  assert.match(e.find((d) => d.line === 8)?.message ?? '', /allowed: delay, jitter, loss/);
});

test('many mistakes at once, each at its line', () => {
  const e = errs(`name: "bad name!"
nodes:
  h1:
    kind: router
    interfaces:
      eth1: { ipv4: 10.0.0.1 }
      eth2: { ipv4: 10.0.0.300/24 }
      averyveryverylongname0: {}
      eth3: { ipv6: 10.0.0.9/24, mac: "01:00:5e:00:00:01" }
    colour: blue
  h2:
    interfaces:
      eth1: { ipv4: 10.0.0.2/24, mac: "02:00:00:00:00:02" }
      eth9: {}
    routes:
      - { to: 10.9.0.0/16, via: "fd00::1" }
    sysctls: { kernel.panic: 1 }
    depends_on: [h3]
  h3:
    depends_on: [h2]
    interfaces:
      eth1: { ipv4: 10.0.0.2/24, mac: "02:00:00:00:00:02" }
links:
  - endpoints: ["h2:eth1", "h3:eth1"]
  - endpoints: ["h2:eth1", "h4:eth1"]
  - endpoints: ["h3:eth7", "nolan"]
    kind: wormhole
`);
  assert.deepEqual(where(e), [
    [1, 'SY_ERR_LAB_NAME'],
    [4, 'SY_ERR_LAB_UNKNOWN_KIND'],
    [6, 'SY_ERR_LAB_ADDRESS'],
    [6, 'SY_ERR_LAB_REFERENCE'], // declared, not connected
    [7, 'SY_ERR_LAB_ADDRESS'],
    [7, 'SY_ERR_LAB_REFERENCE'],
    [8, 'SY_ERR_LAB_NAME'],
    [9, 'SY_ERR_LAB_ADDRESS'],
    [9, 'SY_ERR_LAB_ADDRESS'],
    [9, 'SY_ERR_LAB_REFERENCE'],
    [10, 'SY_ERR_LAB_FIELD'],
    [14, 'SY_ERR_LAB_REFERENCE'],
    [16, 'SY_ERR_LAB_ADDRESS'],
    [17, 'SY_ERR_LAB_FIELD'],
    [18, 'SY_ERR_LAB_CYCLE'],
    [22, 'SY_ERR_LAB_DUPLICATE'],
    [22, 'SY_ERR_LAB_DUPLICATE'],
    [25, 'SY_ERR_LAB_DUPLICATE'],
    [25, 'SY_ERR_LAB_REFERENCE'],
    [26, 'SY_ERR_LAB_REFERENCE'],
    [27, 'SY_ERR_LAB_UNKNOWN_KIND'],
  ]);
  const msg = (line: number): string => e.filter((d) => d.line === line).map((d) => d.message).join(' | ');
  assert.match(msg(4), /unknown node kind "router" .*known: host, server, balancer, client/);
  assert.match(msg(6), /no prefix length/);
  assert.match(msg(8), /1 to 15/);
  assert.match(msg(9), /multicast/);
  assert.match(msg(10), /unknown field 'colour' in node h1 \(allowed: kind, interfaces, routes/);
  assert.match(msg(17), /only net\.\*/);
  assert.match(msg(25), /already connected at line 24/);
  assert.match(msg(27), /known: veth/);
  assert.match(msg(25), /no node named 'h4'/);
  assert.match(msg(18), /h2 → h3 → h2/);
  assert.ok(e.every((d) => d.file === '/t/topo.yaml' && d.col >= 1));
});

test('startup dependency cycles are reported with their path', () => {
  const e = errs(`name: x
nodes:
  a: { depends_on: [b] }
  b: { depends_on: [c] }
  c: { depends_on: [a] }
  d: { depends_on: [a] }
`);
  assert.deepEqual(where(e), [[3, 'SY_ERR_LAB_CYCLE']]);
  assert.match(e[0]?.message ?? '', /a → b → c → a/);
  const t = ok(`name: x
nodes:
  a: { depends_on: [b, c] }
  b: { depends_on: [c] }
  c: {}
`);
  assert.deepEqual(t.startOrder, [['c'], ['b'], ['a']]);
});

test('YAML syntax errors and duplicate keys carry their position', () => {
  const e = errs(`name: x
nodes:
  a: {}
  a: {}
`);
  assert.deepEqual(where(e), [[4, 'SY_ERR_LAB_DUPLICATE']]);
  const e2 = errs(`name: x
nodes:
  a: { interfaces: [
`);
  assert.equal(e2[0]?.code, 'SY_ERR_LAB_YAML');
});

test('missing pieces: no nodes, no name, link without endpoints, lan named like a node', () => {
  assert.deepEqual(where(errs('nodes: {}\n')), [[1, 'SY_ERR_LAB_FIELD'], [1, 'SY_ERR_LAB_FIELD']]);
  const e = errs(`name: x
nodes:
  a: {}
  sw: {}
lans:
  sw: { members: [] }
links:
  - { kind: veth }
  - endpoints: ["a"]
`);
  assert.deepEqual(where(e), [[6, 'SY_ERR_LAB_DUPLICATE'], [8, 'SY_ERR_LAB_FIELD'], [9, 'SY_ERR_LAB_FIELD']]);
});

test('balancer needs a config; client load is checked', () => {
  const e = errs(`name: x
nodes:
  lb: { kind: balancer }
  lb2: { kind: balancer, config_file: /nonexistent/x.cfg }
  c:
    kind: client
    load: { url: "ftp://x", speed: 3 }
`);
  assert.deepEqual(where(e), [[3, 'SY_ERR_LAB_FIELD'], [4, 'SY_ERR_LAB_READ'], [7, 'SY_ERR_LAB_FIELD'], [7, 'SY_ERR_LAB_FIELD']]);
});
