/**
 * What every lab operation needs: the lab's state directory and the context handed to
 * link kinds. Also finds "the lab" when the user did not name one.
 */
import { SyError } from '../../shared/errors.ts';
import type { LinkCtx } from '../links/types.ts';
import { LabState, listLabs, stateRoot } from '../sys/state.ts';
import type { Topology } from '../topo/types.ts';

export function linkCtx(state: LabState, log: (m: string) => void = () => {}): LinkCtx {
  return { lab: state.lab, stateDir: state.dir, log };
}

/** The named lab, or the only lab there is; SY_ERR_LAB_NOT_FOUND otherwise. */
export function pickLab(name: string | undefined): LabState {
  if (name) {
    const s = new LabState(name);
    if (!s.exists()) throw new SyError('SY_ERR_LAB_NOT_FOUND', `no lab named '${name}' (labs: ${listLabs().join(', ') || 'none'}; state in ${stateRoot()})`);
    return s;
  }
  const labs = listLabs();
  if (labs.length === 1) return new LabState(labs[0] as string);
  if (labs.length === 0) throw new SyError('SY_ERR_LAB_NOT_FOUND', `no lab is up (state in ${stateRoot()})`);
  throw new SyError('SY_ERR_LAB_NOT_FOUND', `several labs are up (${labs.join(', ')}): name one with --lab NAME`);
}

export function requireTopology(state: LabState): Topology {
  const t = state.readTopology();
  if (!t) throw new SyError('SY_ERR_LAB_NOT_FOUND', `lab '${state.lab}' has no topology on record (interrupted? run 'switchyard lab clean ${state.lab}')`);
  return t;
}
