/** Worker-thread entry: runs the pump (pump.ts) with the data the relay passed. */
import { workerData } from 'node:worker_threads';
import { runPump, type PumpInit } from './pump.ts';

runPump(workerData as PumpInit);
