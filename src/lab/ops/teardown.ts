/**
 * Removing a lab — the one routine behind `down`, `clean` and the rollback of a failed
 * `up`. It works from the state directory alone, so it also works after `kill -9` of the
 * CLI and of every process of the lab:
 *   1. stop processes: the recorded ones (pid + start time) and every process inside the
 *      lab's namespaces (namespaces must be empty before they can really go away);
 *   2. every link kind destroys its links (if the topology is on record), then cleans what
 *      it tagged under the state directory (the sock cables' relays);
 *   3. delete the namespaces from the intent log — that removes every interface, bridge
 *      and qdisc inside them (nothing is ever created in the root namespace);
 *   4. check by listing that none is left, then delete the state directory.
 */
import { existsSync } from 'node:fs';
import { SyError } from '../../shared/errors.ts';
import { linkKind, linkKinds } from '../links/registry.ts';
import { readProcRecords, stopProcesses } from '../sys/procs.ts';
import { ipBatch } from '../sys/run.ts';
import type { LabState } from '../sys/state.ts';
import { linkCtx } from './context.ts';

export type TeardownReport = { processes: number; namespaces: number };

export async function teardown(state: LabState, opts: { graceMs?: number; log?: (m: string) => void } = {}): Promise<TeardownReport> {
  const log = opts.log ?? (() => {});
  if (!state.exists()) return { processes: 0, namespaces: 0 };
  state.setPhase('destroying');
  const namespaces = [...new Set(state.objects().filter((o) => o.type === 'netns').map((o) => o.name))];
  const processes = await stopProcesses(readProcRecords(state.path('procs.jsonl')), namespaces, opts.graceMs ?? 1500);

  const ctx = linkCtx(state, log);
  const topo = state.readTopology();
  if (topo) {
    const kinds = new Set(topo.links.map((l) => l.kind));
    for (const k of kinds) {
      const kind = linkKind(k);
      if (!kind || kind.diesWithNamespaces === true) continue;
      try {
        await kind.destroy(ctx, topo.links.filter((l) => l.kind === k));
      } catch (e) {
        log(`warning: destroying ${k} links: ${(e as Error).message}`);
      }
    }
  }
  for (const kind of linkKinds()) {
    if (!kind.clean) continue;
    try {
      await kind.clean(ctx);
    } catch (e) {
      log(`warning: cleaning ${kind.name} links: ${(e as Error).message}`);
    }
  }

  let left = namespaces.filter((n) => existsSync(`/run/netns/${n}`));
  const count = left.length;
  for (let attempt = 0; attempt < 3 && left.length; attempt++) {
    await ipBatch(left.map((n) => `netns del ${n}`), { force: true });
    left = left.filter((n) => existsSync(`/run/netns/${n}`));
  }
  if (left.length) {
    throw new SyError('SY_ERR_LAB_SYSTEM', `could not delete namespaces ${left.join(', ')} of lab ${state.lab}; state kept in ${state.dir}`);
  }
  state.remove();
  return { processes, namespaces: count };
}
