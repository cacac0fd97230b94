/**
 * The `_getsocks` exchange itself, both ends in this process: the serving end on a Node
 * UNIX socket (as the CLI runs it), the receiving end in a worker thread (it blocks, as at
 * start-up). More descriptors than one message carries (253), so the acknowledgement between
 * messages is exercised; listening sockets keep their addresses across.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { serveGetsocks, MAX_SEND_FD } from './getsocks.ts';
import { handleFd } from '../core/bind.ts';

/** Runs fetchOldSockets(path) in a worker thread; resolves with what it saw (fds closed there). */
function fetchInWorker(path: string): Promise<{ count: number; names: unknown[]; error?: string }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.mod).then(async ({ fetchOldSockets }) => {
      const { closeFd } = await import(workerData.fdmod);
      try {
        const got = fetchOldSockets(workerData.path);
        parentPort.postMessage({ count: got.length, names: got.map((s) => s.name).filter(Boolean) });
        for (const s of got) closeFd(s.fd);
      } catch (e) { parentPort.postMessage({ count: -1, names: [], error: e.message }); }
    });`;
  const w = new Worker(code, {
    eval: true,
    workerData: { path, mod: new URL('./getsocks.ts', import.meta.url).href, fdmod: new URL('../mworker/fd-passing.ts', import.meta.url).href },
  });
  return new Promise((resolve, reject) => {
    w.once('message', (m) => { void w.terminate(); resolve(m); });
    w.once('error', reject);
  });
}

test(`more than ${MAX_SEND_FD} descriptors go in several messages, each acknowledged`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-getsocks-'));
  const files = Array.from({ length: 300 }, () => openSync('/dev/null', 'r'));
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  const cli = net.createServer((sock) => { sock.once('data', () => void serveGetsocks(sock, [handleFd(listener)!, ...files])); });
  const path = join(dir, 'cli.sock');
  await new Promise<void>((r) => cli.listen(path, r));
  try {
    const got = await fetchInWorker(path);
    assert.equal(got.error, undefined);
    assert.equal(got.count, 301);
    // /dev/null is no socket: only the listener has an address.
    assert.deepEqual(got.names, [{ family: 'inet', address: '127.0.0.1', port }]);
  } finally {
    for (const f of files) closeSync(f);
    listener.close();
    cli.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
