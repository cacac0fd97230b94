/**
 * A SampleContext built from a raw HTTP/1 request head, for tests and tools (and as a
 * reference implementation of the views for the proxy). Not used on the hot path.
 */
import type { BackendLookup, BackendStats, HttpRequestView, HttpResponseView, SampleContext, VarStore } from './types.ts';
import { MapVarStore } from './vars.ts';

export interface TestContextInit {
  /** "GET /p HTTP/1.1\r\nHost: x\r\n…" (the final empty line optional). */
  request?: string;
  body?: Buffer | null;
  response?: { status: number; headers: [string, string][] };
  src?: string;
  srcPort?: number;
  dst?: string;
  dstPort?: number;
  frontend?: string;
  backend?: string | null;
  server?: string | null;
  vars?: VarStore;
  backends?: Record<string, BackendStats>;
  current?: BackendStats | null;
  uniqueId?: string | null;
}

export function parseRequestHead(raw: string, body: Buffer | null = null): HttpRequestView {
  const lines = raw.split('\r\n');
  const [method = '', target = '', proto = ''] = lines[0]!.split(' ');
  const fields: [string, string][] = [];
  for (const l of lines.slice(1)) {
    if (l === '') break;
    const c = l.indexOf(':');
    fields.push([l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()]);
  }
  return {
    method,
    target,
    version: proto.replace(/^HTTP\//, ''),
    fieldCount: fields.length,
    fieldName: (i) => fields[i]![0],
    fieldValue: (i) => fields[i]![1],
    body: () => body,
  };
}

export function testContext(init: TestContextInit = {}): SampleContext {
  const res: HttpResponseView | null = init.response
    ? {
        status: init.response.status,
        fieldCount: init.response.headers.length,
        fieldName: (i) => init.response!.headers[i]![0].toLowerCase(),
        fieldValue: (i) => init.response!.headers[i]![1],
      }
    : null;
  const backends: BackendLookup = { backend: (n) => init.backends?.[n] ?? null };
  return {
    srcAddr: init.src ?? '127.0.0.1',
    srcPort: init.srcPort ?? 40000,
    dstAddr: init.dst ?? '127.0.0.1',
    dstPort: init.dstPort ?? 8080,
    frontendName: init.frontend ?? 'fe',
    backendName: init.backend === undefined ? 'fe' : init.backend,
    serverName: init.server ?? null,
    req: init.request !== undefined ? parseRequestHead(init.request, init.body ?? null) : null,
    res,
    vars: init.vars ?? new MapVarStore(),
    backends,
    currentBackend: init.current ?? null,
    uniqueId: () => init.uniqueId ?? null,
  };
}
