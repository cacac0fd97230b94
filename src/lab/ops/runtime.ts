/**
 * The NodeRuntime that node kinds start their processes through (nodes/types.ts), plus
 * the helper commands put on PATH inside nodes (`sy-httpd`, `sy-load`, `switchyard`).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyError } from '../../shared/errors.ts';
import type { NodeRuntime } from '../nodes/types.ts';
import { HTTPD_SCRIPT, LOADGEN_SCRIPT, NODE_ARGS, SWITCHYARD_BIN } from '../nodes/paths.ts';
import { isAlive, sleep, spawnSupervised, type ProcRecord } from '../sys/procs.ts';
import { run } from '../sys/run.ts';
import type { LabState } from '../sys/state.ts';
import type { ResolvedNode, Topology } from '../topo/types.ts';

export function writeHelpers(state: LabState): void {
  const bin = state.path('bin');
  mkdirSync(bin, { recursive: true });
  const node = [process.execPath, ...NODE_ARGS].join(' ');
  const scripts: Record<string, string> = {
    'sy-httpd': `exec ${node} ${HTTPD_SCRIPT} "$@"`,
    'sy-load': `exec ${node} ${LOADGEN_SCRIPT} "$@"`,
    switchyard: `exec ${SWITCHYARD_BIN} "$@"`,
  };
  for (const [name, body] of Object.entries(scripts)) {
    const f = join(bin, name);
    writeFileSync(f, `#!/bin/sh\n${body}\n`);
    chmodSync(f, 0o755);
  }
}

/** Environment of anything run in a node: the node's `env`, helpers first on PATH. */
export function nodeEnv(state: LabState, node: ResolvedNode, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${state.path('bin')}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, ...node.env, ...extra };
}

export function logTail(file: string, lines = 8): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).map((l) => `    | ${l}`).join('\n');
  } catch {
    return '    | (no output)';
  }
}

async function listening(netns: string, port: number): Promise<boolean> {
  const r = await run('ss', ['-N', netns, '-Hltn', `sport = :${port}`], { allowFail: true });
  return r.code === 0 && r.stdout.trim().length > 0;
}

export function makeRuntime(state: LabState, topo: Topology): NodeRuntime {
  const rt: NodeRuntime = {
    lab: state.lab,
    stateDir: state.dir,
    topo,
    nodeDir(node) {
      const d = state.path('nodes', node);
      if (!existsSync(d)) mkdirSync(d, { recursive: true });
      return d;
    },
    spawn(node, argv, opts) {
      return spawnSupervised({
        lab: state.lab,
        node: node.name,
        netns: node.netns,
        label: opts.label,
        argv,
        env: nodeEnv(state, node, opts.env),
        log: state.path('logs', `${node.name}.${opts.label}.log`),
        recordFile: state.path('procs.jsonl'),
      });
    },
    async waitListening(node: ResolvedNode, port: number, proc: ProcRecord, timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!isAlive(proc)) {
          throw new SyError('SY_ERR_LAB_PROCESS', `node ${node.name}: ${proc.label} exited at start (log ${proc.log}):\n${logTail(proc.log)}`);
        }
        if (port === 0) {
          if (Date.now() >= deadline) return;
        } else if (await listening(node.netns, port)) return;
        else if (Date.now() >= deadline) {
          throw new SyError('SY_ERR_LAB_PROCESS', `node ${node.name}: ${proc.label} does not listen on port ${port} after ${timeoutMs} ms (log ${proc.log}):\n${logTail(proc.log)}`);
        }
        await sleep(40);
      }
    },
  };
  return rt;
}
