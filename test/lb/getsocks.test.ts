/**
 * Socket transfer between processes (`stats socket … expose-fd listeners`, `_getsocks`,
 * `-x <socket>`): refused without expose-fd, reloads under a stream of short connections
 * with none refused or reset, a clear fatal error when the old process cannot be reached,
 * and the same wire format as HAProxy 2.6 in both directions (skipped without haproxy).
 * Real processes and sockets on 127.0.0.1; every process is stopped by its PID.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, tempDir, type Running } from '../helpers/switchyard.ts';
import { cliCommand, waitForSocket } from '../helpers/cli.ts';
import { fetchOldSockets } from '../../src/lb/cli/getsocks.ts';
import { closeFd } from '../../src/lb/mworker/fd-passing.ts';

const HAPROXY = '/usr/sbin/haproxy';
const haproxies = new Set<ChildProcess>();
after(async () => {
  for (const p of haproxies) if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
  await cleanup();
});

/** A TCP backend answering `ok\n` to every connection, then closing. */
async function okServer(): Promise<number> {
  const server = net.createServer((s) => { s.on('error', () => s.destroy()); s.end('ok\n'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  after(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

function config(dir: string, port: number, bePort: number, exposeFd = true): string {
  return `global
  stats socket ${join(dir, 'admin.sock')} level admin${exposeFd ? ' expose-fd listeners' : ''}
  stats socket ${join(dir, 'plain.sock')} level admin
defaults
  mode tcp
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:${port}
  bind ${join(dir, 'fe.sock')}
  default_backend be
backend be
  server s1 127.0.0.1:${bePort}
`;
}

function exitOf(p: ChildProcess): Promise<number | null> {
  return p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once('exit', (code) => r(code)));
}

/** Resolves when the process with `pid` has exited (bounded). */
async function gone(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
}

/**
 * Many short connections in parallel until stop(): each must be answered `ok\n`. Counts
 * answered connections and failures by kind (ECONNREFUSED, ECONNRESET, a close with a
 * wrong or missing answer).
 */
function hammer(port: number, parallel = 16): { stop: () => Promise<{ ok: number; failures: Record<string, number> }> } {
  let running = true;
  let ok = 0;
  const failures: Record<string, number> = {};
  const once = (): Promise<void> => new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    let failed: string | null = null;
    s.setEncoding('utf8');
    s.setTimeout(10_000, () => { failed = 'timeout'; s.destroy(); });
    s.on('data', (d: string) => { data += d; });
    s.on('error', (e: NodeJS.ErrnoException) => { failed = e.code ?? e.message; });
    s.on('close', () => {
      if (failed === null && data !== 'ok\n') failed = `answer ${JSON.stringify(data)}`;
      if (failed === null) ok++;
      else failures[failed] = (failures[failed] ?? 0) + 1;
      resolve();
    });
  });
  const loops = Array.from({ length: parallel }, async () => { while (running) await once(); });
  return {
    stop: async () => { running = false; await Promise.all(loops); return { ok, failures }; },
  };
}

async function startSwitchyard(cfg: string, dir: string, args: string[] = []): Promise<Running> {
  const r = runSwitchyard(['-db', '-f', cfg, ...args]);
  await Promise.race([
    waitForSocket(join(dir, 'admin.sock'), 30_000),
    r.exited.then(({ code }) => { throw new Error(`switchyard exited (${code}): ${r.stderr()}`); }),
  ]);
  return r;
}

/**
 * Reloads `count` times under load: each new process is started with `-sf <old>` (and
 * `-x <admin.sock>` when `transfer`), and the next reload waits until the old one is gone.
 */
async function reloadLoop(count: number, transfer: boolean): Promise<{ ok: number; failures: Record<string, number>; took: string[] }> {
  const dir = tempDir();
  const port = await freePort();
  const cfg = join(dir, 'sy.cfg');
  writeFileSync(cfg, config(dir, port, await okServer()));
  let cur = await startSwitchyard(cfg, dir);
  const load = hammer(port);
  const took: string[] = [];
  let error: unknown;
  try {
    for (let i = 0; i < count; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const oldPid = cur.proc.pid!;
      const args = transfer ? ['-x', join(dir, 'admin.sock'), '-sf', String(oldPid)] : ['-sf', String(oldPid)];
      const next = runSwitchyard(['-db', '-f', cfg, ...args]);
      await gone(oldPid);
      // The old process leaves only once the new one listens and signalled it.
      assert.equal(next.proc.exitCode, null, next.stderr());
      took.push(/took \d+ of the \d+ listening sockets/.exec(next.stderr())?.[0] ?? '');
      cur = next;
    }
    await new Promise((r) => setTimeout(r, 150));
  } catch (e) {
    error = e;
  }
  const result = await load.stop();
  process.kill(cur.proc.pid!, 'SIGTERM');
  await cur.exited;
  if (error) throw error;
  return { ...result, took };
}

test('_getsocks is refused (empty answer, closed) on a stats socket without expose-fd listeners', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'sy.cfg');
  writeFileSync(cfg, config(dir, await freePort(), await okServer()));
  const r = await startSwitchyard(cfg, dir);
  assert.equal(await cliCommand(join(dir, 'plain.sock'), '_getsocks'), '');
  // The same socket still serves ordinary commands.
  assert.match(await cliCommand(join(dir, 'plain.sock'), 'show cli level'), /admin/);
  // On the expose-fd socket: every listener (two binds, two stats sockets), with addresses.
  const got = fetchOldSockets(join(dir, 'admin.sock'));
  try {
    assert.equal(got.length, 4);
    assert.ok(got.every((s) => s.stream && s.namespace === '' && s.iface === ''));
    const names = got.map((s) => (s.name?.family === 'unix' ? s.name.path.replace(/\.\d+\.tmp$/, '') : `${s.name?.family}`)).sort();
    assert.deepEqual(names, ['inet', join(dir, 'admin.sock'), join(dir, 'fe.sock'), join(dir, 'plain.sock')].sort());
  } finally {
    for (const s of got) closeFd(s.fd);
  }
  process.kill(r.proc.pid!, 'SIGTERM');
  await r.exited;
});

