/**
 * `balancer` — a host running Switchyard itself (`bin/switchyard -db -f <cfg>`), with the
 * configuration inline (`config: |` …) or from a file (`config_file:`, relative to the
 * topology file; read at resolve time, so the lab keeps the text it started with).
 * `wait_port:` (default: none) makes `up` wait until that port listens.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { SWITCHYARD_BIN } from './paths.ts';
import { optPort, optString } from './options.ts';
import type { NodeKind } from './types.ts';

export const balancer: NodeKind = {
  name: 'balancer',
  description: 'host running switchyard -f with a configuration from the topology (inline or file)',
  optionKeys: ['config', 'config_file', 'wait_port'],
  example: { config: 'defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend f\n  bind :8080\n  default_backend b\nbackend b\n  server s1 127.0.0.1:9\n', wait_port: 8080 },
  resolveOptions(raw, ctx) {
    const inline = optString(raw, 'config', ctx);
    const file = optString(raw, 'config_file', ctx);
    const waitPort = raw.wait_port === undefined ? null : optPort(raw, 'wait_port', 0, ctx);
    if (inline !== undefined && file !== undefined) {
      ctx.error('SY_ERR_LAB_FIELD', ['config_file'], `node ${ctx.nodeName}: give either 'config' (inline) or 'config_file', not both`, 'key');
    }
    if (inline === undefined && file === undefined) {
      ctx.error('SY_ERR_LAB_FIELD', [], `balancer node ${ctx.nodeName} needs 'config' (inline HAProxy-syntax configuration) or 'config_file'`);
      return { config: '', source: null, waitPort };
    }
    if (file !== undefined) {
      const abs = resolvePath(ctx.baseDir, file);
      try {
        return { config: readFileSync(abs, 'utf8'), source: abs, waitPort };
      } catch (e) {
        ctx.error('SY_ERR_LAB_READ', ['config_file'], `cannot read config_file ${abs} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        return { config: '', source: abs, waitPort };
      }
    }
    return { config: inline, source: 'inline', waitPort };
  },
  async start(rt, node) {
    const cfg = join(rt.nodeDir(node.name), 'switchyard.cfg');
    writeFileSync(cfg, node.options.config as string);
    const proc = await rt.spawn(node, [SWITCHYARD_BIN, '-db', '-f', cfg], { label: 'switchyard' });
    const waitPort = node.options.waitPort as number | null;
    if (waitPort) await rt.waitListening(node, waitPort, proc);
    else await rt.waitListening(node, 0, proc, 600);
  },
  summary: (node) => `switchyard -f ${node.options.source === 'inline' ? '(inline config)' : String(node.options.source)}`,
};
