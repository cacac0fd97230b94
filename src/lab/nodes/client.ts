/**
 * `client` — a host for generating load: `wrk` if installed, else the built-in `sy-load`
 * (both on PATH inside the node). Optional `load:` starts a bounded run at `up`, output in
 * the node's log: `{ url, connections (4), requests (1000), duration (10 s) }`.
 */
import { LOADGEN_SCRIPT, nodeScript } from './paths.ts';
import { optInt, optString } from './options.ts';
import type { NodeKind } from './types.ts';

export const client: NodeKind = {
  name: 'client',
  description: 'host with a load generator (wrk if installed, else built-in sy-load); optional load run at start',
  optionKeys: ['load'],
  example: {},
  resolveOptions(raw, ctx) {
    const load = raw.load;
    if (load === undefined) return { load: null };
    if (typeof load !== 'object' || load === null || Array.isArray(load)) {
      ctx.error('SY_ERR_LAB_FIELD', ['load'], `'load' of node ${ctx.nodeName} must be a mapping { url, connections, requests, duration }`);
      return { load: null };
    }
    const l = load as Record<string, unknown>;
    for (const k of Object.keys(l)) {
      if (!['url', 'connections', 'requests', 'duration'].includes(k)) {
        ctx.error('SY_ERR_LAB_FIELD', ['load', k], `unknown field '${k}' in load of node ${ctx.nodeName} (allowed: url, connections, requests, duration)`, 'key');
      }
    }
    const url = optString(l, 'url', ctx, ['load', 'url']);
    if (url === undefined) ctx.error('SY_ERR_LAB_FIELD', ['load'], `'load' of node ${ctx.nodeName} needs 'url'`);
    else if (!/^https?:\/\//.test(url)) ctx.error('SY_ERR_LAB_FIELD', ['load', 'url'], `load url of node ${ctx.nodeName} must start with http://`);
    return {
      load: {
        url: url ?? '',
        connections: optInt(l, 'connections', 4, 1, 10_000, ctx, ['load', 'connections']),
        requests: optInt(l, 'requests', 1000, 1, 100_000_000, ctx, ['load', 'requests']),
        duration: optInt(l, 'duration', 10, 1, 86_400, ctx, ['load', 'duration']),
      },
    };
  },
  async start(rt, node) {
    const load = node.options.load as { url: string; connections: number; requests: number; duration: number } | null;
    if (!load) return;
    await rt.spawn(node, nodeScript(LOADGEN_SCRIPT, [load.url, '-c', String(load.connections), '-n', String(load.requests), '-d', String(load.duration)]), { label: 'load' });
  },
  summary: (node) => (node.options.load ? `load → ${(node.options.load as { url: string }).url}` : 'sy-load / wrk'),
};
