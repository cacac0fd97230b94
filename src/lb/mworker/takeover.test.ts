/**
 * Matching received sockets to a configuration's addresses (-x): by address, whatever
 * spelling the bind line uses; UNIX paths without the temporary-name suffix; sockets with
 * a namespace or an interface, datagram sockets and duplicates stay unclaimed; and the
 * `expose-fd listeners` keyword of `stats socket`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigFiles } from '../config/parser.ts';
import { matchTransferred } from './takeover.ts';
import type { TransferredSocket } from '../cli/getsocks.ts';

const dir = mkdtempSync(join(tmpdir(), 'sy-takeover-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function parse(text: string): ReturnType<typeof parseConfigFiles> {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(f, text);
  return parseConfigFiles([f], {});
}

const sock = (fd: number, name: TransferredSocket['name'], extra: Partial<TransferredSocket> = {}): TransferredSocket =>
  ({ fd, name, stream: true, namespace: '', iface: '', ...extra });

test('received sockets pair with bind lines and stats sockets by address', () => {
  const p = parse(`global
  stats socket ${dir}/admin.sock level admin expose-fd listeners
frontend fe
  mode tcp
  bind 127.0.0.1:8001-8002
  bind [0:0:0:0:0:0:0:1]:8003
  bind :8004
  bind ${dir}/fe.sock
  default_backend be
backend be
  server s 127.0.0.1:9
`);
  assert.ok(p.ok, JSON.stringify(p.diagnostics));
  assert.equal(p.config.global.statsSockets[0]!.exposeFd, true);
  const { adopted, unused } = matchTransferred(p.config, [
    sock(10, { family: 'inet', address: '127.0.0.1', port: 8002 }),
    sock(11, { family: 'inet6', address: '::1', port: 8003 }),
    sock(12, { family: 'inet', address: '0.0.0.0', port: 8004 }),
    // Bound under a temporary name, then renamed (HAProxy and Switchyard both do).
    sock(13, { family: 'unix', path: `${dir}/fe.sock.4242.tmp` }),
    sock(14, { family: 'unix', path: `${dir}/admin.sock` }),
    // Not ours: another port, a namespace, an interface, a datagram socket, a duplicate.
    sock(20, { family: 'inet', address: '127.0.0.1', port: 8999 }),
    sock(21, { family: 'inet', address: '127.0.0.1', port: 8001 }, { namespace: 'blue' }),
    sock(22, { family: 'inet', address: '127.0.0.1', port: 8001 }, { iface: 'eth0' }),
    sock(23, { family: 'inet', address: '127.0.0.1', port: 8001 }, { stream: false }),
    sock(24, { family: 'inet', address: '127.0.0.1', port: 8002 }),
    sock(25, null),
  ]);
  assert.deepEqual([...adopted].sort(), [
    ['inet 127.0.0.1:8002', 10],
    ['inet 0.0.0.0:8004', 12],
    ['inet [0:0:0:0:0:0:0:1]:8003', 11],
    [`unix ${dir}/admin.sock`, 14],
    [`unix ${dir}/fe.sock`, 13],
  ].sort());
  assert.deepEqual(unused.sort((a, b) => a - b), [20, 21, 22, 23, 24, 25]);
});

test("'expose-fd' accepts only 'listeners'", () => {
  const p = parse(`global
  stats socket ${dir}/a.sock expose-fd everything
`);
  assert.equal(p.ok, false);
  assert.ok(p.diagnostics.some((d) => d.code === 'SY_ERR_CFG_ARG' && /expose-fd/.test(d.message)), JSON.stringify(p.diagnostics));
});
