/**
 * The two moves of `lab apply` (ops/diff.ts plans them): `shrink` removes from a running
 * lab what is in `from` but not in `to`; `grow` adds what is in `to` but not in `from`.
 * Neither touches anything present in both — processes of unchanged nodes keep running,
 * unchanged cables keep their counters.
 *
 * shrink: stop the removed nodes' processes (recorded ones + everything in their
 *   namespaces), destroy removed links through their kinds, delete removed lans' bridges
 *   and removed nodes' namespaces (checked gone), set kept links' impairment back to
 *   `to`'s when it differs, delete routes no longer wanted.
 * grow, in `up`'s stage order: namespaces (intent-logged first), switches, links (per
 *   kind, all at once), new impairments of kept links (set live), configure (new nodes in full; kept nodes: new interfaces up,
 *   addresses and routes re-applied idempotently; new lan ports into their bridges),
 *   start new nodes in dependency order (`interrupted()` is asked between stages: Ctrl-C
 *   undoes the additions). Every object is put on the `current` record
 *   BEFORE it is created; if a step fails, grow shrinks `current` back to `from` (kinds'
 *   destroy works on half-made links) and rethrows — so a failed grow leaves `from`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { SyError } from '../../shared/errors.ts';
import { lanKind, linkKind } from '../links/registry.ts';
import { nodeKind } from '../nodes/registry.ts';
import { isAlive, readProcRecords, stopProcesses } from '../sys/procs.ts';
import { ipBatch, ipBatchParallel, parallel, run, type NetnsJob } from '../sys/run.ts';
import type { LabState } from '../sys/state.ts';
import type { ResolvedLink, ResolvedNode, Topology } from '../topo/types.ts';
import { linkCtx } from './context.ts';
import { routeKey, sameImpairment } from './diff.ts';
import { fabricScript, nodeRefreshScript, nodeScript, nodeSysctls } from './netcfg.ts';
import { makeRuntime } from './runtime.ts';
import { runExec } from './up.ts';

type Say = (line: string) => void;

function groupByKind(links: readonly ResolvedLink[]): Map<string, ResolvedLink[]> {
  const m = new Map<string, ResolvedLink[]>();
  for (const l of links) m.set(l.kind, [...(m.get(l.kind) ?? []), l]);
  return m;
}

export async function shrink(state: LabState, from: Topology, to: Topology, say: Say = () => {}): Promise<void> {
  const keepNodes = new Set(to.nodes.map((n) => n.name));
  const keepLinks = new Set(to.links.map((l) => l.id));
  const keepLans = new Set(to.lans.map((l) => l.name));
  const goneNodes = from.nodes.filter((n) => !keepNodes.has(n.name));
  const goneLinks = from.links.filter((l) => !keepLinks.has(l.id));
  const goneLans = from.lans.filter((l) => !keepLans.has(l.name));
  const procFile = state.path('procs.jsonl');
  if (goneNodes.length) {
    const names = new Set(goneNodes.map((n) => n.name));
    const records = readProcRecords(procFile);
    await stopProcesses(records.filter((r) => names.has(r.node)), goneNodes.map((n) => n.netns), 1000);
    // status lists processes by node name: forget the removed nodes' (now dead) records
    const left = records.filter((r) => !names.has(r.node) || isAlive(r));
    writeFileSync(procFile, left.map((r) => JSON.stringify(r) + '\n').join(''));
  }
  const ctx = linkCtx(state, say);
  for (const [kindName, links] of groupByKind(goneLinks)) {
    const kind = linkKind(kindName);
    if (kind) await kind.destroy(ctx, links);
  }
  if (goneLans.length && from.fabric) {
    for (const kindName of new Set(goneLans.map((l) => l.kind))) {
      await lanKind(kindName)?.destroy?.(ctx, from.fabric, goneLans.filter((l) => l.kind === kindName));
    }
  }
  if (goneNodes.length) {
    let left = goneNodes.map((n) => n.netns).filter((ns) => existsSync(`/run/netns/${ns}`));
    for (let i = 0; i < 3 && left.length; i++) {
      await ipBatch(left.map((ns) => `netns del ${ns}`), { force: true });
      left = left.filter((ns) => existsSync(`/run/netns/${ns}`));
    }
    if (left.length) throw new SyError('SY_ERR_LAB_SYSTEM', `could not delete namespaces ${left.join(', ')}`);
  }
  // kept cables whose impairment `to` has otherwise (undoing a grow's retune)
  for (const l of to.links) {
    const before = from.links.find((x) => x.id === l.id);
    if (before && !sameImpairment(before, l)) await linkKind(l.kind)?.set(ctx, l, l.impairment);
  }
  // routes a kept node no longer wants (those over removed interfaces went with them)
  for (const n of to.nodes) {
    const before = from.nodes.find((x) => x.name === n.name);
    const keep = new Set(n.routes.map(routeKey));
    const del = (before?.routes ?? []).filter((r) => !keep.has(routeKey(r)));
    if (del.length) await ipBatch(del.map((r) => `route del ${r.to === 'default' && r.via?.includes(':') ? '::/0' : r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`), { netns: n.netns, force: true });
  }
}

/** Add to the running lab (`from`) what `to` has more. On failure: back to `from`, rethrow. */
export async function grow(state: LabState, from: Topology, to: Topology, say: Say = () => {}, interrupted: () => boolean = () => false, conc = 8): Promise<void> {
  const haveNodes = new Set(from.nodes.map((n) => n.name));
  const haveLinks = new Set(from.links.map((l) => l.id));
  const haveLans = new Set(from.lans.map((l) => l.name));
  const newNodes = to.nodes.filter((n) => !haveNodes.has(n.name));
  const newLinks = to.links.filter((l) => !haveLinks.has(l.id));
  const newLans = to.lans.filter((l) => !haveLans.has(l.name));
  // what exists right now: `from` plus whatever this call has started to create
  const current: Topology = { ...from, nodes: [...from.nodes], links: [...from.links], lans: [...from.lans] };
  const ctx = linkCtx(state, say);
  const check = (stage: string): void => {
    if (interrupted()) throw new SyError('SY_ERR_LAB_PROCESS', `interrupted before ${stage}`);
  };
  try {
    check('namespaces');
    const spaces = newNodes.map((n) => n.netns);
    // the fabric namespace is made with the first lan (it may survive its last lan)
    const newFabric = newLans.length > 0 && to.fabric !== null && !existsSync(`/run/netns/${to.fabric}`);
    if (newFabric && to.fabric) spaces.push(to.fabric);
    if (spaces.length) {
      // on record (as nodes without interfaces) before they exist
      current.nodes.push(...newNodes.map((n) => ({ ...n, interfaces: [], routes: [] })));
      if (newFabric) current.fabric = to.fabric;
      state.intend(spaces.map((name) => ({ type: 'netns' as const, name })));
      await ipBatch(spaces.map((ns) => `netns add ${ns}`));
    }
    if (newFabric && to.fabric) {
      await run('ip', ['netns', 'exec', to.fabric, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    check('switches');
    if (newLans.length && to.fabric) {
      current.lans.push(...newLans);
      for (const kindName of new Set(newLans.map((l) => l.kind))) {
        const kind = lanKind(kindName);
        if (!kind) throw new SyError('SY_ERR_LAB_UNKNOWN_KIND', `lan kind ${kindName} is not registered`);
        await kind.create(ctx, to.fabric, newLans.filter((l) => l.kind === kindName));
      }
    }
    check('links');
    for (const [kindName, links] of groupByKind(newLinks)) {
      const kind = linkKind(kindName);
      if (!kind) throw new SyError('SY_ERR_LAB_UNKNOWN_KIND', `link kind ${kindName} is not registered`);
      current.links.push(...links);
      await kind.create(ctx, links);
    }
    // kept cables with a new impairment: set live
    check('impairments');
    for (const l of to.links) {
      const i = current.links.findIndex((x) => x.id === l.id);
      const before = current.links[i];
      if (!before || !haveLinks.has(l.id) || sameImpairment(before, l)) continue;
      current.links[i] = l; // on record first: an undo sets the old one back
      await linkKind(l.kind)?.set(ctx, l, l.impairment);
    }
    // configure
    const jobs: NetnsJob[] = [];
    const fresh = new Set(newNodes.map((n) => n.name));
    const touched = new Set(newLinks.flatMap((l) => [l.a.node, l.b.node]).filter((n): n is string => !!n));
    for (const n of to.nodes) {
      if (fresh.has(n.name)) {
        jobs.push({ netns: n.netns, lines: nodeScript(n), sysctls: nodeSysctls(n) });
        continue;
      }
      const before = from.nodes.find((x) => x.name === n.name) as ResolvedNode;
      const routesChanged = before.routes.map(routeKey).sort().join() !== n.routes.map(routeKey).sort().join();
      if (!touched.has(n.name) && !routesChanged) continue;
      const had = new Set(before.interfaces.map((f) => f.name));
      const up = n.interfaces.filter((f) => !had.has(f.name)).map((f) => `link set dev ${f.name} up`);
      jobs.push({ netns: n.netns, lines: [...up, ...nodeRefreshScript(n)] });
    }
    if (to.fabric) jobs.push({ netns: to.fabric, lines: fabricScript({ ...to, links: newLinks }) });
    await ipBatchParallel(jobs);
    // the record now matches the kernel for everything but processes
    current.nodes = to.nodes.filter((n) => haveNodes.has(n.name) || fresh.has(n.name));
    // start the new nodes, in the file's dependency order
    if (newNodes.length) {
      const rt = makeRuntime(state, to);
      const byName = new Map(newNodes.map((n) => [n.name, n]));
      for (const level of to.startOrder) {
        check('starting nodes');
        await parallel(level.filter((n) => byName.has(n)), conc, async (name) => {
          const node = byName.get(name) as ResolvedNode;
          for (let i = 0; i < node.exec.length; i++) await runExec(state, node, i);
          await nodeKind(node.kind)?.start(rt, node);
        });
      }
    }
  } catch (e) {
    say(`  undoing the additions: ${String((e as Error).message).split('\n')[0]}`);
    try {
      await shrink(state, current, from, say);
    } catch (e2) {
      say(`  undo incomplete: ${(e2 as Error).message}`);
    }
    throw e;
  }
}
