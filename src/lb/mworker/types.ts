/**
 * Master-worker mode: the messages between the master and a worker (Node's IPC channel,
 * JSON), and what the master knows about each worker.
 *
 * Worker → master: `ready` once every listener accepts (the master then retires the old
 * worker); `cli` answers a forwarded command. Master → worker: `cli` runs one runtime-API
 * line at the given level (the master CLI's `@<pid>` prefixes). Stopping goes by signals,
 * as in HAProxy (SIGUSR1 soft, SIGTERM/SIGINT hard), so `kill` works on workers too.
 */
import type { Level } from '../cli/types.ts';

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'cli'; id: number; out: string };

export type MasterMessage = { type: 'cli'; id: number; line: string; level: Level };

/** Environment variables of a worker process. */
export const WORKER_ENV = 'SWITCHYARD_MWORKER';
/** JSON [[listenerKey, fd], …]: the listening descriptors the worker inherits. */
export const WORKER_LISTENERS_ENV = 'SWITCHYARD_MWORKER_LISTENERS';

export interface WorkerProc {
  pid: number;
  /** Reloads this worker has lived through (show proc's <reloads>). */
  reloads: number;
  startedAt: number;
  /** current: serving; starting: not ready yet; old: soft-stopping after a reload. */
  state: 'starting' | 'current' | 'old';
  /** The worker's own `hard-stop-after` (ms), for the master's backstop. */
  hardStopAfter?: number;
}
