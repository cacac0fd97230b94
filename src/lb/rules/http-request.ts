/**
 * Runs `http-request` (and `http-response`) rules over a transaction (HAProxy's http_req_get_intercept_rule):
 * in order, each rule whose condition holds applies its action; header and start-line
 * rewrites accumulate in the transaction's HeadEdits; the first final action (allow,
 * deny, tarpit, reject, return, redirect, auth) ends the list with a verdict. Side
 * effects beyond the head (captures, log level, timeouts) go through `ctx.txn`.
 */
import type { HttpRequestAction, HttpRequestRule, RuleContext, RuleVerdict, HeaderMatch } from './types.ts';
import type { SampleContext } from '../acl/index.ts';
import { sampleToString, sampleToSint } from '../acl/index.ts';
import { normalizeTarget } from './normalize-uri.ts';

const REASON: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
  303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 407: 'Proxy Authentication Required',
  408: 'Request Time-out', 410: 'Gone', 425: 'Too Early', 429: 'Too Many Requests', 500: 'Internal Server Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Time-out',
};

export function reasonOf(status: number): string {
  return REASON[status] ?? 'Other';
}

/** A complete response built by a rule (`return`, custom `deny`, `redirect`, `auth`). */
function response(status: number, lines: string[], body: string): Buffer {
  const head = [`HTTP/1.1 ${status} ${reasonOf(status)}`, `content-length: ${Buffer.byteLength(body, 'latin1')}`, ...lines];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

function splitTarget(target: string): { path: string; query: string | null } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: null } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

function headerMatcher(match: HeaderMatch | null, pattern: string | null): ((v: string) => boolean) | undefined {
  if (match === null || pattern === null) return undefined;
  switch (match) {
    case 'str': return (v) => v === pattern;
    case 'beg': return (v) => v.startsWith(pattern);
    case 'end': return (v) => v.endsWith(pattern);
    case 'sub': return (v) => v.includes(pattern);
    case 'reg': { const re = new RegExp(pattern); return (v) => re.test(v); }
    case 'found': return () => true;
  }
}

/** del-header -m: the pattern applies to the field name (HAProxy 2.6). */
function delHeader(ctx: RuleContext, a: Extract<HttpRequestAction, { kind: 'del-header' }>): void {
  if (a.match === null || a.match === 'str' || a.match === 'found') { ctx.edits.del(a.name); return; }
  const test = headerMatcher(a.match, a.pattern ?? a.name)!;
  for (const name of ctx.edits.names()) if (test(name.toLowerCase())) ctx.edits.del(name);
}

function currentTarget(ctx: RuleContext): string {
  return ctx.edits.target ?? ctx.target;
}

