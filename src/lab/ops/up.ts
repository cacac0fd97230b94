/**
 * `lab up FILE` — build a lab in stages, all or nothing.
 *
 *   topology   load + resolve: every mistake reported with file:line, nothing created
 *   preflight  root, iproute2, no lab of that name, none of our namespace names taken
 *   namespaces one `ip -batch` for all of them (intent-logged first)
 *   switches   the fabric namespace's bridges (IPv6 off there: ports need no addresses)
 *   links      each link kind creates all its links at once (veth: one `ip -batch`)
 *   configure  per namespace, in parallel (one shell starts them all): sysctls (no IPv6
 *              DAD, so addresses work at once, then the node's own), then one
 *              `ip -n NS -batch`: up, addresses, routes; lan ports into their bridges
 *   start      nodes in dependency order (a level at a time, nodes of a level in
 *              parallel): `exec` commands, then the kind's processes, until ready
 * A failure or Ctrl-C at any stage rolls back everything created (ops/teardown.ts).
 */
import { SyError } from '../../shared/errors.ts';
import { lanKind, linkKind } from '../links/registry.ts';
import { nodeKind } from '../nodes/registry.ts';
import { runInNode } from '../sys/procs.ts';
import { ipBatch, ipBatchParallel, ipJson, parallel, run, type NetnsJob } from '../sys/run.ts';
import { LabState } from '../sys/state.ts';
import { readTopology } from '../topo/index.ts';
import type { ResolvedNode, Topology } from '../topo/types.ts';
import { linkCtx } from './context.ts';
import { fabricScript, nodeScript, nodeSysctls } from './netcfg.ts';
import { logTail, makeRuntime, nodeEnv, writeHelpers } from './runtime.ts';
import { teardown } from './teardown.ts';

export type UpOptions = { progress?: (line: string) => void; concurrency?: number };

const STAGES = ['topology', 'preflight', 'namespaces', 'switches', 'links', 'configure', 'start'] as const;

