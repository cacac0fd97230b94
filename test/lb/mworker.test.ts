/**
 * Master-worker mode as a process tree: -W with a master CLI (-S), reloads by SIGUSR2 and
 * by `reload`, sockets kept across reloads (no refused connection), bad configurations on
 * reload, hard-stop-after, mworker-max-reloads, `@` forwarding, and clean exits. Real
 * processes, a real HTTP backend on 127.0.0.1; every process is stopped by PID.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, tempDir, type Running } from '../helpers/switchyard.ts';
import { cliCommand, waitForSocket } from '../helpers/cli.ts';

after(cleanup);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A backend answering `ok` after ?delay=ms; counts the requests it has started. */
async function backend(): Promise<{ port: number; started: () => number; close: () => void }> {
  let started = 0;
  const server = http.createServer((req, res) => {
    started++;
    const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    const t = setTimeout(() => res.end('ok\n'), delay);
    res.on('close', () => clearTimeout(t));
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => { server.closeAllConnections(); server.close(); });
  return { port: (server.address() as net.AddressInfo).port, started: () => started, close: () => server.close() };
}

function config(port: number, bePort: number, dir: string, extraGlobal = ''): string {
  return `global
  stats socket ${join(dir, 'stats.sock')} level admin
${extraGlobal}
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server s1 127.0.0.1:${bePort}
`;
}

function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface Master {
  run: Running;
  dir: string;
  cfg: string;
  msock: string;
  pidfile: string;
  port: number;
}

async function startMaster(bePort: number, extraGlobal = '', args: string[] = []): Promise<Master> {
  const dir = tempDir();
  const port = await freePort();
  const cfg = join(dir, 'test.cfg');
  writeFileSync(cfg, config(port, bePort, dir, extraGlobal));
  const msock = join(dir, 'master.sock');
  const pidfile = join(dir, 'pid');
  const run = runSwitchyard(['-W', '-S', `${msock},level,admin`, '-p', pidfile, '-f', cfg, ...args]);
  after(() => stopTree(run));
  await waitForSocket(msock, 15_000);
  await waitFor(async () => (await workers(msock)).current.length === 1, 20_000, () => run.stderr());
  return { run, dir, cfg, msock, pidfile, port };
}

/** SIGTERM to the master, then SIGKILL to whatever of its tree is left (by PID). */
async function stopTree(run: Running): Promise<void> {
  const pids = new Set<number>();
  if (run.proc.exitCode === null && run.proc.pid) {
    for (const p of childPids(run.proc.pid)) pids.add(p);
    run.proc.kill('SIGTERM');
    await Promise.race([run.exited, sleep(5000)]);
  }
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** The worker PIDs of `show proc`, current and old. */
async function workers(msock: string): Promise<{ current: number[]; old: number[]; text: string }> {
  const text = await cliCommand(msock, 'show proc');
  const current: number[] = [];
  const old: number[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) { section = line.slice(2); continue; }
    const pid = Number(line.split(/\s+/)[0]);
    if (!pid) continue;
    if (section === 'workers') current.push(pid);
    if (section === 'old workers') old.push(pid);
  }
  return { current, old, text };
}

async function waitFor(cond: () => Promise<boolean> | boolean, ms: number, why: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error(`condition not met within ${ms} ms\n${why()}`);
}

test('master starts one worker that serves; show proc, pidfile and @ forwarding', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  assert.deepEqual(await get(m.port), { status: 200, body: 'ok\n' });
  const { current, text } = await workers(m.msock);
  assert.match(text, /^#<PID> {10}<type> {10}<reloads> {7}<uptime> {8}<version>/);
  assert.match(text, new RegExp(`\\n${m.run.proc.pid} +master +0 \\[failed: 0\\] +0d00h00m\\d\\ds`));
  assert.equal(Number(readFileSync(m.pidfile, 'utf8')), m.run.proc.pid, '-p names the master');
  assert.notEqual(current[0], m.run.proc.pid);
  const info = await cliCommand(m.msock, '@1 show info');
  assert.match(info, new RegExp(`\\nPid: ${current[0]}\\n`));
  const byPid = await cliCommand(m.msock, `@!${current[0]} show info; @master show version`);
  assert.match(byPid, new RegExp(`\\nPid: ${current[0]}\\n`));
  assert.match(byPid, /\n0\.\d+\.\d+\n\n$/);
  assert.equal(await cliCommand(m.msock, '@!1 show info'), "Can't find the target PID matching the prefix '@!1'\n");
  assert.match(await cliCommand(m.msock, `@${current[0]} show info`), new RegExp(`\\nPid: ${current[0]}\\n`));
  assert.equal(await cliCommand(m.msock, '@2 show info'), "Can't find the target PID matching the prefix '@2'\n");
  assert.match(await cliCommand(m.msock, 'help'), /show proc +: /);
});

test('reload by SIGUSR2 and by the master CLI: a new worker; the old one finishes its request, then leaves', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  const w1 = (await workers(m.msock)).current[0]!;
  m.run.proc.kill('SIGUSR2');
  await waitFor(async () => { const w = await workers(m.msock); return w.current.length === 1 && w.current[0] !== w1; }, 20_000, m.run.stderr);
  const w2 = (await workers(m.msock)).current[0]!;
  await waitFor(() => !alive(w1), 10_000);
  // A long request in flight on w2 while the CLI reloads.
  const before = be.started();
  const slow = get(m.port, '/?delay=2500');
  await waitFor(() => be.started() > before, 5000);
  const answer = await cliCommand(m.msock, 'reload');
  assert.match(answer, /^Success=1\n--\n/);
  const after1 = await workers(m.msock);
  assert.equal(after1.current.length, 1);
  assert.notEqual(after1.current[0], w2);
  assert.deepEqual(after1.old, [w2], 'the previous worker is listed as old while it finishes');
  assert.match(after1.text, new RegExp(`\\n${m.run.proc.pid} +master +2 \\[failed: 0\\]`));
  assert.deepEqual(await slow, { status: 200, body: 'ok\n' });
  await waitFor(() => !alive(w2), 10_000, m.run.stderr);
  assert.match(m.run.stderr(), new RegExp(`Former worker \\(${w2}\\) exited with code 0`));
});

