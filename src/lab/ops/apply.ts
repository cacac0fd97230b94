/**
 * `lab apply FILE` — change a running lab to match a topology file, live.
 *
 *   topology   load + resolve exactly as `up` does: every mistake with file:line, and
 *              nothing is touched unless the whole file is valid
 *   preflight  root; the file's lab is up; new nodes' namespace names are free (or are
 *              the very namespaces of nodes being replaced)
 *   plan       ops/diff.ts: old → mid (the common part) → target
 *   shrink     remove what goes (ops/change.ts); the record becomes `mid`
 *   grow       add what comes; the record becomes `target`
 * Rollback: if grow fails, it has already removed its own additions (back to `mid`); we
 * then grow `mid` back to the old topology, so the lab ends as it was (nodes that had to
 * be removed are started again). If even that fails, the record says `mid`, which is what
 * exists. Either way the command fails with the original error (SY_ERR_LAB_APPLY wraps it,
 * naming its code). Unchanged nodes keep their processes throughout.
 */
import { SyError, type ErrorCode } from '../../shared/errors.ts';
import { ipJson } from '../sys/run.ts';
import { LabState } from '../sys/state.ts';
import { readTopology } from '../topo/index.ts';
import type { Topology } from '../topo/types.ts';
import { requireTopology } from './context.ts';
import { planChange, type Change } from './diff.ts';
import { grow, shrink } from './change.ts';

export type ApplyOptions = { progress?: (line: string) => void };
export type ApplyResult = { lab: string; changed: boolean; summary: string; topology: Topology };

export async function labApply(file: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const say = opts.progress ?? (() => {});
  const t0 = performance.now();
  const next = readTopology(file);
  const state = new LabState(next.name);
  if (process.getuid?.() !== 0) throw new SyError('SY_ERR_LAB_ENV', 'the lab creates network namespaces: run it as root');
  if (!state.exists()) throw new SyError('SY_ERR_LAB_NOT_FOUND', `lab ${next.name} is not up ('switchyard lab up ${file}' builds it)`);
  const phase = state.status()?.phase;
  if (phase !== 'up') throw new SyError('SY_ERR_LAB_EXISTS', `lab ${next.name} is ${phase ?? 'in an unknown state'}, not up: apply needs a running lab`);
  const old = requireTopology(state);
  const change = planChange(old, next);
  if (change.summary.length === 0) {
    state.writeTopology({ ...old, file: next.file });
    return { lab: next.name, changed: false, summary: '', topology: old };
  }
  say(`  plan: ${change.summary.join(', ')}`);

  const existing = new Set((await ipJson<{ name: string }>(['netns', 'list'])).map((n) => n.name));
  const ours = new Set(old.nodes.map((n) => n.netns));
  const taken = next.nodes.filter((n) => !ours.has(n.netns) && existing.has(n.netns)).map((n) => n.netns);
  if (taken.length) throw new SyError('SY_ERR_LAB_EXISTS', `network namespace${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already exist${taken.length > 1 ? '' : 's'} and belong${taken.length > 1 ? '' : 's'} to something else`);

  // Ctrl-C: finish the removals, undo the additions made so far, restore the old topology
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130); // second Ctrl-C: leave it (`lab clean` still works)
    interrupted = true;
    say('  interrupted: rolling back (Ctrl-C again to leave it as it is)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await applyChange(state, old, change, say, () => interrupted, t0);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** shrink to `mid`, grow to the target; on a failed grow, grow `mid` back to `old`. */
async function applyChange(state: LabState, old: Topology, change: Change, say: (l: string) => void, interrupted: () => boolean, t0: number): Promise<ApplyResult> {
  const next = change.target;
  const summary = change.summary.join(', ');
  try {
    await shrink(state, old, change.mid, say);
  } catch (e) {
    // what is gone is gone: record what the kernel still has as well as we know it
    state.writeTopology(change.mid);
    throw wrap(e, 'removing', 'the lab is left with the unchanged part only');
  }
  state.writeTopology(change.mid);
  const removed = change.summary.filter((s) => s.startsWith('-')).length;
  if (removed) say(`  removed ${removed} object${removed > 1 ? 's' : ''} in ${(performance.now() - t0).toFixed(0)} ms`);
  try {
    if (interrupted()) throw new SyError('SY_ERR_LAB_PROCESS', 'interrupted after the removals');
    await grow(state, change.mid, change.target, say, interrupted);
  } catch (e) {
    say('  rolling back to the previous topology');
    let back = 'rolled back';
    try {
      await grow(state, change.mid, old, say);
      state.writeTopology(old);
    } catch (e2) {
      back = `rollback incomplete (${(e2 as Error).message.split('\n')[0]}); the lab keeps the unchanged part only`;
    }
    throw wrap(e, 'adding', back);
  }
  state.writeTopology(change.target);
  say(`lab ${next.name} changed in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return { lab: next.name, changed: true, summary, topology: change.target };
}

function wrap(e: unknown, step: string, outcome: string): SyError {
  const code = (e as { code?: ErrorCode }).code ?? 'SY_ERR_LAB_SYSTEM';
  return new SyError('SY_ERR_LAB_APPLY', `${step} failed (${code}): ${(e as Error).message}\n${outcome}`);
}
