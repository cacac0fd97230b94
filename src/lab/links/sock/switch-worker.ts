/** Worker-thread entry: runs the switch pump (switch-pump.ts) with the data the relay passed. */
import { workerData } from 'node:worker_threads';
import { runSwitchPump, type SwitchInit } from './switch-pump.ts';

runSwitchPump(workerData as SwitchInit);
