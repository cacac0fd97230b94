/**
 * A small lab through the real CLI: up (progress per stage) → status → exec → ping and
 * TCP across a veth cable and a lan → cut/restore (both kinds of link) → graph → down,
 * then nothing left: no namespaces, no processes, no state, no root-namespace interface.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SKIP, STATE_ROOT, cleanupLabs, cli, labNamespaces, labProcesses, reach, rootInterfaces, tcpConnect, uniqueLab, writeTopo, inNode } from './lab-fixture.ts';

const lab = uniqueLab('lc');
const topo = `
name: ${lab}
nodes:
  a:
    interfaces:
      eth1: { ipv4: 10.1.0.1/24, ipv6: "fd01::1/64" }
      eth2: { ipv4: 10.2.0.1/24 }
    env: { GREETING: hello }
    exec: ["echo started > /dev/null"]
  b:
    kind: server
    port: 8080
    interfaces:
      eth1: { ipv4: 10.1.0.2/24, ipv6: "fd01::2/64" }
  c:
    kind: server
    port: 8080
    interfaces:
      eth1: { ipv4: 10.2.0.3/24 }
  d:
    interfaces:
      eth1: { ipv4: 10.2.0.4/24 }
lans:
  sw:
    members: ["a:eth2", "c:eth1", "d:eth1"]
links:
  - endpoints: ["a:eth1", "b:eth1"]
`;

describe('lab lifecycle (veth + lan)', { skip: SKIP ?? false }, () => {
  let rootBefore: string[] = [];
  before(async () => {
    rootBefore = rootInterfaces();
    const r = await cli(['up', writeTopo(topo)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const st of ['topology', 'preflight', 'namespaces', 'switches', 'links', 'configure', 'start']) assert.match(r.stdout, new RegExp(`\\] ${st}`));
  });
  after(cleanupLabs);

  test('status --json shows the lab up, every node present, servers running', async () => {
    const r = await cli(['status', lab, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [rep] = JSON.parse(r.stdout) as { phase: string; nodes: { name: string; present: boolean; processes: { alive: boolean }[] }[]; links: { stats: { up: boolean } }[] }[];
    assert.equal(rep?.phase, 'up');
    assert.deepEqual(rep?.nodes.map((n) => n.name), ['a', 'b', 'c', 'd']);
    assert.ok(rep?.nodes.every((n) => n.present));
    assert.ok(rep?.nodes.filter((n) => n.name === 'b' || n.name === 'c').every((n) => n.processes.length === 1 && n.processes[0]?.alive));
    assert.equal(rep?.links.length, 4);
    assert.ok(rep?.links.every((l) => l.stats.up));
  });

  test('exec runs in the node with its hostname and env, and passes the exit status', async () => {
    const h = await cli(['exec', '--lab', lab, 'a', '--', 'sh', '-c', 'echo "$(hostname) $GREETING $SY_NODE"']);
    assert.equal(h.code, 0, h.stderr);
    assert.equal(h.stdout.trim(), 'a hello a');
    assert.equal((await cli(['exec', '--lab', lab, 'a', '--', 'sh', '-c', 'exit 3'])).code, 3);
    const nope = await cli(['exec', '--lab', lab, 'zz', '--', 'true']);
    assert.equal(nope.code, 1);
    assert.match(nope.stderr, /SY_ERR_LAB_NOT_FOUND/);
  });

  test('shell: an interactive shell in the node (commands from stdin here)', async () => {
    const r = await cli(['shell', '--lab', lab, 'd'], 20_000, 'echo "in $(hostname) as $SY_NODE"\nexit 4\n');
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stdout, /in d as d/);
  });

  test('inspect: addresses as the kernel sees them, with the topology', async () => {
    const r = await cli(['inspect', '--lab', lab]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { nodes: { name: string; addresses: Record<string, string[]> }[]; topology: { name: string } };
    assert.equal(j.topology.name, lab);
    assert.deepEqual(j.nodes.find((n) => n.name === 'a')?.addresses.eth1?.sort(), ['10.1.0.1/24', 'fd01::1/64']);
  });

  test('reachability: ping and TCP across the veth cable and the lan, IPv4 and IPv6', () => {
    assert.ok(reach(lab, 'a', '10.1.0.2'), 'a → b over veth');
    assert.ok(reach(lab, 'a', 'fd01::2'), 'a → b over veth, IPv6');
    assert.ok(reach(lab, 'a', '10.2.0.3'), 'a → c over the lan');
    assert.ok(reach(lab, 'd', '10.2.0.3'), 'd → c over the lan');
    assert.ok(tcpConnect(lab, 'a', '10.1.0.2', 8080), 'TCP a → b:8080');
    assert.ok(tcpConnect(lab, 'd', '10.2.0.3', 8080), 'TCP d → c:8080');
    const http = inNode(lab, 'a', [process.execPath, '-e', `fetch('http://10.2.0.3:8080/x').then(r=>r.text()).then(t=>{console.log(t);process.exit(0)},()=>process.exit(1))`]);
    assert.match(http.out, /Hello from c/);
  });

  test('cut a veth cable: both ends down, connections fail; restore: works again (IPv6 too)', async () => {
    assert.equal((await cli(['link', 'cut', '--lab', lab, 'a:eth1', 'b:eth1'])).code, 0);
    assert.equal(reach(lab, 'a', '10.1.0.2'), false);
    assert.equal(tcpConnect(lab, 'a', '10.1.0.2', 8080), false);
    assert.match(inNode(lab, 'b', ['ip', 'link', 'show', 'eth1']).out, /state DOWN/);
    const st = JSON.parse((await cli(['link', 'show', '--lab', lab, 'b:eth1'])).stdout) as { stats: { up: boolean } };
    assert.equal(st.stats.up, false);
    assert.equal((await cli(['link', 'restore', '--lab', lab, 'b:eth1'])).code, 0);
    assert.ok(tcpConnect(lab, 'a', '10.1.0.2', 8080));
    assert.ok(reach(lab, 'a', 'fd01::2'));
  });

  test('cut a lan member: only that member is unreachable; restore brings it back', async () => {
    assert.equal((await cli(['link', 'cut', '--lab', lab, 'c:eth1'])).code, 0);
    assert.equal(tcpConnect(lab, 'a', '10.2.0.3', 8080), false);
    assert.ok(reach(lab, 'a', '10.2.0.4'), 'd still reachable');
    assert.equal((await cli(['link', 'restore', '--lab', lab, 'c:eth1', 'sw'])).code, 0);
    assert.ok(tcpConnect(lab, 'a', '10.2.0.3', 8080));
  });

  test('graph in mermaid, dot and json', async () => {
    assert.match((await cli(['graph', '--lab', lab])).stdout, /^graph LR[\s\S]*a ---\|"eth1–eth1"\| b/);
    assert.match((await cli(['graph', '--lab', lab, '--format', 'dot'])).stdout, /^graph "[^"]+" \{[\s\S]*sw \[label="sw", shape=ellipse\]/);
    const j = JSON.parse((await cli(['graph', '--lab', lab, '--format', 'json'])).stdout) as { links: unknown[] };
    assert.equal(j.links.length, 4);
  });

  test('down removes namespaces, processes, state files; root namespace untouched', async () => {
    assert.ok(labNamespaces(lab).length === 5);
    const r = await cli(['down', lab]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(labNamespaces(lab), []);
    assert.deepEqual(labProcesses(lab), []);
    assert.equal(existsSync(join(STATE_ROOT, lab)), false);
    // the lab never creates anything in the root namespace (other suites may, in parallel: look for our names)
    assert.deepEqual(rootInterfaces().filter((i) => !rootBefore.includes(i) && /^(eth\d|p\.\d|sw$)/.test(i)), []);
    assert.equal((await cli(['down', lab])).code, 1);
  });
});
