/**
 * sock cable, basics: reachability (ping, TCP), counters, MAC, pcap capture, cut/restore
 * with carrier seen at both ends, attach from another handle, input errors by code.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePair, skipReason, ping, ip, nsRun, IP_B, type Pair } from './sock-fixture.ts';
import { attach, createSockCable, readPcap } from '../../src/lab/links/sock/index.ts';

const skip = skipReason();
let pair: Pair;

before(async () => {
  if (!skip) pair = await makePair();
});
after(async () => {
  await pair?.dispose();
});

test('ping across a sock cable, counted per direction', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const before = await pair.cable.stats();
  const r = await ping(pair.nsA, IP_B, 20, 0.01);
  assert.equal(r.received, 20);
  const s = await pair.cable.stats();
  assert.ok(s.ab.rxFrames - before.ab.rxFrames >= 20, 'a→b frames counted');
  assert.ok(s.ba.txFrames - before.ba.txFrames >= 20, 'b→a frames counted');
  assert.ok(s.ab.txBytes - before.ab.txBytes >= 20 * 98, 'bytes counted (ICMP 98-byte frames)');
  assert.deepEqual(s.ab.drops, { loss: 0, queue: 0, cut: 0, error: 0 });
  assert.match(ip('-n', pair.nsA, 'link', 'show', 'eth1'), /02:77:00:00:00:01/);
});

test('TCP across a sock cable', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const port = 7000 + Math.floor(Math.random() * 1000);
  const server = `require('net').createServer(s=>{s.pipe(s);s.on('close',()=>process.exit(0))}).listen(${port},'${IP_B}');setTimeout(()=>process.exit(1),8000)`;
  const srv = nsRun(pair.nsB, [process.execPath, '-e', server], 10_000);
  const client = `
    const net=require('net');const want=Buffer.alloc(1<<20,7);let got=0;
    const tryc=(n)=>{const c=net.connect(${port},'${IP_B}',()=>c.end(want));
      c.on('data',d=>got+=d.length);c.on('end',()=>{console.log('echoed',got);process.exit(0)});
      c.on('error',e=>n>0?setTimeout(()=>tryc(n-1),100):(console.log(e.message),process.exit(1)))};tryc(30);`;
  const r = await nsRun(pair.nsA, [process.execPath, '-e', client], 10_000);
  assert.match(r.out, /echoed 1048576/, r.out + r.err);
  await srv;
});

test('capture writes a classic pcap of delivered frames', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const file = join(pair.stateDir, 'cap.pcap');
  await pair.cable.capture(file);
  assert.equal((await pair.cable.stats()).capture, file);
  await ping(pair.nsA, IP_B, 5, 0.01);
  await pair.cable.capture(null);
  const { linktype, frames } = readPcap(readFileSync(file));
  assert.equal(linktype, 1);
  const icmp = frames.filter((f) => f.readUInt16BE(12) === 0x0800 && f[23] === 1);
  assert.ok(icmp.length >= 10, `10 ICMP frames (5 requests + 5 replies), got ${icmp.length}`);
});

test('cut: no traffic and NO-CARRIER at both ends; restore: traffic again', { skip: skip ?? false, timeout: 20_000 }, async () => {
  await pair.cable.cut();
  assert.match(ip('-n', pair.nsA, 'link', 'show', 'eth1'), /NO-CARRIER/);
  assert.match(ip('-n', pair.nsB, 'link', 'show', 'eth1'), /NO-CARRIER/);
  assert.equal((await pair.cable.stats()).up, false);
  const during = await ping(pair.nsA, IP_B, 5, 0.05);
  assert.equal(during.received, 0);
  await pair.cable.restore();
  assert.doesNotMatch(ip('-n', pair.nsA, 'link', 'show', 'eth1'), /NO-CARRIER/);
  assert.doesNotMatch(ip('-n', pair.nsB, 'link', 'show', 'eth1'), /NO-CARRIER/);
  const afterR = await ping(pair.nsA, IP_B, 5, 0.05);
  assert.equal(afterR.received, 5);
});

test('attach reaches the cable from its control socket; bad input fails by code', { skip: skip ?? false, timeout: 20_000 }, async () => {
  const other = await attach(pair.cable.controlPath, 'c1');
  await assert.rejects(attach(pair.cable.controlPath, 'nope'), { code: 'SY_ERR_SOCK_NAME' });
  assert.equal(other.name, 'c1');
  assert.equal(other.pid, pair.cable.pid);
  const s = await other.set('ba', { delay: 1 });
  assert.deepEqual(s.ba.impairment, { delay: 1 });
  await other.set('ba', {});
  await assert.rejects(other.set('ab', { loss: 150 }), { code: 'SY_ERR_SOCK_IMPAIRMENT' });
  await assert.rejects(other.set('ab', { lossy: 1 } as never), { code: 'SY_ERR_SOCK_IMPAIRMENT' });
  await assert.rejects(
    createSockCable({ stateDir: pair.stateDir, lab: pair.lab, name: 'c1', a: { netns: pair.nsA, ifname: 'eth2' }, b: { netns: pair.nsB, ifname: 'eth2' } }),
    { code: 'SY_ERR_SOCK_NAME' },
  );
  await assert.rejects(
    createSockCable({ stateDir: pair.stateDir, lab: pair.lab, name: 'c2', a: { netns: pair.nsA, ifname: 'eth1' }, b: { netns: pair.nsB, ifname: 'eth2' } }),
    { code: 'SY_ERR_SOCK_TAP' },
    'ifname already taken in the namespace',
  );
  await assert.rejects(
    createSockCable({ stateDir: pair.stateDir, lab: pair.lab, name: 'c3', a: { netns: pair.nsA, ifname: 'this-name-is-too-long' }, b: { netns: pair.nsB, ifname: 'eth2' } }),
    { code: 'SY_ERR_SOCK_NAME' },
  );
  assert.match(ip('-n', pair.nsB, 'link', 'show'), /eth1/);
  assert.doesNotMatch(ip('-n', pair.nsB, 'link', 'show'), /eth2/, 'failed create left nothing');
});