export async function labUp(file: string, opts: UpOptions = {}): Promise<Topology> {
  const say = opts.progress ?? (() => {});
  const conc = opts.concurrency ?? 8;
  const t0 = performance.now();
  let stageNo = 0;
  const stage = async <T>(name: (typeof STAGES)[number], fn: () => Promise<T> | T, detail: (r: T) => string = () => ''): Promise<T> => {
    if (interrupted) throw new SyError('SY_ERR_LAB_PROCESS', `interrupted during ${name}`);
    const s = performance.now();
    const r = await fn();
    say(`  [${++stageNo}/${STAGES.length}] ${name.padEnd(10)} ${detail(r).padEnd(34)} ${(performance.now() - s).toFixed(0).padStart(5)} ms`);
    return r;
  };
  let interrupted = false;
  // first Ctrl-C: roll back at the next step; second: leave now (`lab clean` finishes)
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('  interrupted: rolling back (Ctrl-C again to leave it to `switchyard lab clean`)');
  };

  const topo = await stage('topology', () => readTopology(file), (t) => `${t.nodes.length} nodes, ${t.links.length} links, ${t.lans.length} lans`);
  const state = new LabState(topo.name);
  await stage('preflight', () => preflight(state, topo));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  state.create();
  state.setPhase('creating');
  state.writeTopology(topo);
  try {
    const namespaces = [...topo.nodes.map((n) => n.netns), ...(topo.fabric ? [topo.fabric] : [])];
    await stage('namespaces', async () => {
      state.intend(namespaces.map((name) => ({ type: 'netns' as const, name })));
      await ipBatch(namespaces.map((n) => `netns add ${n}`));
      return namespaces.length;
    }, (n) => String(n));
    await stage('switches', async () => {
      if (!topo.fabric) return 0;
      await run('ip', ['netns', 'exec', topo.fabric, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      for (const kindName of new Set(topo.lans.map((l) => l.kind))) {
        await (lanKind(kindName)?.create(linkCtx(state, say), topo.fabric, topo.lans.filter((l) => l.kind === kindName)));
      }
      return topo.lans.length;
    }, (n) => String(n));
    await stage('links', async () => {
      for (const kindName of new Set(topo.links.map((l) => l.kind))) {
        const kind = linkKind(kindName);
        if (!kind) throw new SyError('SY_ERR_LAB_UNKNOWN_KIND', `link kind ${kindName} is not registered`);
        await kind.create(linkCtx(state, say), topo.links.filter((l) => l.kind === kindName));
      }
      return topo.links.length;
    }, (n) => String(n));
    await stage('configure', async () => {
      const jobs: NetnsJob[] = topo.nodes.map((n) => ({ netns: n.netns, lines: nodeScript(n), sysctls: nodeSysctls(n) }));
      if (topo.fabric) jobs.push({ netns: topo.fabric, lines: fabricScript(topo) });
      await ipBatchParallel(jobs);
      return topo.nodes.reduce((a, n) => a + n.interfaces.length, 0);
    }, (n) => `${n} interfaces`);
    await stage('start', async () => {
      writeHelpers(state);
      const rt = makeRuntime(state, topo);
      const byName = new Map(topo.nodes.map((n) => [n.name, n]));
      for (const level of topo.startOrder) {
        if (interrupted) throw new SyError('SY_ERR_LAB_PROCESS', 'interrupted during start');
        await parallel(level, conc, async (name) => {
          const node = byName.get(name) as ResolvedNode;
          for (let i = 0; i < node.exec.length; i++) await runExec(state, node, i);
          await nodeKind(node.kind)?.start(rt, node);
        });
      }
      return topo.nodes.length;
    }, (n) => `${n} nodes`);
    state.setPhase('up');
  } catch (e) {
    say(`  rolling back: ${firstLine(e)}`);
    try {
      await teardown(state, { graceMs: 300, log: say });
    } catch (e2) {
      say(`  rollback incomplete: ${(e2 as Error).message}`);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  say(`lab ${topo.name} is up in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return topo;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0] ?? '';
}

async function preflight(state: LabState, topo: Topology): Promise<void> {
  if (process.getuid?.() !== 0) throw new SyError('SY_ERR_LAB_ENV', 'the lab creates network namespaces: run it as root');
  if (state.exists()) {
    const st = state.status();
    if (st?.phase === 'up') throw new SyError('SY_ERR_LAB_EXISTS', `lab ${topo.name} is already up (since ${st.since}); 'switchyard lab down ${topo.name}' first`);
    throw new SyError('SY_ERR_LAB_EXISTS', `lab ${topo.name} has leftovers of an interrupted run (${st?.phase ?? 'no status'}); run 'switchyard lab clean ${topo.name}'`);
  }
  const existing = new Set((await ipJson<{ name: string }>(['netns', 'list'])).map((n) => n.name));
  const taken = [...topo.nodes.map((n) => n.netns), ...(topo.fabric ? [topo.fabric] : [])].filter((n) => existing.has(n));
  if (taken.length) throw new SyError('SY_ERR_LAB_EXISTS', `network namespace${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already exist${taken.length > 1 ? '' : 's'} and belong${taken.length > 1 ? '' : 's'} to something else (another lab with an overlapping name?)`);
}

/** One `exec` command of a node: `sh -c CMD` inside the node, output to its exec log. */
export async function runExec(state: LabState, node: ResolvedNode, i: number): Promise<void> {
  const cmdText = node.exec[i] as string;
  const log = state.path('logs', `${node.name}.exec.log`);
  const code = await runInNode({ lab: state.lab, node: node.name, netns: node.netns, argv: ['sh', '-c', cmdText], env: nodeEnv(state, node), log });
  if (code !== 0) {
    throw new SyError('SY_ERR_LAB_PROCESS', `node ${node.name}: exec command #${i + 1} failed (exit ${code}): ${cmdText}\n${logTail(log)}`);
  }
}
