/**
 * Shared conformance suite: every registered node kind, with its own `example` options,
 * must (1) resolve without errors, (2) come up as a namespace with loopback up, its
 * interface addressed and reachable, (3) run commands under its own hostname with SY_LAB /
 * SY_NODE set, (4) keep every process it started inside its namespace, tagged and
 * logging to the lab directory, and (5) leave nothing behind after `down`.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { stringify } from 'yaml';
import { SKIP, cleanupLabs, labNamespaces, labProcesses, reach, uniqueLab, writeTopo } from '../../../test/lab/lab-fixture.ts';
import { labDown } from '../ops/down.ts';
import { labUp } from '../ops/up.ts';
import { nodeCommand, readProcRecords, isAlive } from '../sys/procs.ts';
import { LabState } from '../sys/state.ts';
import { nodeKinds } from './registry.ts';

describe('node kind conformance', { skip: SKIP ?? false }, () => {
  after(cleanupLabs);
  for (const kind of nodeKinds()) {
    test(`kind ${kind.name}`, async () => {
      const lab = uniqueLab('nk');
      const topo = {
        name: lab,
        nodes: {
          n: { kind: kind.name, ...kind.example, interfaces: { eth1: { ipv4: '10.7.0.1/24' } } },
          peer: { interfaces: { eth1: { ipv4: '10.7.0.2/24' } } },
        },
        links: [{ endpoints: ['n:eth1', 'peer:eth1'] }],
      };
      await labUp(writeTopo(stringify(topo)));
      try {
        const ns = `sy-${lab}-n`;
        assert.ok(existsSync(`/run/netns/${ns}`));
        assert.match(spawnSync('ip', ['-n', ns, 'link', 'show', 'lo'], { encoding: 'utf8' }).stdout, /[<,]UP[,>]/);
        assert.ok(reach(lab, 'peer', '10.7.0.1'), 'reachable from its peer');
        const cmd = nodeCommand(ns, 'n', ['sh', '-c', 'echo "$(hostname)"']);
        assert.equal(spawnSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8' }).stdout.trim(), 'n');
        const state = new LabState(lab);
        const procs = readProcRecords(state.path('procs.jsonl'));
        const nsLink = readlinkSync(`/proc/self/ns/net`);
        for (const p of procs) {
          assert.ok(isAlive(p), `${p.label} alive`);
          assert.notEqual(readlinkSync(`/proc/${p.pid}/ns/net`), nsLink, 'not in the root namespace');
          assert.ok(existsSync(p.log), 'logs to the lab directory');
          assert.ok(p.log.startsWith(state.dir));
        }
        assert.deepEqual(labProcesses(lab).sort(), procs.map((p) => p.pid).sort(), 'every tagged process is recorded');
      } finally {
        await labDown(lab);
      }
      assert.deepEqual(labNamespaces(lab), []);
      assert.deepEqual(labProcesses(lab), []);
    });
  }
});
