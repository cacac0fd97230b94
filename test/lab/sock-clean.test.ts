/**
 * sock cable lifecycle and crash safety: one relay per lab carries several cables;
 * after `kill -9` of the relay the TAPs are gone by themselves and `cleanSockCables`
 * removes the files; destroying the last cable stops the relay and leaves nothing; a
 * cable whose namespace disappears is dropped (and the relay exits if it was the last).
 * Asserted by listing interfaces, processes and files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { makePair, skipReason, ip } from './sock-fixture.ts';
import { cleanSockCables, createSockCable, listSockCables } from '../../src/lab/links/sock/index.ts';

const skip = skipReason();

/** Alive and not a zombie (the relay is our child here until libuv reaps it). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 300 && alive(pid); i++) await sleep(10);
}

/** PIDs of processes tagged as the relay of this lab. */
function relaysOf(lab: string): string[] {
  return readdirSync('/proc').filter((d) => {
    if (!/^\d+$/.test(d)) return false;
    try {
      return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(`--sy-sock=${lab}`);
    } catch {
      return false;
    }
  });
}

test('kill -9 of the relay, then clean: no TAP, no process, no file', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const pair = await makePair();
  try {
    const pid = pair.cable.pid;
    assert.deepEqual(relaysOf(pair.lab), [String(pid)]);
    assert.match(ip('-n', pair.nsA, 'link', 'show'), /eth1/);
    process.kill(pid, 'SIGKILL');
    await waitGone(pid);
    // The thread group's fds (hence the TAPs) are released when its last thread exits,
    // which can trail the leader's zombie state by a moment.
    const anyTap = (): boolean => /eth1/.test(ip('-n', pair.nsA, 'link', 'show') + ip('-n', pair.nsB, 'link', 'show'));
    for (let i = 0; i < 200 && anyTap(); i++) await sleep(10);
    assert.doesNotMatch(ip('-n', pair.nsA, 'link', 'show'), /eth1/, 'TAP a vanished with the relay');
    assert.doesNotMatch(ip('-n', pair.nsB, 'link', 'show'), /eth1/, 'TAP b vanished with the relay');
    assert.doesNotMatch(ip('link', 'show'), /sys[0-9a-z]+[ab][:@]/, 'no transient TAP left in the root namespace');
    assert.ok(existsSync(`${pair.stateDir}/sock/relay.pid`), 'stale pidfile before clean');
    assert.deepEqual(await cleanSockCables(pair.stateDir), { stoppedPid: null });
    assert.equal(existsSync(`${pair.stateDir}/sock`), false, 'state files removed');
    assert.deepEqual(relaysOf(pair.lab), []);
  } finally {
    await pair.dispose();
  }
});

test('one relay carries several cables; the last destroy stops it and leaves nothing', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const pair = await makePair();
  try {
    const second = await createSockCable({
      stateDir: pair.stateDir,
      lab: pair.lab,
      name: 'c2',
      a: { netns: pair.nsA, ifname: 'eth2' },
      b: { netns: pair.nsB, ifname: 'eth2' },
    });
    assert.equal(second.pid, pair.cable.pid, 'same relay');
    assert.deepEqual((await listSockCables(pair.stateDir)).sort(), ['c1', 'c2']);
    await pair.cable.destroy();
    assert.doesNotMatch(ip('-n', pair.nsA, 'link', 'show'), /eth1/);
    assert.match(ip('-n', pair.nsA, 'link', 'show'), /eth2/);
    assert.ok(alive(second.pid), 'relay still carries c2');
    await second.destroy();
    await second.destroy(); // idempotent
    assert.equal(alive(second.pid), false);
    assert.doesNotMatch(ip('-n', pair.nsB, 'link', 'show'), /eth2/);
    assert.equal(existsSync(`${pair.stateDir}/sock`), false, 'no file left');
  } finally {
    await pair.dispose();
  }
});

test('clean stops a live relay and removes its TAPs', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const pair = await makePair();
  try {
    const pid = pair.cable.pid;
    assert.deepEqual(await cleanSockCables(pair.stateDir), { stoppedPid: pid });
    assert.equal(alive(pid), false);
    assert.doesNotMatch(ip('-n', pair.nsA, 'link', 'show'), /eth1/);
    assert.equal(existsSync(`${pair.stateDir}/sock`), false);
  } finally {
    await pair.dispose();
  }
});

test('a deleted namespace drops its cable; the relay exits with its last cable', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const pair = await makePair();
  try {
    const pid = pair.cable.pid;
    ip('netns', 'del', pair.nsB);
    await waitGone(pid);
    assert.equal(alive(pid), false, 'relay exited');
    assert.doesNotMatch(ip('-n', pair.nsA, 'link', 'show'), /eth1/);
    assert.equal(existsSync(`${pair.stateDir}/sock`), false);
    await pair.cable.destroy(); // nothing left to do, no error
  } finally {
    await pair.dispose();
  }
});

test('parallel creates in a fresh state dir share one relay', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const pair = await makePair();
  try {
    await pair.cable.destroy();
    const mk = (i: number): ReturnType<typeof createSockCable> =>
      createSockCable({ stateDir: pair.stateDir, lab: pair.lab, name: `p${i}`, a: { netns: pair.nsA, ifname: `p${i}` }, b: { netns: pair.nsB, ifname: `p${i}` } });
    const cables = await Promise.all([mk(1), mk(2), mk(3)]);
    assert.equal(new Set(cables.map((c) => c.pid)).size, 1, 'one relay');
    assert.equal(relaysOf(pair.lab).length, 1);
    for (const c of cables) await c.destroy();
    assert.deepEqual(relaysOf(pair.lab), []);
  } finally {
    await pair.dispose();
  }
});
