/**
 * `veth` — the kernel cable: a veth pair with one end in each namespace, created for all
 * links of the lab in ONE `ip -batch` (both ends are born directly in their namespaces,
 * never in the root namespace). Impairment: only `rate` (and its `queue`), applied as a
 * tbf qdisc on the sending end's egress — this kernel has no netem, so delay/loss need
 * the userspace `sock` cable. Cut = both ends administratively down (each side loses
 * its carrier); restore = both up.
 */
import { ipBatch, ipJson, ipLinksOfNamespaces, run } from '../sys/run.ts';
import type { Impairment, LinkEnd, LinkImpairment, ResolvedLink } from '../topo/types.ts';
import type { EndCounters, LinkCtx, LinkKind, LinkStats } from './types.ts';

function endArgs(e: LinkEnd): string {
  return `name ${e.ifname} netns ${e.netns}${e.mac ? ` address ${e.mac}` : ''}${e.mtu ? ` mtu ${e.mtu}` : ''}`;
}

/** tc lines that put `imp` on the egress of `end` (or clear it). */
async function applyRate(end: LinkEnd, imp: Impairment): Promise<void> {
  if (!imp.rate) {
    await run('tc', ['-n', end.netns, 'qdisc', 'del', 'dev', end.ifname, 'root'], { allowFail: true });
    return;
  }
  // burst: 10 ms worth of bytes, at least a few full frames; queue: `limit` bytes or 50 ms
  const burst = Math.max(Math.ceil(imp.rate / 8 / 100), 16 * 1514);
  const limit = imp.queue ? ['limit', String(imp.queue)] : ['latency', '50ms'];
  await run('tc', ['-n', end.netns, 'qdisc', 'replace', 'dev', end.ifname, 'root', 'tbf', 'rate', `${imp.rate}bit`, 'burst', String(burst), ...limit]);
}

async function applyImpairment(link: ResolvedLink, imp: LinkImpairment): Promise<void> {
  await Promise.all([applyRate(link.a, imp.ab), applyRate(link.b, imp.ba)]);
}

function byNetns(ends: readonly LinkEnd[], line: (e: LinkEnd) => string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const e of ends) {
    const l = m.get(e.netns) ?? [];
    l.push(line(e));
    m.set(e.netns, l);
  }
  return m;
}

type IpLinkStats = {
  ifname?: string;
  flags?: string[];
  operstate?: string;
  stats64?: { rx: { bytes: number; packets: number; dropped: number }; tx: { bytes: number; packets: number; dropped: number } };
};

export async function endCounters(e: LinkEnd): Promise<{ counters: EndCounters; up: boolean } | null> {
  const [l] = await ipJson<IpLinkStats>(['-n', e.netns, '-s', 'link', 'show', 'dev', e.ifname], true);
  return countersOf(l);
}

function countersOf(l: IpLinkStats | undefined): { counters: EndCounters; up: boolean } | null {
  if (!l?.stats64) return null;
  const s = l.stats64;
  return {
    up: (l.flags ?? []).includes('UP'),
    counters: { rxPackets: s.rx.packets, rxBytes: s.rx.bytes, txPackets: s.tx.packets, txBytes: s.tx.bytes, rxDropped: s.rx.dropped, txDropped: s.tx.dropped },
  };
}

async function setState(link: ResolvedLink, state: 'up' | 'down'): Promise<void> {
  await Promise.all([link.a, link.b].map((e) => run('ip', ['-n', e.netns, 'link', 'set', 'dev', e.ifname, state])));
}

export const veth: LinkKind = {
  name: 'veth',
  description: 'kernel veth pair; rate limit with tbf (no delay/loss: use sock)',
  impairments: ['rate', 'queue'],
  diesWithNamespaces: true,
  optionKeys: [],
  async create(_ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void> {
    await ipBatch(links.map((l) => `link add ${endArgs(l.a)} type veth peer ${endArgs(l.b)}`));
    const shaped = links.filter((l) => l.impairment.ab.rate || l.impairment.ba.rate);
    await Promise.all(shaped.map((l) => applyImpairment(l, l.impairment)));
  },
  async destroy(_ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<void> {
    // deleting one end deletes the pair; the namespace may already be gone
    const groups = byNetns(links.map((l) => l.a), (e) => `link del dev ${e.ifname}`);
    await Promise.all([...groups].map(([ns, lines]) => ipBatch(lines, { netns: ns, force: true }).catch(() => undefined)));
  },
  cut: (_ctx, link) => setState(link, 'down'),
  restore: (_ctx, link) => setState(link, 'up'),
  set: (_ctx, link, imp) => applyImpairment(link, imp),
  async stats(_ctx: LinkCtx, link: ResolvedLink): Promise<LinkStats> {
    const [a, b] = await Promise.all([endCounters(link.a), endCounters(link.b)]);
    return { up: !!a?.up && !!b?.up, a: a?.counters ?? null, b: b?.counters ?? null };
  },
  async statsMany(_ctx: LinkCtx, links: readonly ResolvedLink[]): Promise<Map<string, LinkStats>> {
    const byNs = await ipLinksOfNamespaces<IpLinkStats>(links.flatMap((l) => [l.a.netns, l.b.netns]));
    const find = (e: LinkEnd): { counters: EndCounters; up: boolean } | null => countersOf(byNs.get(e.netns)?.find((x) => x.ifname === e.ifname));
    const out = new Map<string, LinkStats>();
    for (const l of links) {
      const a = find(l.a);
      const b = find(l.b);
      out.set(l.id, { up: !!a?.up && !!b?.up, a: a?.counters ?? null, b: b?.counters ?? null });
    }
    return out;
  },
};