test('reloads with -x and -sf under a stream of short connections: none refused or reset', async (t) => {
  const res = await reloadLoop(5, true);
  t.diagnostic(`with -x: ${res.ok} connections answered, failures ${JSON.stringify(res.failures)}`);
  assert.deepEqual(res.failures, {});
  assert.ok(res.ok > 100, `only ${res.ok} connections went through`);
  assert.deepEqual(res.took, new Array(5).fill('took 4 of the 4 listening sockets'));
});

test('a master-worker master (-W) started with -x takes the sockets and hands them to its worker', async (t) => {
  const dir = tempDir();
  const port = await freePort();
  const cfg = join(dir, 'sy.cfg');
  writeFileSync(cfg, config(dir, port, await okServer()));
  const old = await startSwitchyard(cfg, dir);
  const load = hammer(port);
  await new Promise((r) => setTimeout(r, 150));
  const master = runSwitchyard(['-W', '-db', '-f', cfg, '-x', join(dir, 'admin.sock'), '-sf', String(old.proc.pid)]);
  let error: unknown;
  try {
    await gone(old.proc.pid!);
    assert.match(master.stderr(), /took 4 of the 4 listening sockets/);
    await new Promise((r) => setTimeout(r, 150));
  } catch (e) {
    error = e;
  }
  const res = await load.stop();
  process.kill(master.proc.pid!, 'SIGTERM');
  await master.exited;
  if (error) throw error;
  t.diagnostic(`to master-worker: ${res.ok} answered, failures ${JSON.stringify(res.failures)}`);
  assert.deepEqual(res.failures, {});
});

test('the reload without -x, for comparison (measured, not asserted)', async (t) => {
  const res = await reloadLoop(3, false);
  t.diagnostic(`without -x: ${res.ok} connections answered, failures ${JSON.stringify(res.failures)}`);
  assert.ok(res.ok > 0);
});

