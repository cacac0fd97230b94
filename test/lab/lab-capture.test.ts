/**
 * `lab capture` without tcpdump: a raw AF_PACKET socket in the node for veth (and lan)
 * ends, the relay's own capture for sock cable ends. Ping across while capturing, parse
 * the pcap here and find the ICMP echo request/reply frames; stop by Ctrl-C (SIGINT),
 * by --count and by --duration; nothing is left running afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readPcap } from '../../src/lab/links/sock/pcap.ts';
import { BIN, SKIP, STATE_ROOT, cleanupLabs, cli, inNode, uniqueLab, writeTopo } from './lab-fixture.ts';

const lab = uniqueLab('cap');
const out = mkdtempSync(join(tmpdir(), 'sy-cap-'));
const topo = `
name: ${lab}
nodes:
  h1: { interfaces: { eth1: { ipv4: 10.9.0.1/24 }, eth2: { ipv4: 10.9.1.1/24 }, eth3: { ipv4: 10.9.2.1/24 } } }
  h2: { interfaces: { eth1: { ipv4: 10.9.0.2/24 } } }
  h3: { interfaces: { eth1: { ipv4: 10.9.1.3/24 } } }
  h4: { interfaces: { eth1: { ipv4: 10.9.2.4/24 } } }
lans:
  sw: { members: ["h1:eth3", "h4:eth1"] }
links:
  - endpoints: ["h1:eth1", "h2:eth1"]
  - endpoints: ["h1:eth2", "h3:eth1"]
    kind: sock
`;

type Icmp = { type: number; src: string; dst: string };
/** ICMP frames of a pcap: Ethernet II → IPv4 → ICMP. */
function icmpFrames(file: string): { total: number; icmp: Icmp[] } {
  const { linktype, frames } = readPcap(readFileSync(file));
  assert.equal(linktype, 1, 'LINKTYPE_ETHERNET');
  const icmp: Icmp[] = [];
  for (const f of frames) {
    if (f.length < 34 || f.readUInt16BE(12) !== 0x0800 || f[23] !== 1) continue;
    const ihl = ((f[14] ?? 0) & 0x0f) * 4;
    icmp.push({ type: f[14 + ihl] ?? -1, src: [...f.subarray(26, 30)].join('.'), dst: [...f.subarray(30, 34)].join('.') });
  }
  return { total: frames.length, icmp };
}

/** Start `lab capture` in the background; resolves once it says it is capturing. */
function startCapture(args: string[]): Promise<{ done: Promise<{ code: number; stdout: string; stderr: string }>; pid: number; kill: (s: NodeJS.Signals) => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['lab', 'capture', '--lab', lab, ...args], { env: { ...process.env, SWITCHYARD_LAB_DIR: STATE_ROOT }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const done = new Promise<{ code: number; stdout: string; stderr: string }>((res) => child.on('close', (code) => { clearTimeout(t); res({ code: code ?? -1, stdout, stderr }); }));
    child.stdout.on('data', (b: Buffer) => {
      stdout += b;
      if (stdout.includes('capturing ')) resolve({ done, pid: child.pid ?? 0, kill: (s) => void child.kill(s) });
    });
    child.stderr.on('data', (b: Buffer) => { stderr += b; });
    void done.then((r) => reject(new Error(`capture ended before it started: ${r.stderr}${r.stdout}`)));
  });
}

/** Processes whose argv carries this lab's capture tag. */
function captureHelpers(): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(`--sy-capture=${lab}`)) pids.push(Number(e));
    } catch { /* gone */ }
  }
  return pids;
}