test('no connection is refused during a burst of reloads under a client loop', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  let ok = 0;
  const errors: string[] = [];
  let running = true;
  const loops = [0, 1, 2, 3].map(async () => {
    while (running && errors.length < 5) {
      try {
        const r = await get(m.port);
        if (r.status === 200) ok++; else errors.push(`status ${r.status}`);
      } catch (e) { errors.push((e as NodeJS.ErrnoException).code ?? String(e)); }
    }
  });
  const seen = new Set<number>();
  for (let i = 0; i < 5; i++) {
    assert.match(await cliCommand(m.msock, 'reload'), /^Success=1/);
    seen.add((await workers(m.msock)).current[0]!);
  }
  running = false;
  await Promise.all(loops);
  assert.deepEqual(errors, []);
  assert.equal(seen.size, 5, 'every reload produced a new worker');
  assert.ok(ok > 20, `requests served: ${ok}`);
});

test('a bad configuration on reload keeps the worker and reports file:line', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  const w1 = (await workers(m.msock)).current[0]!;
  const good = readFileSync(m.cfg, 'utf8');
  writeFileSync(m.cfg, `${good}  bogus-keyword here\n`);
  const answer = await cliCommand(m.msock, 'reload');
  assert.match(answer, /^Success=0\n--\n/);
  assert.match(answer, /test\.cfg:14\] : unknown keyword 'bogus-keyword'/);
  assert.match(answer, /Loading failure!/);
  assert.match(m.run.stderr(), /test\.cfg:14\] : unknown keyword 'bogus-keyword'/);
  const w = await workers(m.msock);
  assert.deepEqual(w.current, [w1]);
  assert.match(w.text, / 1 \[failed: 1\] /);
  assert.equal((await get(m.port)).status, 200);
  // SIGUSR2 with the same bad file: same outcome, reported on stderr.
  m.run.proc.kill('SIGUSR2');
  await waitFor(() => (m.run.stderr().match(/Loading failure!/g) ?? []).length === 2, 15_000, m.run.stderr);
  assert.deepEqual((await workers(m.msock)).current, [w1]);
  writeFileSync(m.cfg, good);
  assert.match(await cliCommand(m.msock, 'reload'), /^Success=1/);
  assert.match((await workers(m.msock)).text, / 3 \[failed: 0\] /);
});

