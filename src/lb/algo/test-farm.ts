/** Shared fixtures for the algorithm tests: a farm of servers, a run of picks, a tally. */
import type { LbAlgorithm, LbServer } from './types.ts';

export interface TestServer { id: number; name: string; weight: number; usable: boolean }

/** Servers s1…sN with the given weights, all usable. */
export function farm(weights: number[]): TestServer[] {
  return weights.map((weight, i) => ({ id: i + 1, name: `s${i + 1}`, weight, usable: true }));
}

/** The names of the next `n` picks ('-' for "no server"). */
export function pickNames<S>(algo: LbAlgorithm<S>, state: S, n: number, avoid?: LbServer): string[] {
  return Array.from({ length: n }, () => algo.pick(state, avoid)?.name ?? '-');
}

export function tally(names: string[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const n of names) c[n] = (c[n] ?? 0) + 1;
  return c;
}