describe('lab capture', { skip: SKIP ?? false, timeout: 60_000 }, () => {
  before(async () => {
    const r = await cli(['up', '-q', writeTopo(topo)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test('veth end, raw socket in the node: ping frames in the pcap, Ctrl-C stops cleanly', async () => {
    const file = join(out, 'veth.pcap');
    const cap = await startCapture(['h1:eth1', '-w', file]);
    assert.equal(captureHelpers().length, 1, 'one helper while capturing');
    assert.equal(inNode(lab, 'h1', ['ping', '-c3', '-i0.1', '-W1', '10.9.0.2']).code, 0);
    cap.kill('SIGINT');
    const r = await cap.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\d+ frames written/);
    const { icmp } = icmpFrames(file);
    assert.equal(icmp.filter((f) => f.type === 8 && f.src === '10.9.0.1' && f.dst === '10.9.0.2').length, 3, 'echo requests');
    assert.equal(icmp.filter((f) => f.type === 0 && f.src === '10.9.0.2' && f.dst === '10.9.0.1').length, 3, 'echo replies');
    assert.deepEqual(captureHelpers(), [], 'helper gone');
  });

  test('--count N: exactly N frames, then it stops by itself', async () => {
    const file = join(out, 'count.pcap');
    const cap = await startCapture(['h2:eth1', '-w', file, '--count', '4']);
    inNode(lab, 'h1', ['ping', '-c4', '-i0.1', '-W1', '10.9.0.2']);
    const r = await cap.done;
    assert.equal(r.code, 0, r.stderr);
    const { total, icmp } = icmpFrames(file);
    assert.equal(total, 4);
    assert.ok(icmp.length >= 2, `ICMP among the 4 frames (${icmp.length})`);
    assert.deepEqual(captureHelpers(), []);
  });

  test('--duration on a lan member (raw socket): stops by itself', async () => {
    const file = join(out, 'lan.pcap');
    const t0 = Date.now();
    const cap = await startCapture(['h4:eth1', '-w', file, '--duration', '800ms']);
    inNode(lab, 'h1', ['ping', '-c2', '-i0.1', '-W1', '10.9.2.4']);
    const r = await cap.done;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(icmpFrames(file).icmp.filter((f) => f.type === 8).length, 2);
  });

  test('sock cable end: the relay writes the capture; --count trims to N', async () => {
    const file = join(out, 'sock.pcap');
    const cap = await startCapture(['h3:eth1', '-w', file, '--count', '6']);
    inNode(lab, 'h1', ['ping', '-c5', '-i0.1', '-W1', '10.9.1.3']);
    const r = await cap.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /6 frames written/);
    const { total, icmp } = icmpFrames(file);
    assert.equal(total, 6);
    assert.ok(icmp.some((f) => f.type === 8 && f.dst === '10.9.1.3') && icmp.some((f) => f.type === 0 && f.src === '10.9.1.3'));
    const show = JSON.parse((await cli(['link', 'show', '--lab', lab, 'h3:eth1'])).stdout) as { stats: { extra: { capture: string | null } } };
    assert.equal(show.stats.extra.capture, null, 'relay capture stopped');
  });

  test('kill -9 of the CLI: the helper in the node dies with it (PDEATHSIG)', async () => {
    const cap = await startCapture(['h1:eth1', '-w', join(out, 'killed.pcap')]);
    assert.equal(captureHelpers().length, 1);
    cap.kill('SIGKILL');
    await cap.done;
    const t0 = Date.now();
    while (captureHelpers().length && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(captureHelpers(), []);
  });

  test('kill -9 of the CLI during a relay capture: the relay stops it by itself', async () => {
    const cap = await startCapture(['h3:eth1', '-w', join(out, 'killed-sock.pcap')]);
    const captured = async (): Promise<string | null> => (JSON.parse((await cli(['link', 'show', '--lab', lab, 'h3:eth1'])).stdout) as { stats: { extra: { capture: string | null } } }).stats.extra.capture;
    assert.match((await captured()) ?? '', /killed-sock\.pcap$/);
    cap.kill('SIGKILL');
    await cap.done;
    const t0 = Date.now();
    while ((await captured()) !== null && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await captured(), null);
  });

  test('unknown interface: SY_ERR_LAB_NOT_FOUND', async () => {
    const r = await cli(['capture', '--lab', lab, 'h1:eth9', '-w', join(out, 'x.pcap')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SY_ERR_LAB_NOT_FOUND/);
  });
});
