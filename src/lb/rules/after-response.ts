/**
 * `http-after-response` rules (HAProxy 2.6): run on every response the client gets —
 * the server's, after the http-response rules, and each one the proxy generates (errors,
 * redirects, deny/return, auth, monitor-uri, the statistics page). The backend's list runs
 * first, then the frontend's (when they differ); `allow` ends the list it is in. Only
 * rewrites exist here, so the response itself is never replaced.
 */
import type { HttpRequestRule, RuleContext } from './types.ts';
import { runResponseRules } from './http-request.ts';
import { parseResponseHead } from '../http/h1-parse.ts';
import { writeResponseHead } from '../http/h1-write.ts';
import { HeadEdits } from '../http/head-edits.ts';
import type { ResponseHead } from '../http/types.ts';

export interface AfterRules {
  /** The backend's rules (empty when the backend is the frontend or none was chosen). */
  be: readonly HttpRequestRule[];
  fe: readonly HttpRequestRule[];
}

export function hasAfterRules(r: AfterRules): boolean {
  return r.be.length > 0 || r.fe.length > 0;
}

/** Runs both lists over `ctx` (ctx.edits is the response's). */
export function runAfterRules(r: AfterRules, ctx: RuleContext): void {
  runResponseRules(r.be, ctx);
  runResponseRules(r.fe, ctx);
}

/**
 * Applies the rules to a complete response built by the proxy; returns it unchanged when
 * no rule touched it. `makeCtx` builds the rule context over the parsed head (the caller
 * exposes the response to fetches such as `status`).
 */
export function rewriteGenerated(buf: Buffer, r: AfterRules, makeCtx: (edits: HeadEdits, head: ResponseHead) => RuleContext, done?: () => void): Buffer {
  const p = parseResponseHead(buf, 'GET');
  if (p.state !== 'done') return buf;
  const head = p.head;
  const edits = new HeadEdits(head);
  try {
    runAfterRules(r, makeCtx(edits, head));
  } finally {
    done?.();
  }
  if (edits.empty) return buf;
  // The writer drops hop-by-hop fields: the generated Connection field is put back.
  const conn: string[] = [];
  const f = head.fields;
  for (let k = 0; k < head.fieldCount; k++) {
    if (head.buf.toString('latin1', f[4 * k]!, f[4 * k + 1]!).toLowerCase() === 'connection') conn.push(`connection: ${head.buf.toString('latin1', f[4 * k + 2]!, f[4 * k + 3]!)}`);
  }
  let out = writeResponseHead(head, [...edits.addedLines(), ...conn], edits.fields, edits.status, edits.reason);
  if (head.minor === 0) out = Buffer.concat([Buffer.from('HTTP/1.0', 'latin1'), out.subarray(8)]);
  return Buffer.concat([out, buf.subarray(head.end)]);
}
