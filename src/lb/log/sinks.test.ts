// Sinks: descriptor writes (batched, bounded) and UNIX datagram sockets (koffi).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readFileSync, closeSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { getLogSink, closeLogSinks, logCounters } from './sinks.ts';

const dir = mkdtempSync(join(tmpdir(), 'sy-log-'));
after(() => { closeLogSinks(); rmSync(dir, { recursive: true, force: true }); });

const until = async (cond: () => boolean): Promise<void> => {
  const end = Date.now() + 3000;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

test('fd sink: lines arrive whole and in order, writes never block the caller', async () => {
  const f = join(dir, 'out.log');
  const fd = openSync(f, 'w');
  const sink = getLogSink({ kind: 'fd', fd });
  const sent = logCounters.sent;
  for (let i = 0; i < 1000; i++) sink.send(Buffer.from(`line ${i}\n`));
  await until(() => logCounters.sent - sent >= 1000);
  closeSync(fd);
  const lines = readFileSync(f, 'utf8').split('\n');
  assert.equal(lines.length, 1001);
  assert.equal(lines[999], 'line 999');
});

test('fd sink: a backlog beyond 1 MiB is dropped and counted', async () => {
  const fd = openSync(join(dir, 'big.log'), 'w');
  const sink = getLogSink({ kind: 'fd', fd });
  const dropped = logCounters.dropped;
  const big = Buffer.alloc(300_000, 0x61);
  for (let i = 0; i < 10; i++) sink.send(big);
  assert.ok(logCounters.dropped - dropped >= 5, 'most of 3 MB queued at once is dropped');
  await new Promise((r) => setTimeout(r, 100));
  closeSync(fd);
});

const python = spawnSync('python3', ['-c', 'import socket; socket.AF_UNIX']).status === 0;

test('UNIX datagram sink (koffi, batched sendmmsg)', { skip: python ? false : 'python3 not available to receive on a UNIX datagram socket' }, async () => {
  const path = join(dir, 'log.sock');
  const rx = spawn('python3', ['-u', '-c', `import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); print('ready', flush=True)
for i in range(2):
  sys.stdout.write(repr(s.recv(4096))+'\\n'); sys.stdout.flush()`, path]);
  let out = '';
  rx.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await until(() => out.includes('ready') && existsSync(path));
  const sink = getLogSink({ kind: 'unix', path });
  sink.send(Buffer.from('<134>hello\n'));
  sink.send(Buffer.from('<134>world\n'));
  await until(() => out.split('\n').length >= 4);
  rx.kill();
  assert.equal(out, "ready\nb'<134>hello\\n'\nb'<134>world\\n'\n");
  // No listener: counted as an error when the batch leaves (1 ms later), nothing thrown.
  const errors = logCounters.errors;
  getLogSink({ kind: 'unix', path: join(dir, 'nobody.sock') }).send(Buffer.from('x\n'));
  await until(() => logCounters.errors > errors);
  assert.equal(logCounters.errors, errors + 1);
});
