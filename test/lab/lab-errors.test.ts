/**
 * Bad topologies through the real CLI: exit 1, one `file:line:col: CODE: …` line per
 * mistake, and nothing created (no namespace, no state directory). Also refusals that
 * come after resolve but before creation: a lab that is already up, a namespace name
 * that belongs to someone else.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SKIP, STATE_ROOT, cleanupLabs, cli, labNamespaces, uniqueLab, writeTopo } from './lab-fixture.ts';

describe('lab up refuses bad input before creating anything', { skip: SKIP ?? false }, () => {
  after(cleanupLabs);

  test('each mistake named with file:line and what is allowed; nothing created', async () => {
    const lab = uniqueLab('er');
    const file = writeTopo(`name: ${lab}
nodes:
  a:
    kind: vm
    interfaces:
      eth1: { ipv4: 10.0.0.1/33 }
  b:
    interfaces:
      eth1: { ipv4: 10.0.0.2/24, mac: "zz" }
links:
  - endpoints: ["a:eth1", "b:eth1"]
    impairment: { loss: 1% }
  - endpoints: ["b:eth2", "c:eth1"]
`);
    const r = await cli(['up', file]);
    assert.equal(r.code, 1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith(file));
    const got = lines.map((l) => /:(\d+):\d+: (SY_ERR_LAB_\w+):/.exec(l)?.slice(1, 3).join(' '));
    assert.deepEqual(got, ['4 SY_ERR_LAB_UNKNOWN_KIND', '6 SY_ERR_LAB_ADDRESS', '9 SY_ERR_LAB_ADDRESS', '12 SY_ERR_LAB_IMPAIRMENT', '13 SY_ERR_LAB_REFERENCE']);
    assert.match(r.stderr, /known: host, server, balancer, client/);
    assert.match(r.stderr, /not within \/0 and \/32/);
    assert.match(r.stderr, /kinds that can|no registered link kind can/);
    assert.deepEqual(labNamespaces(lab), []);
    assert.equal(existsSync(join(STATE_ROOT, lab)), false);
  });

  test('lab names on the command line are checked (state paths are deleted recursively)', async () => {
    for (const verb of [['clean', '../..'], ['down', '../x'], ['status', 'a/b']]) {
      const r = await cli(verb);
      assert.equal(r.code, 1, verb.join(' '));
      assert.match(r.stderr, /SY_ERR_LAB_NAME/);
    }
  });

  test('unreadable file and YAML syntax errors', async () => {
    const r = await cli(['up', '/nonexistent/topo.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/nonexistent\/topo\.yaml:1:1: SY_ERR_LAB_READ: cannot read topology file \(ENOENT\)/);
    const f = writeTopo('name: x\nnodes:\n  a: [\n');
    const r2 = await cli(['up', f]);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /SY_ERR_LAB_YAML/);
  });

  test('a namespace that exists already is not ours: refused, and left alone', async () => {
    const lab = uniqueLab('ex');
    execFileSync('ip', ['netns', 'add', `sy-${lab}-a`]);
    try {
      const r = await cli(['up', writeTopo(`name: ${lab}\nnodes:\n  a: {}\n  b: {}\n`)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /SY_ERR_LAB_EXISTS: network namespace sy-\w+-a already exists/);
      assert.deepEqual(labNamespaces(lab), [`sy-${lab}-a`]);
      assert.equal(existsSync(join(STATE_ROOT, lab)), false);
    } finally {
      execFileSync('ip', ['netns', 'del', `sy-${lab}-a`]);
    }
  });

  test('a lab that is up cannot be brought up twice; a failing exec rolls everything back', async () => {
    const lab = uniqueLab('tw');
    const f = writeTopo(`name: ${lab}\nnodes:\n  a: {}\n`);
    assert.equal((await cli(['up', f])).code, 0);
    const r = await cli(['up', f]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SY_ERR_LAB_EXISTS: lab \w+ is already up/);
    assert.equal((await cli(['down', lab])).code, 0);

    const lab2 = uniqueLab('rb');
    const r2 = await cli(['up', writeTopo(`name: ${lab2}
nodes:
  s: { kind: server, interfaces: { eth1: { ipv4: 10.0.0.1/24 } } }
  b:
    depends_on: [s]
    interfaces: { eth1: { ipv4: 10.0.0.2/24 } }
    exec: ["echo about to fail", "exit 7"]
links:
  - endpoints: ["s:eth1", "b:eth1"]
`)]);
    assert.equal(r2.code, 1);
    assert.match(r2.stdout, /rolling back/);
    assert.match(r2.stderr, /SY_ERR_LAB_PROCESS: node b: exec command #2 failed \(exit 7\): exit 7[\s\S]*about to fail/);
    assert.deepEqual(labNamespaces(lab2), []);
    assert.equal(existsSync(join(STATE_ROOT, lab2)), false);
  });

  test('a kernel refusal mid-way (unreachable gateway) names the namespace and rolls back', async () => {
    const lab = uniqueLab('gw');
    const r = await cli(['up', writeTopo(`name: ${lab}
nodes:
  a:
    interfaces: { eth1: { ipv4: 10.0.0.1/24 } }
    routes: [{ to: 10.50.0.0/16, via: 192.168.77.1 }]
  b: { interfaces: { eth1: { ipv4: 10.0.0.2/24 } } }
links:
  - endpoints: ["a:eth1", "b:eth1"]
`)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`SY_ERR_LAB_SYSTEM: configuring namespaces failed in 1 namespace:\\n  sy-${lab}-a .*(unreachable|invalid gateway)`, 'i'));
    assert.match(r.stdout, /rolling back/);
    assert.deepEqual(labNamespaces(lab), []);
    assert.equal(existsSync(join(STATE_ROOT, lab)), false);
  });
});
