/**
 * `kill -9` of the CLI in the middle of `up` (and of some of the lab's processes), then
 * `clean`: nothing of the lab may be left — asserted by listing namespaces, processes
 * (by their SY_LAB tag), root-namespace interfaces and the state directory.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, SKIP, STATE_ROOT, cleanupLabs, cli, labNamespaces, labProcesses, rootInterfaces, uniqueLab, writeTopo } from './lab-fixture.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sock relays of a lab, by the tag in their argv (`--sy-sock=<lab>…`). */
function relayPids(lab: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((e) => {
    try {
      return readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').some((a) => a === `--sy-sock=${lab}` || a.startsWith(`--sy-sock=${lab}/`));
    } catch {
      return false;
    }
  }).map(Number);
}

describe('kill -9 mid-up, then clean', { skip: SKIP ?? false }, () => {
  after(cleanupLabs);

  test('zero namespaces, interfaces, processes and files left', async () => {
    const lab = uniqueLab('k9');
    const rootBefore = rootInterfaces();
    // a chain of servers started one after another, so `up` spends a while in `start`
    const file = writeTopo(`name: ${lab}
nodes:
  s1: { kind: server, interfaces: { eth1: { ipv4: 10.9.0.1/24 } } }
  s2: { kind: server, depends_on: [s1], interfaces: { eth1: { ipv4: 10.9.0.2/24 } } }
  s3: { kind: server, depends_on: [s2], interfaces: { eth1: { ipv4: 10.9.0.3/24 } } }
  s4: { kind: server, depends_on: [s3], interfaces: { eth1: { ipv4: 10.9.0.4/24 } } }
  h5: { depends_on: [s4], exec: ["sleep 30"] }
lans:
  sw: { members: ["s1:eth1", "s2:eth1", "s3:eth1", "s4:eth1"] }
`);
    const child = spawn(BIN, ['lab', 'up', file], { env: { ...process.env, SWITCHYARD_LAB_DIR: STATE_ROOT }, stdio: 'ignore' });
    const procs = join(STATE_ROOT, lab, 'procs.jsonl');
    const deadline = Date.now() + 30_000;
    // wait until two processes were started (the lab is half built), then kill -9 the CLI
    while (Date.now() < deadline) {
      if (existsSync(procs) && readFileSync(procs, 'utf8').trim().split('\n').length >= 2) break;
      await sleep(20);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(labNamespaces(lab).length >= 5, 'the lab was half built');
    const running = labProcesses(lab);
    assert.ok(running.length >= 1, 'some of its processes are running');
    // kill -9 of "everything": the first process too (clean must cope with a dead pid)
    process.kill(running[0] as number, 'SIGKILL');

    const r = await cli(['clean', lab]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`lab ${lab}: removed 6 namespaces`));
    assert.deepEqual(labNamespaces(lab), []);
    assert.deepEqual(labProcesses(lab), []);
    assert.equal(existsSync(join(STATE_ROOT, lab)), false);
    assert.deepEqual(rootInterfaces().filter((i) => !rootBefore.includes(i) && /^(eth\d|p\.\d|sw$)/.test(i)), []);
    // and clean again: nothing to do
    assert.match((await cli(['clean', lab])).stdout, /nothing to clean/);
  });

  test('with sock cables too: kill -9 of the CLI and of the relay, then clean', async () => {
    const lab = uniqueLab('ks');
    const file = writeTopo(`name: ${lab}
nodes:
  a: { interfaces: { eth1: { ipv4: 10.9.1.1/24 } } }
  s1: { kind: server, interfaces: { eth1: { ipv4: 10.9.1.2/24 } } }
  s2: { kind: server, depends_on: [s1], interfaces: { eth1: { ipv4: 10.9.1.3/24 } } }
lans:
  sw: { members: ["s1:eth1", "s2:eth1"] }
links:
  - endpoints: ["a:eth1", "sw"]
    kind: sock
    impairment: { delay: 5ms }
`);
    const child = spawn(BIN, ['lab', 'up', file], { env: { ...process.env, SWITCHYARD_LAB_DIR: STATE_ROOT }, stdio: 'ignore' });
    const procs = join(STATE_ROOT, lab, 'procs.jsonl');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(existsSync(procs) && readFileSync(procs, 'utf8').trim())) await sleep(20);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const relays = relayPids(lab);
    assert.ok(relays.length >= 1, 'a sock relay runs');
    for (const p of relays) process.kill(p, 'SIGKILL');
    const r = await cli(['clean', lab]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(labNamespaces(lab), []);
    assert.deepEqual(labProcesses(lab), []);
    assert.deepEqual(relayPids(lab), []);
    assert.equal(existsSync(join(STATE_ROOT, lab)), false);
  });

  test('a lab whose CLI was killed is reported as leftovers by up, clean makes room', async () => {
    const lab = uniqueLab('lo');
    const file = writeTopo(`name: ${lab}\nnodes:\n  a: { exec: ["sleep 30"] }\n`);
    const child = spawn(BIN, ['lab', 'up', file], { env: { ...process.env, SWITCHYARD_LAB_DIR: STATE_ROOT }, stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && labProcesses(lab).length === 0) await sleep(20);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const r = await cli(['up', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SY_ERR_LAB_EXISTS: .*leftovers of an interrupted run.*lab clean/);
    assert.equal((await cli(['clean'])).code, 1, 'clean needs a name or --all');
    assert.equal((await cli(['clean', '--all'])).code, 0);
    assert.deepEqual(labNamespaces(lab), []);
    assert.deepEqual(labProcesses(lab), []);
  });
});