/** Applies one action; a verdict for final actions, null to go on. */
function apply(ctx: RuleContext, a: HttpRequestAction): RuleVerdict | null {
  switch (a.kind) {
    case 'allow': return { kind: 'continue' };
    case 'reject': return { kind: 'reject' };
    case 'tarpit': return { kind: 'tarpit', status: a.status };
    case 'deny':
    case 'return': {
      if (a.kind === 'deny' && a.body === null && a.headers.length === 0 && a.contentType === null) return { kind: 'error', status: a.status };
      const lines = a.headers.map(([n, v]) => `${n}: ${v(ctx)}`);
      if (a.contentType !== null && a.body !== null) lines.unshift(`content-type: ${a.contentType}`);
      return { kind: 'respond', response: response(a.status, lines, a.body ? a.body(ctx) : ''), close: false };
    }
    case 'redirect': {
      const { path, query } = splitTarget(currentTarget(ctx));
      let location: string;
      if (a.type === 'location') location = a.value(ctx);
      else {
        let p = path;
        if (a.appendSlash && !p.endsWith('/')) p += '/';
        const rest = `${p}${a.dropQuery || query === null ? '' : `?${query}`}`;
        if (a.type === 'prefix') location = `${a.value(ctx).replace(/\/$/, '')}${rest}`;
        else location = `${a.value(ctx)}://${ctx.edits.get('host')[0] ?? ''}${rest}`;
      }
      return { kind: 'respond', response: response(a.code, [`location: ${location}`, 'cache-control: no-cache'], ''), close: false };
    }
    case 'auth':
      return { kind: 'respond', response: response(401, [`www-authenticate: Basic realm="${a.realm}"`, 'content-type: text/html', 'cache-control: no-cache'], '<html><body><h1>401 Unauthorized</h1>\nAuthentication is needed for this resource.\n</body></html>\n'), close: false };
    case 'add-header': ctx.edits.add(a.name, a.value(ctx)); return null;
    case 'set-header': ctx.edits.set(a.name, a.value(ctx)); return null;
    case 'del-header': delHeader(ctx, a); return null;
    case 'replace-header': ctx.edits.replaceHeader(a.name, a.re, a.replacement(ctx)); return null;
    case 'replace-value': ctx.edits.replaceValue(a.name, a.re, a.replacement(ctx)); return null;
    case 'set-method': ctx.edits.method = a.value(ctx); return null;
    case 'set-uri': ctx.edits.target = a.value(ctx); return null;
    case 'set-path': {
      const { query } = splitTarget(currentTarget(ctx));
      ctx.edits.target = `${a.value(ctx)}${query === null ? '' : `?${query}`}`;
      return null;
    }
    case 'set-pathq': ctx.edits.target = a.value(ctx); return null;
    case 'set-var': {
      const sc = ctx.sample as SampleContext | null;
      const v = sc ? a.expr.eval(sc) : null;
      if (sc?.vars && v !== null) sc.vars.set(a.scope, a.name, v);
      return null;
    }
    case 'unset-var':
      (ctx.sample as SampleContext | null)?.vars?.unset(a.scope, a.name);
      return null;
    case 'stick': a.run(ctx.sample); return null;
    case 'capture': {
      const sc = ctx.sample as SampleContext | null;
      const v = sc ? a.expr.eval(sc) : null;
      const s = v === null ? null : sampleToString(v);
      if (s !== null && s.type === 'str') ctx.txn?.capture(a.side, a.slot, a.len, s.v);
      return null;
    }
    case 'set-log-level': ctx.txn?.setLogLevel(a.level); return null;
    case 'set-timeout': {
      let ms = a.ms;
      if (a.expr) {
        const sc = ctx.sample as SampleContext | null;
        const v = sc ? a.expr.eval(sc) : null;
        const n = v === null ? null : sampleToSint(v);
        ms = n !== null && n.type === 'sint' && n.v > 0 ? n.v : null;
      }
      if (ms !== null) ctx.txn?.setTimeout(a.which, ms);
      return null;
    }
    case 'wait-for-body': return null; // handled by runRequestRules (it pauses the list)
    case 'set-status':
      ctx.edits.status = a.status;
      ctx.edits.reason = a.reason ?? reasonOf(a.status);
      return null;
    case 'normalize-uri': {
      const t = normalizeTarget(currentTarget(ctx), a.op, a.option);
      // strict: a malformed %-escape makes the request invalid (HAProxy answers 400).
      if (t === null) return { kind: 'error', status: 400 };
      if (t !== currentTarget(ctx)) ctx.edits.target = t;
      return null;
    }
    case 'use-service': return { kind: 'service', service: a.service };
    case 'set-query': {
      const { path } = splitTarget(currentTarget(ctx));
      const v = a.value(ctx);
      ctx.edits.target = v === '' ? path : `${path}?${v}`;
      return null;
    }
  }
}

/** Actions that change the head: the sample view is refreshed after them. */
const REWRITES: ReadonlySet<HttpRequestAction['kind']> = new Set([
  'add-header', 'set-header', 'del-header', 'replace-header', 'replace-value', 'set-method',
  'set-path', 'set-pathq', 'set-query', 'set-uri', 'set-status', 'normalize-uri',
]);

/** The same machinery over a response head (`http-response`): ctx.edits is the response's. */
export const runResponseRules = (rules: readonly HttpRequestRule[], ctx: RuleContext): RuleVerdict => runRequestRules(rules, ctx);

/**
 * Runs `rules` from index `from`. A `wait-for-body` whose condition holds pauses the list:
 * the verdict says where to resume (the rule after it) once the stream has the body.
 */
export function runRequestRules(rules: readonly HttpRequestRule[], ctx: RuleContext, from = 0): RuleVerdict {
  for (let i = from; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.cond !== null && !r.cond(ctx)) continue;
    const a = r.action;
    if (a.kind === 'wait-for-body') return { kind: 'wait-body', next: i + 1, time: a.time, atLeast: a.atLeast };
    const v = apply(ctx, a);
    if (v !== null) return v;
    if (ctx.refresh !== undefined && REWRITES.has(a.kind)) ctx.refresh();
  }
  return { kind: 'continue' };
}
