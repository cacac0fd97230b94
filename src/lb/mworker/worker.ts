/**
 * The worker's side of master-worker mode. A worker is an ordinary balancer process with
 * three differences: it listens on descriptors the master hands down (never binds), it
 * answers runtime-API lines the master CLI forwards over the IPC channel, and it exits as
 * soon as that channel closes — a worker whose master died must not keep the ports, or a
 * restarted master could never take them back (HAProxy's workers do the same).
 */
import { setInheritedListeners } from '../core/bind.ts';
import { runLine } from '../cli/socket.ts';
import type { Runtime } from '../core/runtime.ts';
import { alert } from '../../shared/log.ts';
import { WORKER_ENV, WORKER_LISTENERS_ENV, type MasterMessage, type WorkerMessage } from './types.ts';

export function isWorker(): boolean {
  return process.env[WORKER_ENV] !== undefined && typeof process.send === 'function';
}

/** Before the runtime starts: listen on the master's descriptors instead of binding. */
export function adoptListeners(): void {
  const list = JSON.parse(process.env[WORKER_LISTENERS_ENV] ?? '[]') as [string, number][];
  setInheritedListeners(new Map(list));
}

function send(m: WorkerMessage): void {
  if (process.connected) process.send!(m);
}

/** Once listening: tell the master, serve forwarded CLI lines, die with the master. */
export function serveMaster(rt: Runtime): void {
  process.on('message', (m: MasterMessage) => {
    if (m?.type !== 'cli') return;
    let out: string;
    try {
      out = runLine(rt, m.line, { level: m.level, interactive: false }).out;
    } catch (e) {
      out = `Internal error: ${(e as Error).message}\n\n`;
    }
    send({ type: 'cli', id: m.id, out });
  });
  process.on('disconnect', () => {
    alert('master process is gone: stopping this worker.');
    rt.stop();
    process.exit(1);
  });
  send({ type: 'ready' });
}
