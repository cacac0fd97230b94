/**
 * `lab down [NAME]` (a lab that exists: processes get SIGTERM and a grace period) and
 * `lab clean [NAME]` (whatever is left of a lab, or of every lab, after a crash or
 * `kill -9`; a lab with no state is simply nothing to do).
 */
import { LabState, listLabs } from '../sys/state.ts';
import { pickLab } from './context.ts';
import { teardown, type TeardownReport } from './teardown.ts';

export async function labDown(name: string | undefined, log: (m: string) => void = () => {}): Promise<{ lab: string } & TeardownReport> {
  const state = pickLab(name);
  const r = await teardown(state, { graceMs: 1500, log });
  return { lab: state.lab, ...r };
}

export async function labClean(name: string | undefined, log: (m: string) => void = () => {}): Promise<({ lab: string } & TeardownReport)[]> {
  const names = name ? [name] : listLabs();
  const out: ({ lab: string } & TeardownReport)[] = [];
  for (const n of names) {
    const state = new LabState(n);
    if (!state.exists()) continue;
    out.push({ lab: n, ...(await teardown(state, { graceMs: 300, log })) });
  }
  return out;
}
