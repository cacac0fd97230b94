/**
 * The example "balancer with three servers behind a switch" end to end: HTTP from the
 * client node through Switchyard (running in its own node) to three demo servers on a
 * lan; round robin spreads 30 requests 10/10/10; the demo server's query parameters
 * (status, size, delay) pass through the balancer; a live cut of one server's cable moves
 * the traffic to the others (before the health checks notice: connect timeout, retry,
 * redispatch; lab-failover.test.ts covers the checks themselves), and restoring it brings
 * the server back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP, cleanupLabs, cli, exampleAs, labNamespaces, uniqueLab } from './lab-fixture.ts';

const lab = uniqueLab('lb');

type Load = { requests: number; errors: number; statuses: Record<string, number>; servedBy: Record<string, number> };

describe('example balancer-three-servers', { skip: SKIP ?? false }, () => {
  before(async () => {
    const r = await cli(['up', exampleAs('balancer-three-servers.yaml', lab)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test('client → balancer → s1 s2 s3 in turn', async () => {
    const r = await cli(['exec', '--lab', lab, 'client', '--', 'sy-load', 'http://10.0.1.1/', '-c', '1', '-n', '30', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const load = JSON.parse(r.stdout) as Load;
    assert.equal(load.requests, 30);
    assert.equal(load.errors, 0);
    assert.deepEqual(load.statuses, { 200: 30 });
    assert.deepEqual(Object.entries(load.servedBy).sort(), [['s1', 10], ['s2', 10], ['s3', 10]]);
  });

  test('demo server misbehaves on request, through the balancer', async () => {
    const script = `
      const go = async (q) => { const t = Date.now(); const r = await fetch('http://10.0.1.1/' + q); const b = await r.arrayBuffer(); return [r.status, b.byteLength, Date.now() - t, r.headers.get('x-served-by')]; };
      const out = [await go('?status=503'), await go('?size=10000'), await go('?delay=300ms')];
      console.log(JSON.stringify(out));`;
    const r = await cli(['exec', '--lab', lab, 'client', '--', process.execPath, '-e', script]);
    assert.equal(r.code, 0, r.stderr);
    const [s503, big, slow] = JSON.parse(r.stdout) as [number, number, number, string][];
    assert.equal(s503?.[0], 503);
    assert.equal(big?.[1], 10000);
    assert.ok((slow?.[2] ?? 0) >= 290, `delay honoured (${slow?.[2]} ms)`);
    assert.match(slow?.[3] ?? '', /^s[123]$/);
  });

  test('live cut of s2: traffic moves to s1 and s3 (retry + redispatch); restore: s2 serves again', async () => {
    assert.equal((await cli(['link', 'cut', '--lab', lab, 's2:eth1'])).code, 0);
    const cut = JSON.parse((await cli(['exec', '--lab', lab, 'client', '--', 'sy-load', 'http://10.0.1.1/', '-c', '1', '-n', '4', '--json'])).stdout) as Load;
    // requests that picked s2 wait for the connect timeout, then are redispatched (the
    // exact count of successes is the balancer's retry policy, not the lab's business)
    assert.equal(cut.servedBy.s2, undefined, 's2 is unreachable');
    assert.ok((cut.servedBy.s1 ?? 0) + (cut.servedBy.s3 ?? 0) >= 2, `s1 and s3 carry the traffic: ${JSON.stringify(cut)}`);
    assert.equal((await cli(['link', 'restore', '--lab', lab, 's2:eth1'])).code, 0);
    // s2 is back once its health check passes twice (rise 2, inter 200ms)
    let back: Load | null = null;
    for (let i = 0; i < 10 && !(back?.servedBy.s2); i++) {
      if (i) await new Promise((r) => setTimeout(r, 300));
      back = JSON.parse((await cli(['exec', '--lab', lab, 'client', '--', 'sy-load', 'http://10.0.1.1/', '-c', '1', '-n', '6', '--json'])).stdout) as Load;
    }
    assert.ok((back?.servedBy.s2 ?? 0) >= 1, 's2 answers again');
  });

  test('down leaves nothing', async () => {
    assert.equal((await cli(['down', lab])).code, 0);
    assert.deepEqual(labNamespaces(lab), []);
  });
});
