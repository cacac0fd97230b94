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

/** HAProxy 2.6's http_get_reason() (checked code by code against 2.6.12), used by return, set-status, auth. */
const REASON: Record<number, string> = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 210: 'Content Different', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 310: 'Too many Redirects',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Time-out',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Requested range unsatisfiable',
  417: 'Expectation failed', 418: "I'm a teapot", 421: 'Misdirected Request', 422: 'Unprocessable Content',
  423: 'Locked', 424: 'Method failure', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 449: 'Retry With',
  450: 'Blocked by Windows Parental Controls', 451: 'Unavailable For Legal Reasons', 456: 'Unrecoverable Error',
  499: 'client has closed connection', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway or Proxy Error', 503: 'Service Unavailable', 504: 'Gateway Time-out',
  505: 'HTTP Version not supported', 506: 'Variant also negotiate', 507: 'Insufficient storage', 508: 'Loop detected',
  509: 'Bandwidth Limit Exceeded', 510: 'Not extended', 511: 'Network authentication required',
  520: 'Web server is returning an unknown error',
};
const CLASS_REASON = ['Other', 'Informational', 'Success', 'Redirection', 'Client Error', 'Server Error'];

export function reasonOf(status: number): string {
  return REASON[status] ?? CLASS_REASON[status >= 100 && status < 600 ? Math.floor(status / 100) : 0]!;
}

/** A redirect's own status lines (HAProxy's http_apply_redirect_rule: 302 is "Found" there). */
const REDIRECT_REASON: Record<number, string> = { 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };

/** A complete response built by a rule (`return`, custom `deny`, `redirect`, `auth`). */
function response(status: number, lines: string[], body: string, reason = reasonOf(status)): Buffer {
  // HAProxy 2.6 sends no content-length with a 204 (a 304 gets 'content-length: 0').
  const head = status === 204 ? [`HTTP/1.1 ${status} ${reason}`, ...lines] : [`HTTP/1.1 ${status} ${reason}`, `content-length: ${Buffer.byteLength(body, 'latin1')}`, ...lines];
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

const REJECT: RuleVerdict = { kind: 'reject' };
const SILENT_DROP: RuleVerdict = { kind: 'reject', silent: true };

/** Applies one action; a verdict for final actions, null to go on. */
function apply(ctx: RuleContext, a: HttpRequestAction): RuleVerdict | null {
  switch (a.kind) {
    case 'allow': return { kind: 'continue' };
    case 'reject': return a.silent === true ? SILENT_DROP : REJECT;
    case 'tarpit': return { kind: 'tarpit', status: a.status };
    case 'deny':
    case 'return': {
      if ((a.kind === 'deny' || a.errorfile) && a.body === null && a.headers.length === 0 && a.contentType === null) return { kind: 'error', status: a.status };
      // HAProxy (http_reply_to_htx) leaves out a `hdr` whose value formats to nothing.
      const lines: string[] = [];
      for (const [n, v] of a.headers) { const x = v(ctx); if (x !== '') lines.push(`${n}: ${x}`); }
      if (a.contentType !== null && a.body !== null) lines.unshift(`content-type: ${a.contentType}`);
      return { kind: 'respond', response: response(a.status, lines, a.body ? a.body(ctx) : ''), close: false };
    }
    case 'redirect': {
      // HAProxy 2.6 (http_apply_redirect_rule): a prefix of exactly "/" adds nothing; the
      // query is kept unless drop-query; append-slash adds '/' at the very end when it is
      // not the last character — after the query, if one is kept.
      const target = currentTarget(ctx);
      const { path } = splitTarget(target);
      let location: string;
      if (a.type === 'location') location = a.value(ctx);
      else {
        const rest = a.dropQuery ? path : target;
        if (a.type === 'prefix') {
          const pre = a.value(ctx);
          location = `${pre === '/' ? '' : pre}${rest}`;
        } else {
          location = `${a.value(ctx)}://${ctx.edits.get('host')[0] ?? ''}${rest}`;
        }
        if (a.appendSlash && !location.endsWith('/')) location += '/';
      }
      const lines = [`location: ${location}`];
      if (a.code === 302 || a.code === 303 || a.code === 307) lines.push('cache-control: no-cache');
      if (a.cookie) lines.push(`set-cookie: ${a.cookie}`);
      return { kind: 'respond', response: response(a.code, lines, '', REDIRECT_REASON[a.code]), close: false };
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
