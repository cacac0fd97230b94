/**
 * `lab apply FILE` on a running lab: nodes, links and lan members added and removed live;
 * what did not change keeps its processes (same PIDs); a bad file changes nothing and
 * names file:line; a change that fails half-way is rolled back to the old topology.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKIP, STATE_ROOT, cleanupLabs, cli, inNode, labNamespaces, reach, tcpConnect, uniqueLab, writeTopo } from './lab-fixture.ts';

const lab = uniqueLab('ap');
const h1 = (ifs: string): string => `  h1: { interfaces: { eth1: { ipv4: 10.61.0.1/24 }${ifs} } }`;
const h2 = `  h2: { kind: server, port: 8080, interfaces: { eth1: { ipv4: 10.61.0.2/24 } } }`;
const v1 = `
name: ${lab}
nodes:
${h1(', eth3: { ipv4: 10.63.0.1/24 }')}
${h2}
  h9: { interfaces: { eth1: { ipv4: 10.63.0.9/24 } } }
links:
  - endpoints: ["h1:eth1", "h2:eth1"]
  - endpoints: ["h1:eth3", "h9:eth1"]
`;
const v2Body = `
nodes:
${h1(', eth2: { ipv4: 10.62.0.1/24 }, eth4: { ipv4: 10.64.0.1/24 }')}
${h2}
  h3:
    kind: server
    port: 8080
    interfaces: { eth1: { ipv4: 10.62.0.3/24 }, eth2: { ipv4: 10.64.0.3/24 } }
lans:
  sw: { members: ["h1:eth4", "h3:eth2"] }
links:
  - endpoints: ["h1:eth1", "h2:eth1"]
  - endpoints: ["h1:eth2", "h3:eth1"]
`;
const v2 = `name: ${lab}\n${v2Body}`;

type Report = { phase: string; nodes: { name: string; processes: { label: string; pid: number; alive: boolean }[] }[]; links: { id: string; stats: { up: boolean } | null }[] };
async function status(): Promise<Report> {
  const r = await cli(['status', lab, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Report[])[0] as Report;
}
const pidOf = (r: Report, node: string): number | undefined => r.nodes.find((n) => n.name === node)?.processes.find((p) => p.alive)?.pid;
const topoFile = (): string => readFileSync(join(STATE_ROOT, lab, 'topology.json'), 'utf8');

describe('lab apply', { skip: SKIP ?? false, timeout: 90_000 }, () => {
  before(async () => {
    const r = await cli(['up', '-q', writeTopo(v1)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test('add a node, a link and a lan, remove a node: live, unchanged nodes keep their processes', async () => {
    const before = await status();
    const h2pid = pidOf(before, 'h2');
    assert.ok(h2pid);
    assert.ok(reach(lab, 'h1', '10.63.0.9'));
    const r = await cli(['apply', writeTopo(v2)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /-node h9/);
    assert.match(r.stdout, /\+node h3/);
    assert.match(r.stdout, /\+link h1:eth2~h3:eth1/);
    const afterSt = await status();
    assert.equal(afterSt.phase, 'up');
    assert.deepEqual(afterSt.nodes.map((n) => n.name), ['h1', 'h2', 'h3']);
    assert.equal(pidOf(afterSt, 'h2'), h2pid, 'h2 kept its server process');
    assert.ok(pidOf(afterSt, 'h3'), 'h3 runs its server');
    assert.ok(afterSt.links.every((l) => l.stats?.up), JSON.stringify(afterSt.links));
    assert.ok(tcpConnect(lab, 'h1', '10.61.0.2', 8080), 'h1 → h2 still');
    assert.ok(tcpConnect(lab, 'h1', '10.62.0.3', 8080), 'h1 → h3 over the new cable');
    assert.ok(reach(lab, 'h1', '10.64.0.3'), 'h1 → h3 over the new lan');
    assert.equal(labNamespaces(lab).includes(`sy-${lab}-h9`), false, 'h9 is gone');
    assert.notEqual(inNode(lab, 'h1', ['ip', 'link', 'show', 'eth3']).code, 0, "h1's cable to h9 is gone");
    const again = await cli(['apply', writeTopo(v2)]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to change/);
  });

  test('an impairment change is set live: same cable, same counters', async () => {
    const before = JSON.parse((await cli(['link', 'show', '--lab', lab, 'h1:eth1'])).stdout) as { stats: { a: { txPackets: number } } };
    const r = await cli(['apply', writeTopo(v2.replace('  - endpoints: ["h1:eth1", "h2:eth1"]\n', '  - endpoints: ["h1:eth1", "h2:eth1"]\n    impairment: { rate: 20mbit }\n'))]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /: ~impairment h1:eth1~h2:eth1$/m);
    assert.match(inNode(lab, 'h1', ['tc', 'qdisc', 'show', 'dev', 'eth1']).out, /tbf .*rate 20Mbit/);
    const after = JSON.parse((await cli(['link', 'show', '--lab', lab, 'h1:eth1'])).stdout) as { stats: { a: { txPackets: number } } };
    assert.ok(after.stats.a.txPackets >= before.stats.a.txPackets, 'the veth pair was not recreated');
  });

  test('a bad file: every error with file:line, nothing changed', async () => {
    const saved = topoFile();
    const bad = writeTopo(`name: ${lab}\n${v2Body}  - endpoints: ["h1:eth9", "nope:eth1"]\n    kind: warp\n`);
    const r = await cli(['apply', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: SY_ERR_LAB_UNKNOWN_KIND`));
    assert.match(r.stderr, /:\d+:\d+: SY_ERR_LAB_REFERENCE: endpoint 'nope:eth1'/);
    assert.equal(topoFile(), saved);
  });

  test('a change that fails half-way is rolled back: removed lan back, new node gone', async () => {
    const st0 = await status();
    const v3 = `
name: ${lab}
nodes:
${h1(', eth2: { ipv4: 10.62.0.1/24 }, eth5: { ipv4: 10.65.0.1/24 }')}
${h2}
  h3:
    kind: server
    port: 8080
    interfaces: { eth1: { ipv4: 10.62.0.3/24 } }
  h5:
    exec: ["exit 7"]
    interfaces: { eth1: { ipv4: 10.65.0.5/24 } }
links:
  - endpoints: ["h1:eth1", "h2:eth1"]
  - endpoints: ["h1:eth2", "h3:eth1"]
  - endpoints: ["h1:eth5", "h5:eth1"]
`;
    const r = await cli(['apply', writeTopo(v3)]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /SY_ERR_LAB_APPLY/);
    assert.match(r.stderr, /rolled back/);
    const st1 = await status();
    assert.deepEqual(st1.nodes.map((n) => n.name), ['h1', 'h2', 'h3']);
    assert.deepEqual(st1.links.map((l) => l.id).sort(), st0.links.map((l) => l.id).sort());
    assert.equal(pidOf(st1, 'h2'), pidOf(st0, 'h2'), 'h2 untouched');
    assert.equal(labNamespaces(lab).includes(`sy-${lab}-h5`), false, 'h5 removed');
    assert.ok(reach(lab, 'h1', '10.64.0.3'), 'lan sw is back');
    assert.ok(tcpConnect(lab, 'h1', '10.62.0.3', 8080), 'h3 reachable');
    assert.match(inNode(lab, 'h1', ['tc', 'qdisc', 'show', 'dev', 'eth1']).out, /tbf .*rate 20Mbit/, 'the rate set before is set back');
  });

  test('down leaves nothing', async () => {
    assert.equal((await cli(['down', lab])).code, 0);
    assert.deepEqual(labNamespaces(lab), []);
  });
});