test('hard-stop-after cuts an old worker stuck on a session', async () => {
  const be = await backend();
  const m = await startMaster(be.port, '  hard-stop-after 1s');
  const w1 = (await workers(m.msock)).current[0]!;
  const before = be.started();
  const t0 = Date.now();
  const slow = get(m.port, '/?delay=20000').then(() => 'answered', () => 'cut');
  await waitFor(() => be.started() > before, 5000);
  assert.match(await cliCommand(m.msock, 'reload'), /^Success=1/);
  await waitFor(() => !alive(w1), 8000, m.run.stderr);
  assert.equal(await slow, 'cut');
  assert.ok(Date.now() - t0 < 15_000);
});

test('mworker-max-reloads: an old worker past N reloads gets SIGTERM', async () => {
  const be = await backend();
  const m = await startMaster(be.port, '  mworker-max-reloads 1');
  const w1 = (await workers(m.msock)).current[0]!;
  const before = be.started();
  const slow = get(m.port, '/?delay=30000').catch(() => null);
  await waitFor(() => be.started() > before, 5000);
  assert.match(await cliCommand(m.msock, 'reload'), /^Success=1/);
  await sleep(300);
  assert.ok(alive(w1), 'one reload survived (1 is not more than 1)');
  assert.deepEqual((await workers(m.msock)).old, [w1]);
  assert.match(await cliCommand(m.msock, 'reload'), /^Success=1/);
  await waitFor(() => !alive(w1), 5000, m.run.stderr);
  assert.match(m.run.stderr(), new RegExp(`Old worker \\(${w1}\\) has lived through 2 reloads`));
  void slow;
});

test('SIGTERM stops the master and every worker; SIGINT exits 130 as HAProxy', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  const w1 = (await workers(m.msock)).current[0]!;
  m.run.proc.kill('SIGTERM');
  const r = await m.run.exited;
  assert.equal(r.code, 0);
  assert.equal(alive(w1), false, 'no worker left behind');
  const m2 = await startMaster(be.port);
  const w2 = (await workers(m2.msock)).current[0]!;
  m2.run.proc.kill('SIGINT');
  assert.equal((await m2.run.exited).code, 130);
  assert.equal(alive(w2), false);
});

test('a worker that dies is reported and the master exits with its status', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  const w1 = (await workers(m.msock)).current[0]!;
  process.kill(w1, 'SIGKILL');
  const r = await m.run.exited;
  assert.equal(r.code, 137);
  assert.match(m.run.stderr(), new RegExp(`Current worker \\(${w1}\\) exited with code 137 \\(Killed\\)`));
});

test('no-exit-on-failure: the master stays after a worker dies, and a reload brings one back', async () => {
  const be = await backend();
  const m = await startMaster(be.port, '  master-worker no-exit-on-failure');
  const w1 = (await workers(m.msock)).current[0]!;
  process.kill(w1, 'SIGKILL');
  await waitFor(async () => (await workers(m.msock)).current.length === 0, 5000);
  assert.equal(m.run.proc.exitCode, null);
  assert.match(await cliCommand(m.msock, 'reload'), /^Success=1/);
  assert.equal((await get(m.port)).status, 200);
});

test('a keep-alive connection on the old worker gets its next answer with connection: close', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  const w1 = (await workers(m.msock)).current[0]!;
  const s = net.connect(m.port, '127.0.0.1');
  let data = '';
  s.setEncoding('utf8');
  s.on('data', (d: string) => { data += d; });
  const closed = new Promise<void>((r) => s.on('close', () => r()));
  s.write('GET /one HTTP/1.1\r\nhost: x\r\n\r\n');
  await waitFor(() => data.includes('ok\n'), 5000);
  assert.doesNotMatch(data, /connection: close/i);
  assert.match(await cliCommand(m.msock, 'reload'), /^Success=1/);
  data = '';
  s.write('GET /two HTTP/1.1\r\nhost: x\r\n\r\n');
  await closed;
  assert.match(data, /^HTTP\/1\.1 200 [^]*connection: close\r\n[^]*ok\n$/i);
  await waitFor(() => !alive(w1), 5000, m.run.stderr);
});

test('a worker whose master is killed exits instead of keeping the ports', async () => {
  const be = await backend();
  const m = await startMaster(be.port);
  const w1 = (await workers(m.msock)).current[0]!;
  m.run.proc.kill('SIGKILL');
  await m.run.exited;
  await waitFor(() => !alive(w1), 5000);
});
