// bench/e2e/cpu.ts — CPU accounting from /proc for the e2e bench.
// Contract: treeTicks(pid) returns the clock ticks (utime+stime) used so far by the process
// `pid` (all of its threads: /proc/<pid>/stat sums the thread group), by its live descendant
// processes, and by the reaped children it waited for (cutime+cstime). descendants(pid) lists
// live descendant PIDs. clkTck() is `getconf CLK_TCK` (100 if that fails). OtherLoad measures
// how much of the machine's CPU time, between start() and stop(), went to processes outside
// this harness's own tree (a noise indicator). Linux only.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks */
  readonly ticks: number;
  /** stime + cstime: the kernel's part of `ticks` */
  readonly sysTicks: number;
}

/** Parses /proc/<pid>/stat; null if the process is gone or the line is malformed. */
export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const ppid = Number(rest[1]);
  const nums = [rest[11], rest[12], rest[13], rest[14]].map(Number);
  if (!Number.isFinite(ppid) || nums.some((n) => !Number.isFinite(n))) return null;
  return { ppid, ticks: nums.reduce((a, b) => a + b, 0), sysTicks: nums[1]! + nums[3]! };
}

/** Live descendants of `root` (children, grandchildren, …), found by one scan of /proc. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const st = readStat(pid);
    if (st === null) continue;
    const list = children.get(st.ppid);
    if (list) list.push(pid);
    else children.set(st.ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>([root]);
  // Bounded: each PID is visited at most once and /proc was read once.
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const c of children.get(pid) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** Ticks used by `root`, its threads, its live descendants and its reaped children: all, and the kernel's part. */
export function treeCpu(root: number): { ticks: number; sysTicks: number } {
  let ticks = 0;
  let sysTicks = 0;
  for (const pid of [root, ...descendants(root)]) {
    const st = readStat(pid);
    if (st === null) continue;
    ticks += st.ticks;
    sysTicks += st.sysTicks;
  }
  return { ticks, sysTicks };
}

/** Ticks used by `root`, its threads, its live descendants and its reaped children. */
export function treeTicks(root: number): number {
  return treeCpu(root).ticks;
}

let cachedTck: number | undefined;

export function clkTck(): number {
  if (cachedTck !== undefined) return cachedTck;
  let v = 100;
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim());
    if (Number.isFinite(n) && n > 0) v = n;
  } catch {
    // keep the Linux default
  }
  cachedTck = v;
  return v;
}

/** Busy ticks of all CPUs (user+nice+system+irq+softirq+steal) from /proc/stat. */
export function machineBusyTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    return [0, 1, 2, 5, 6, 7].reduce((a, i) => a + (f[i] ?? 0), 0);
  } catch {
    return NaN;
  }
}

export interface LoadMark {
  readonly at: number;
  readonly busy: number;
  readonly own: number;
}

/** A snapshot for otherLoadPct(): wall time, machine busy ticks, this harness's tree ticks. */
export function loadMark(): LoadMark {
  return { at: Date.now(), busy: machineBusyTicks(), own: treeTicks(process.pid) };
}

/** Percent of all CPUs' time since `m` used by processes outside this harness's tree. */
export function otherLoadPct(m: LoadMark, cpus: number): number {
  const now = loadMark();
  const wallTicks = ((now.at - m.at) / 1000) * clkTck() * cpus;
  if (!(wallTicks > 0)) return NaN;
  const foreign = now.busy - m.busy - (now.own - m.own);
  return Math.max(0, (foreign / wallTicks) * 100);
}
