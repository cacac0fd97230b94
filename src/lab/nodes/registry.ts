/**
 * Node kinds by the name used in topologies (`kind:` of a node; default `host`).
 * resolve() refuses unknown kinds listing these names. The shared conformance suite
 * (nodes/conformance.test.ts) runs on every kind registered here.
 */
import { balancer } from './balancer.ts';
import { client } from './client.ts';
import { host } from './host.ts';
import { server } from './server.ts';
import type { NodeKind } from './types.ts';

const KINDS = new Map<string, NodeKind>([host, server, balancer, client].map((k) => [k.name, k]));

export const DEFAULT_NODE_KIND = 'host';

export function nodeKind(name: string): NodeKind | undefined {
  return KINDS.get(name);
}
export function nodeKinds(): NodeKind[] {
  return [...KINDS.values()];
}
