/**
 * The master-worker pieces that need no process: `show proc`'s layout (HAProxy 2.6's
 * columns, checked against haproxy 2.6.12's own output), the -S syntax, and the global
 * keywords `master-worker`, `hard-stop-after`, `mworker-max-reloads` (codes and lines).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatShowProc, procUptime } from './master-cli.ts';
import { parseMasterCliSpec } from './master.ts';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import { VERSION } from '../../shared/version.ts';

test('show proc: HAProxy 2.6 columns, current workers then old ones', () => {
  const t0 = 1_000_000;
  const out = formatShowProc(
    { pid: 10807, reloads: 3, failed: 1, startedAt: t0 },
    [{ pid: 12642, reloads: 0, startedAt: t0 + 50_000, old: false }, { pid: 12237, reloads: 2, startedAt: t0 + 10_000, old: true }],
    t0 + 93_784_000,
  );
  const v = VERSION.padEnd(15);
  assert.equal(out, [
    '#<PID>          <type>          <reloads>       <uptime>        <version>      ',
    `10807           master          3 [failed: 1]   1d02h03m04s     ${v}`,
    '# workers',
    `12642           worker          0               1d02h02m14s     ${v}`,
    '# old workers',
    `12237           worker          2               1d02h02m54s     ${v}`,
    '# programs',
    '',
  ].join('\n'));
  assert.equal(procUptime(7_999), '0d00h00m07s');
  assert.doesNotMatch(formatShowProc({ pid: 1, reloads: 0, failed: 0, startedAt: 0 }, [], 0), /old workers/);
});

test('-S: path, ipv4:port or fd@N, then mode/level options after commas', () => {
  assert.deepEqual(parseMasterCliSpec('/run/m.sock,mode,600,level,operator'), { addr: { kind: 'unix', path: '/run/m.sock' }, mode: 0o600, level: 'operator' });
  assert.equal(parseMasterCliSpec('fd@7').addr.kind, 'fd');
  assert.equal(parseMasterCliSpec('127.0.0.1:9999').level, 'admin');
  assert.equal(parseMasterCliSpec('relative.sock').addr.kind, 'unix');
  for (const bad of ['/m.sock,level,root', '/m.sock,mode', '/m.sock,bogus,1', '127.0.0.1:1-2']) {
    assert.throws(() => parseMasterCliSpec(bad), (e: { code?: string }) => e.code === 'SY_ERR_RUN_MASTER_CLI', bad);
  }
});

function parseGlobal(...lines: string[]): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', `global\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  return ctx;
}

test('global master-worker, hard-stop-after, mworker-max-reloads', () => {
  const ok = parseGlobal('master-worker no-exit-on-failure', 'hard-stop-after 30s', 'mworker-max-reloads 5');
  assert.deepEqual(ok.diagnostics.filter((d) => d.severity === 'alert'), []);
  assert.deepEqual(ok.config.global.masterWorker, { noExitOnFailure: true });
  assert.equal(ok.config.global.hardStopAfter, 30_000);
  assert.equal(ok.config.global.mworkerMaxReloads, 5);
  assert.deepEqual(parseGlobal('master-worker').config.global.masterWorker, { noExitOnFailure: false });
  const bad = parseGlobal('master-worker foo', 'hard-stop-after', 'hard-stop-after 10x', 'mworker-max-reloads -1', 'mworker-max-reloads abc', 'mworker-max-reloads 3 4');
  assert.deepEqual(bad.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.where?.line} ${d.code}`),
    ['2 SY_ERR_CFG_ARG', '3 SY_ERR_CFG_ARG', '4 SY_ERR_CFG_ARG', '5 SY_ERR_CFG_ARG', '6 SY_ERR_CFG_ARG', '7 SY_ERR_CFG_ARG']);
});
