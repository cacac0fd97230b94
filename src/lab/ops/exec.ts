/**
 * `lab exec NODE -- CMD…` and `lab shell NODE`: run a command inside a node (its network
 * namespace, a UTS namespace with its hostname, its env, helpers on PATH), with the
 * terminal attached; returns the command's exit status.
 */
import { existsSync } from 'node:fs';
import { SyError } from '../../shared/errors.ts';
import { runInNode } from '../sys/procs.ts';
import type { LabState } from '../sys/state.ts';
import type { ResolvedNode } from '../topo/types.ts';
import { requireTopology } from './context.ts';
import { nodeEnv } from './runtime.ts';

export function findNode(state: LabState, name: string): ResolvedNode {
  const topo = requireTopology(state);
  const n = topo.nodes.find((x) => x.name === name);
  if (!n) throw new SyError('SY_ERR_LAB_NOT_FOUND', `no node '${name}' in lab ${state.lab} (nodes: ${topo.nodes.map((x) => x.name).join(', ')})`);
  if (!existsSync(`/run/netns/${n.netns}`)) throw new SyError('SY_ERR_LAB_NOT_FOUND', `node ${name}'s namespace ${n.netns} is gone (lab ${state.lab} is ${state.status()?.phase ?? 'broken'})`);
  return n;
}

export function execInNode(state: LabState, node: ResolvedNode, argv: readonly string[], extraEnv: Record<string, string> = {}): Promise<number> {
  if (argv.length === 0) throw new SyError('SY_ERR_CLI_USAGE', 'lab exec: give a command after --');
  return runInNode({ lab: state.lab, node: node.name, netns: node.netns, argv, env: nodeEnv(state, node, extraEnv) });
}

export function shellInNode(state: LabState, node: ResolvedNode): Promise<number> {
  const bash = existsSync('/bin/bash');
  const argv = bash ? ['/bin/bash', '--norc', '-i'] : ['/bin/sh', '-i'];
  return execInNode(state, node, argv, { PS1: `[${state.lab}/${node.name}] \\w\\$ ` });
}