test('-x on a missing socket, a plain file or a socket without expose-fd: exit 1 naming the path (-W: binds anyway)', async () => {
  const dir = tempDir();
  const port = await freePort();
  const cfg = join(dir, 'sy.cfg');
  writeFileSync(cfg, config(dir, port, await okServer(), false));
  const missing = join(dir, 'nothere.sock');
  let r = runSwitchyard(['-db', '-f', cfg, '-x', missing]);
  assert.equal((await r.exited).code, 1);
  assert.match(r.stderr(), new RegExp(`Failed to connect to the old process socket '${missing}' \\(ENOENT\\)`));
  assert.match(r.stderr(), /Failed to get the sockets from the old process/);
  // A path that is no socket: the same, with the reason.
  const plain = join(dir, 'plain.txt');
  writeFileSync(plain, '');
  r = runSwitchyard(['-db', '-f', cfg, '-x', plain]);
  assert.equal((await r.exited).code, 1);
  assert.match(r.stderr(), new RegExp(`Failed to connect to the old process socket '${plain}' \\(ECONNREFUSED\\)`));
  // Nothing was bound: the port is still free.
  await new Promise<void>((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
  // An old process whose socket lacks expose-fd answers nothing: fatal too.
  const old = await startSwitchyard(cfg, dir);
  const dir2 = tempDir();
  const cfg2 = join(dir2, 'sy.cfg');
  writeFileSync(cfg2, config(dir2, await freePort(), 1, false));
  r = runSwitchyard(['-db', '-f', cfg2, '-x', join(dir, 'admin.sock')]);
  assert.equal((await r.exited).code, 1);
  assert.match(r.stderr(), /Failed to get the number of sockets to be transferred/);
  assert.match(r.stderr(), new RegExp(`expose-fd listeners.*'${join(dir, 'admin.sock')}'`));
  process.kill(old.proc.pid!, 'SIGTERM');
  await old.exited;
  // -x /dev/null means "no old process" (HAProxy's convention): binds normally.
  const dn = runSwitchyard(['-db', '-f', cfg, '-x', '/dev/null']);
  await waitForSocket(join(dir, 'admin.sock'), 30_000);
  process.kill(dn.proc.pid!, 'SIGTERM');
  await dn.exited;
  // A master-worker master reports the failure and binds as usual (HAProxy's master does).
  const mw = runSwitchyard(['-W', '-db', '-f', cfg, '-x', missing]);
  await waitForSocket(join(dir, 'admin.sock'), 30_000);
  assert.match(mw.stderr(), /Failed to get the sockets from the old process/);
  process.kill(mw.proc.pid!, 'SIGTERM');
  await mw.exited;
});

function haproxy(cfg: string, args: string[]): ChildProcess & { out: () => string } {
  const p = spawn(HAPROXY, ['-db', '-f', cfg, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  haproxies.add(p);
  p.on('exit', () => haproxies.delete(p));
  let out = '';
  p.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return Object.assign(p, { out: () => out });
}

test('HAProxy 2.6 → Switchyard → HAProxy 2.6 under load, by _getsocks: none refused or reset', { skip: existsSync(HAPROXY) ? false : 'haproxy is not installed' }, async (t) => {
  const dir = tempDir();
  const port = await freePort();
  const cfg = join(dir, 'both.cfg');
  writeFileSync(cfg, config(dir, port, await okServer()));
  const sock = join(dir, 'admin.sock');
  const h1 = haproxy(cfg, []);
  await waitForSocket(sock, 10_000);
  const load = hammer(port);
  await new Promise((r) => setTimeout(r, 200));
  // Switchyard takes the sockets of a running HAProxy.
  const sy = runSwitchyard(['-db', '-f', cfg, '-x', sock, '-sf', String(h1.pid)]);
  assert.equal(await exitOf(h1), 0, h1.out());
  assert.match(sy.stderr(), /took 4 of the 4 listening sockets/);
  await new Promise((r) => setTimeout(r, 300));
  // And HAProxy takes them back from Switchyard.
  const h2 = haproxy(cfg, ['-x', sock, '-sf', String(sy.proc.pid)]);
  await sy.exited;
  assert.equal(h2.exitCode, null, h2.out());
  await new Promise((r) => setTimeout(r, 300));
  const res = await load.stop();
  t.diagnostic(`haproxy → switchyard → haproxy: ${res.ok} answered, failures ${JSON.stringify(res.failures)}`);
  assert.deepEqual(res.failures, {});
  assert.ok(res.ok > 50, `only ${res.ok} connections went through`);
  process.kill(h2.pid!, 'SIGTERM');
  await exitOf(h2);
});
