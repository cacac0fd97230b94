/**
 * A veth cable with `impairment: { rate: 40mbit }` (tbf on the sending end): a 4 MB HTTP
 * download from the demo server crosses it at 40 Mbit/s ± 15 %; `link set --rate`
 * changes it live; without a rate the same download is much faster.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP, cleanupLabs, cli, inNode, uniqueLab, writeTopo } from './lab-fixture.ts';

const lab = uniqueLab('rt');

/** Mbit/s of a 4 MB download from b to a (body only: from the response head to the end). */
function download(): number {
  const script = `let t=0;fetch('http://10.5.0.2/?size=4m').then(r=>{t=performance.now();return r.arrayBuffer()}).then(b=>{console.log(b.byteLength*8/((performance.now()-t)/1000)/1e6);process.exit(0)},()=>process.exit(1))`;
  const r = inNode(lab, 'a', [process.execPath, '-e', script], 30_000);
  assert.equal(r.code, 0, r.out);
  return Number(r.out.trim());
}

describe('veth rate limit (tbf)', { skip: SKIP ?? false }, () => {
  before(async () => {
    const r = await cli(['up', writeTopo(`name: ${lab}
nodes:
  a: { interfaces: { eth1: { ipv4: 10.5.0.1/24 } } }
  b: { kind: server, interfaces: { eth1: { ipv4: 10.5.0.2/24 } } }
links:
  - endpoints: ["a:eth1", "b:eth1"]
    impairment: { ba: { rate: 40mbit } }
`)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test('download rate within ±15% of the setting, changed live with link set', async () => {
    const m = download();
    assert.ok(m > 34 && m < 46, `40mbit cable measured ${m.toFixed(1)} Mbit/s`);
    assert.equal((await cli(['link', 'set', '--lab', lab, 'a:eth1', '--rate', '20mbit', '--dir', 'ba'])).code, 0);
    const m2 = download();
    assert.ok(m2 > 17 && m2 < 23, `20mbit cable measured ${m2.toFixed(1)} Mbit/s`);
    const bad = await cli(['link', 'set', '--lab', lab, 'a:eth1', '--delay', '20ms']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SY_ERR_LAB_IMPAIRMENT: link kind veth cannot apply delay/);
  });
});
