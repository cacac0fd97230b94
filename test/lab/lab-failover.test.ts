/**
 * Health-checked failover inside the lab (examples/lab/balancer-three-servers.yaml: every
 * server `check inter 200ms fall 2 rise 2`): cut the cable of s2 → the balancer logs
 * "Server servers/s2 is DOWN" → client traffic goes to s1 and s3 only, without a single
 * error; restore → "is UP" → s2 serves again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKIP, STATE_ROOT, cleanupLabs, cli, exampleAs, labNamespaces, uniqueLab } from './lab-fixture.ts';

const lab = uniqueLab('fo');
type Load = { requests: number; errors: number; statuses: Record<string, number>; servedBy: Record<string, number> };

const lbLog = (): string => { try { return readFileSync(join(STATE_ROOT, lab, 'logs', 'lb.switchyard.log'), 'utf8'); } catch { return ''; } };

/** ms until the balancer's log shows `re` (beyond what it held at call time), or throw. */
async function waitLog(re: RegExp, timeoutMs: number): Promise<{ ms: number; line: string }> {
  const start = lbLog().length;
  const t0 = Date.now();
  for (;;) {
    const m = re.exec(lbLog().slice(start));
    if (m) return { ms: Date.now() - t0, line: m[0] };
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${re} in the balancer log after ${timeoutMs} ms:\n${lbLog().slice(start)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function load(n: number): Promise<Load> {
  const r = await cli(['exec', '--lab', lab, 'client', '--', 'sy-load', 'http://10.0.1.1/', '-c', '2', '-n', String(n), '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as Load;
}

describe('health-checked failover in the lab', { skip: SKIP ?? false, timeout: 60_000 }, () => {
  before(async () => {
    const r = await cli(['up', '-q', exampleAs('balancer-three-servers.yaml', lab)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test('cut s2 → DOWN → traffic on s1 and s3 without errors; restore → UP → s2 serves', async () => {
    const first = await load(30);
    assert.deepEqual(Object.entries(first.servedBy).sort(), [['s1', 10], ['s2', 10], ['s3', 10]]);

    const down = waitLog(/Server servers\/s2 is DOWN[^\n]*/, 8000);
    assert.equal((await cli(['link', 'cut', '--lab', lab, 's2:eth1'])).code, 0);
    const d = await down;
    console.log(`# s2 DOWN ${d.ms} ms after the cut command returned: ${d.line}`);

    const during = await load(40);
    assert.equal(during.errors, 0, JSON.stringify(during));
    assert.deepEqual(during.statuses, { 200: 40 });
    assert.equal(during.servedBy.s2, undefined, 's2 gets nothing');
    assert.deepEqual(Object.entries(during.servedBy).sort(), [['s1', 20], ['s3', 20]]);

    const up = waitLog(/Server servers\/s2 is UP[^\n]*/, 8000);
    assert.equal((await cli(['link', 'restore', '--lab', lab, 's2:eth1'])).code, 0);
    const u = await up;
    console.log(`# s2 UP ${u.ms} ms after the restore command returned`);
    const back = await load(30);
    assert.equal(back.errors, 0);
    assert.deepEqual(Object.entries(back.servedBy).sort(), [['s1', 10], ['s2', 10], ['s3', 10]]);
  });

  test('down leaves nothing', async () => {
    assert.equal((await cli(['down', lab])).code, 0);
    assert.deepEqual(labNamespaces(lab), []);
  });
});
