/**
 * `host` — a plain network namespace: loopback up, its interfaces, routes, sysctls,
 * `exec` commands (all done by the lab core). Starts nothing of its own.
 */
import type { NodeKind } from './types.ts';

export const host: NodeKind = {
  name: 'host',
  description: 'network namespace with interfaces, routes, sysctls and exec commands',
  optionKeys: [],
  example: {},
  resolveOptions: () => ({}),
  start: async () => {},
  summary: () => '',
};
