/** Shared fixtures for the algorithm tests: a farm of servers, a run of picks, a tally. */
import type { LbAlgorithm, LbServer, PickRequest } from './types.ts';

export interface TestServer { id: number; name: string; weight: number; usable: boolean; hasRoom: boolean; served: number; maxconn: number }

/** A TCP-mode request from 127.0.0.1 (no HTTP data). */
export const NO_REQ: PickRequest = { srcAddr: '127.0.0.1', http: null };

/** Servers s1…sN with the given weights, all usable. */
export function farm(weights: number[]): TestServer[] {
  return weights.map((weight, i) => ({ id: i + 1, name: `s${i + 1}`, weight, usable: true, hasRoom: true, served: 0, maxconn: 0 }));
}

/** The names of the next `n` picks ('-' for "no server"). */
export function pickNames<S>(algo: LbAlgorithm<S>, state: S, n: number, avoid?: LbServer): string[] {
  return Array.from({ length: n }, () => algo.pick(state, NO_REQ, avoid)?.name ?? '-');
}

export function tally(names: string[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const n of names) c[n] = (c[n] ?? 0) + 1;
  return c;
}
