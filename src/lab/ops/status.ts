/**
 * `lab status` (every lab, one line per node and link) and `lab inspect` (one lab, all
 * details: addresses as the kernel sees them, processes, link counters). Both read the
 * state directory and ask the kernel; neither changes anything.
 */
import { existsSync } from 'node:fs';
import { nodeKind } from '../nodes/registry.ts';
import { isAlive, readProcRecords } from '../sys/procs.ts';
import { ipLinksOfNamespaces } from '../sys/run.ts';
import { LabState, listLabs } from '../sys/state.ts';
import type { LinkStats } from '../links/types.ts';
import { endText, linkStats } from './links.ts';
import { linkKind } from '../links/registry.ts';
import { linkCtx } from './context.ts';
import { relayRequest, type SwitchStats } from '../links/sock/index.ts';
import { SOCK_SWITCH } from '../links/sock/switch-kind.ts';

export type NodeStatus = { name: string; kind: string; netns: string; present: boolean; summary: string; processes: { label: string; pid: number; alive: boolean; log: string }[]; addresses?: Record<string, string[]> };
export type LinkStatus = { id: string; kind: string; a: string; b: string; stats: LinkStats | null };
export type LabReport = { lab: string; phase: string; since: string | null; dir: string; nodes: NodeStatus[]; links: LinkStatus[]; lans: string[]; switches?: SwitchStats[] };

export async function labReport(state: LabState, detail: boolean): Promise<LabReport> {
  const st = state.status();
  const topo = state.readTopology();
  const procs = readProcRecords(state.path('procs.jsonl'));
  type Addr = { ifname: string; addr_info?: { local: string; prefixlen: number; scope: string }[] };
  const addrs = detail ? await ipLinksOfNamespaces<Addr>((topo?.nodes ?? []).map((n) => n.netns), 'addr show') : new Map<string, Addr[]>();
  const nodes: NodeStatus[] = [];
  for (const n of topo?.nodes ?? []) {
    const ns: NodeStatus = {
      name: n.name,
      kind: n.kind,
      netns: n.netns,
      present: existsSync(`/run/netns/${n.netns}`),
      summary: nodeKind(n.kind)?.summary(n) ?? '',
      processes: procs.filter((p) => p.node === n.name).map((p) => ({ label: p.label, pid: p.pid, alive: isAlive(p), log: p.log })),
    };
    const mine = addrs.get(n.netns);
    if (detail && mine) {
      ns.addresses = Object.fromEntries(mine.map((a) => [a.ifname, (a.addr_info ?? []).filter((i) => i.scope !== 'link').map((i) => `${i.local}/${i.prefixlen}`)]));
    }
    nodes.push(ns);
  }
  // one batch per kind when the kind can (veth: one shell for every namespace)
  const stats = new Map<string, LinkStats | null>();
  const all = topo?.links ?? [];
  for (const kindName of new Set(all.map((l) => l.kind))) {
    const kind = linkKind(kindName);
    const ofKind = all.filter((l) => l.kind === kindName);
    if (kind?.statsMany) {
      try {
        for (const [id, s] of await kind.statsMany(linkCtx(state), ofKind)) stats.set(id, s);
        continue;
      } catch {
        /* fall back to one by one */
      }
    }
    for (const l of ofKind) stats.set(l.id, await linkStats(state, l));
  }
  const links: LinkStatus[] = all.map((l) => ({ id: l.id, kind: l.kind, a: endText(l.a), b: endText(l.b), stats: stats.get(l.id) ?? null }));
  // a lab whose creating/destroying CLI is gone was interrupted (kill -9?): say so
  const busy = st && (st.phase === 'creating' || st.phase === 'destroying');
  const phase = busy && !pidAlive(st.pid) ? `interrupted while ${st.phase} (run: switchyard lab clean ${state.lab})` : (st?.phase ?? 'unknown');
  const report: LabReport = { lab: state.lab, phase, since: st?.since ?? null, dir: state.dir, nodes, links, lans: (topo?.lans ?? []).map((l) => l.name) };
  // inspect: the userspace switches' ports and MAC tables
  const userSwitches = (topo?.lans ?? []).filter((l) => l.kind === SOCK_SWITCH);
  if (detail && userSwitches.length) {
    report.switches = [];
    for (const l of userSwitches) {
      try {
        report.switches.push((await relayRequest(state.dir, state.lab, { op: 'switch-stats', switch: l.name })).stats as SwitchStats);
      } catch {
        /* relay gone: the lab is broken, status says so elsewhere */
      }
    }
  }
  return report;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function allReports(name?: string): Promise<LabReport[]> {
  const names = name ? [name] : listLabs();
  return Promise.all(names.map((n) => labReport(new LabState(n), false)));
}

export function formatReport(r: LabReport): string {
  const out = [`lab ${r.lab}: ${r.phase}${r.since ? ` since ${r.since}` : ''} (${r.dir})`];
  for (const n of r.nodes) {
    const procs = n.processes.map((p) => `${p.label}[${p.pid}]${p.alive ? '' : ' exited'}`).join(' ');
    out.push(`  node ${n.name.padEnd(12)} ${n.kind.padEnd(9)} ${n.present ? n.netns : 'MISSING ' + n.netns}  ${n.summary}${procs ? `  ${procs}` : ''}`);
    if (n.addresses) for (const [ifn, as] of Object.entries(n.addresses)) if (as.length) out.push(`      ${ifn}: ${as.join(' ')}`);
  }
  if (r.lans.length) out.push(`  lans ${r.lans.join(' ')}`);
  for (const sw of r.switches ?? []) {
    out.push(`  switch ${sw.switch}: ${sw.ports.length} ports, ${sw.macs.length} stations learned${sw.capture ? `, capturing into ${sw.capture}` : ''}`);
    for (const [mac, port, age] of sw.macs) out.push(`      ${mac}  ${port}  ${(age / 1000).toFixed(1)} s`);
  }
  for (const l of r.links) {
    const s = l.stats;
    const state = s ? (s.up ? 'up' : 'CUT') : '?';
    const c = s?.a ? `  a: tx ${s.a.txPackets} pkts/${s.a.txBytes} B  rx ${s.a.rxPackets} pkts/${s.a.rxBytes} B` : '';
    out.push(`  link ${`${l.a} — ${l.b}`.padEnd(28)} ${l.kind.padEnd(6)} ${state}${c}`);
  }
  return out.join('\n');
}
