/**
 * Reachability across a chain of switches (linear-100's shape, at 12 to stay fast):
 * hosts h1…h12 each on its own lan, lans joined lan-to-lan by cables; h1 reaches h12
 * through 12 bridges (ping and TCP), and cutting a trunk in the middle splits the chain.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP, cleanupLabs, cli, reach, tcpConnect, uniqueLab, writeTopo } from './lab-fixture.ts';

const N = 12;
const lab = uniqueLab('ch');

describe(`a chain of ${N} switches`, { skip: SKIP ?? false }, () => {
  before(async () => {
    const lines = [`name: ${lab}`, 'nodes:'];
    for (let i = 1; i <= N; i++) lines.push(`  h${i}: { ${i === N ? 'kind: server, ' : ''}interfaces: { eth0: { ipv4: 10.3.0.${i}/24 } } }`);
    lines.push('lans:');
    for (let i = 1; i <= N; i++) lines.push(`  s${i}: { members: ["h${i}:eth0"] }`);
    lines.push('links:');
    for (let i = 1; i < N; i++) lines.push(`  - endpoints: [s${i}, s${i + 1}]`);
    const r = await cli(['up', writeTopo(lines.join('\n') + '\n')]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(cleanupLabs);

  test(`h1 reaches h${N} end to end; a cut trunk splits the chain`, async () => {
    assert.ok(reach(lab, 'h1', `10.3.0.${N}`));
    assert.ok(tcpConnect(lab, 'h1', `10.3.0.${N}`, 80));
    assert.equal((await cli(['link', 'cut', '--lab', lab, 's6', 's7'])).code, 0);
    assert.equal(tcpConnect(lab, 'h1', `10.3.0.${N}`, 80), false);
    assert.ok(reach(lab, 'h1', '10.3.0.6'), 'the near half still works');
    assert.equal((await cli(['link', 'restore', '--lab', lab, 's6', 's7'])).code, 0);
    assert.ok(tcpConnect(lab, 'h1', `10.3.0.${N}`, 80));
    assert.equal((await cli(['down', lab])).code, 0);
  });
});
