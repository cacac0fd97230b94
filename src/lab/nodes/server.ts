/**
 * `server` — a host running the demo HTTP server (nodes/httpd.ts): answers with the
 * node's name; `?delay=`, `?status=`, `?size=`, `?fail=` make it misbehave on demand.
 * Topology key: `port` (default 80). Ready when the port listens.
 */
import { HTTPD_SCRIPT, nodeScript } from './paths.ts';
import { optPort } from './options.ts';
import type { NodeKind } from './types.ts';

export const server: NodeKind = {
  name: 'server',
  description: 'host running the built-in demo HTTP server (answers with its name; ?delay= ?status= ?size= ?fail=)',
  optionKeys: ['port'],
  example: { port: 8080 },
  resolveOptions: (raw, ctx) => ({ port: optPort(raw, 'port', 80, ctx) }),
  async start(rt, node) {
    const port = node.options.port as number;
    const proc = await rt.spawn(node, nodeScript(HTTPD_SCRIPT, ['--name', node.name, '--port', String(port)]), { label: 'httpd' });
    await rt.waitListening(node, port, proc);
  },
  summary: (node) => `http :${String(node.options.port)}`,
};
