/**
 * examples/lab/wan.yaml: client —sock WAN (50 ms, 1% loss each way)— balancer — servers.
 * The RTT measured through the cable is the configured 2 × 50 ms within a few ms, and
 * HTTP through the WAN and the balancer gets answers from every server, no errors (TCP
 * retransmits what the WAN loses).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HAS_PING, SKIP, cleanupLabs, cli, exampleAs, inNode, labNamespaces, uniqueLab } from './lab-fixture.ts';

const lab = uniqueLab('wan');
type Load = { requests: number; errors: number; statuses: Record<string, number>; servedBy: Record<string, number>; p50ms: number };

/** RTTs (ms) of TCP handshakes client → lb:80, measured in the client node. */
function tcpRtts(n: number): number[] {
  const script = `const net=require('net');(async()=>{const out=[];for(let i=0;i<${n};i++){const t=process.hrtime.bigint();await new Promise((res)=>{const s=net.connect(80,'10.0.1.1',()=>{out.push(Number(process.hrtime.bigint()-t)/1e6);s.destroy();res();});s.on('error',res);});}console.log(JSON.stringify(out));})();`;
  const r = inNode(lab, 'client', [process.execPath, '-e', script], 20_000);
  return JSON.parse(r.out) as number[];
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };

describe('example wan', { skip: SKIP ?? false, timeout: 60_000 }, () => {
  before(async () => {
    const r = await cli(['up', '-q', exampleAs('wan.yaml', lab)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test('RTT through the WAN cable ≈ 100 ms', () => {
    let rtts: number[];
    if (HAS_PING) {
      const r = inNode(lab, 'client', ['ping', '-c', '30', '-i', '0.1', '-W', '1', '10.0.1.1'], 20_000);
      rtts = [...r.out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
    } else rtts = tcpRtts(20);
    assert.ok(rtts.length >= 20, `most probes answered (${rtts.length}/30; 1% loss each way)`);
    const med = median(rtts);
    const min = Math.min(...rtts);
    console.log(`# wan RTT: min ${min.toFixed(2)} ms, median ${med.toFixed(2)} ms over ${rtts.length} probes`);
    assert.ok(min >= 99.5, `no probe faster than the delay (min ${min})`);
    assert.ok(Math.abs(med - 100) <= 4, `median RTT ${med} ms within 100 ± 4 ms`);
  });

  test('HTTP through the WAN and the balancer: every server answers, no errors', async () => {
    const r = await cli(['exec', '--lab', lab, 'client', '--', 'sy-load', 'http://10.0.1.1/', '-c', '4', '-n', '60', '-d', '20', '--json'], 40_000);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const load = JSON.parse(r.stdout) as Load;
    console.log(`# wan HTTP: ${load.requests} requests, p50 ${load.p50ms} ms, ${JSON.stringify(load.servedBy)}`);
    assert.equal(load.requests, 60);
    assert.equal(load.errors, 0);
    assert.deepEqual(load.statuses, { 200: 60 });
    assert.deepEqual(Object.keys(load.servedBy).sort(), ['s1', 's2', 's3']);
    assert.ok(load.p50ms >= 99, `each request crosses the WAN (p50 ${load.p50ms} ms)`);
  });

  test('down leaves nothing', async () => {
    assert.equal((await cli(['down', lab])).code, 0);
    assert.deepEqual(labNamespaces(lab), []);
  });
});
