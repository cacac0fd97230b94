/** Test fixtures: PickRequests built from plain data, and a backend-like request loop. */
import type { HttpPickView, LbAlgorithm, LbServer, PickRequest } from './types.ts';
import type { TestServer } from './test-farm.ts';

export interface RequestSpec {
  target?: string;
  headers?: Record<string, string | string[]>;
  src?: string;
  /** TCP mode: no HTTP view. */
  tcp?: boolean;
}

/** A PickRequest from plain data: origin-form `/` from 127.0.0.1 unless told otherwise. */
export function request(spec: RequestSpec = {}): PickRequest {
  const fields = new Map<string, string[]>();
  for (const [k, v] of Object.entries(spec.headers ?? {})) fields.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
  const http: HttpPickView = {
    method: 'GET',
    target: spec.target ?? '/',
    header: (name) => fields.get(name)?.[0],
    headers: (name) => fields.get(name) ?? [],
  };
  return { srcAddr: spec.src ?? '127.0.0.1', http: spec.tcp ? null : http };
}

/**
 * Serves one request the way the backend does: pick, take a slot (served++, onTake),
 * and — unless `hold` — finish it (served--, onDrop). Returns the server's name or '-'.
 */
export function serve<S>(algo: LbAlgorithm<S>, st: S, req: PickRequest, hold = false, avoid?: LbServer): string {
  const s = algo.pick(st, req, avoid) as TestServer | null;
  if (!s) return '-';
  s.served++;
  algo.onTake?.(st, s);
  if (!hold) {
    s.served--;
    algo.onDrop?.(st, s);
  }
  return s.name;
}
