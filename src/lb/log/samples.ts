/**
 * `%[expr]` in log-format strings and in unique-id-format: the bridge between the log
 * formatter (src/lb/log/format.ts, which knows records) and the sample engine
 * (src/lb/acl, which knows sample contexts).
 *
 * What may be fetched follows HAProxy 2.6, which checks it when the configuration is
 * read: a log line is written when the transaction is over, when the request and
 * response heads are gone, so `log-format` accepts connection-level fetches, internal
 * states (names, variables, stick counters, `status`, `method`, `unique-id`) and refuses
 * header, URL and buffer fetches with HAProxy's own message (log them with
 * `http-request set-var(txn.x) …` and `%[var(txn.x)]`, as with HAProxy).
 * `unique-id-format` is evaluated while the request is processed: request fetches are
 * fine there, response fetches are refused.
 *
 * At run time each sample is evaluated against a view built from the record: names,
 * addresses and the server's status come from the record (they are what the line reports,
 * and TCP streams have no sample context at all), variables, stick counters and the
 * request view from the stream's context when it attached one.
 */
import type { BackendLookup, CompileEnv, HttpResponseView, Sample, SampleContext } from '../acl/types.ts';
import { compileExpr, SampleError } from '../acl/index.ts';
import { sampleToString } from '../acl/casts.ts';
import { encodeControls } from '../acl/logformat.ts';
import type { LogRecord } from './record.ts';
import type { LogValue, SampleCompiler } from './format.ts';

/** Where the format is evaluated: an access-log line, or a request's unique id. */
export type SampleUse = 'log' | 'unique-id';

/**
 * Request-stage fetches HAProxy still answers at log time: they read the transaction
 * (method, captures, first-request flag, unique id), not the head.
 */
const LOG_TIME_REQUEST = new Set(['method', 'unique-id', 'http_first_req', 'capture.req.hdr', 'capture.req.method', 'capture.req.uri', 'capture.req.ver']);
/** Response-stage fetches HAProxy answers at log time (the transaction's status, captures). */
const LOG_TIME_RESPONSE = new Set(['status', 'res.status', 'capture.res.hdr', 'capture.res.ver']);
/** Fetches reading the request buffer, not the HTTP head (HAProxy names what they need). */
const BUFFER_FETCHES = new Set(['req.len', 'req_len', 'req.payload', 'payload', 'req.payload_lv', 'payload_lv', 'req.proto_http', 'req_proto_http']);
/** HAProxy's unqualified header fetches serve both directions. */
const BOTH_DIRECTIONS = new Set(['hdr', 'hdr_cnt']);

/** What a fetch needs that is missing at `use` time, in HAProxy's words; null: usable. */
export function missingFor(name: string, stage: string, use: SampleUse): string | null {
  if (stage === 'connection') return null;
  if (use === 'unique-id') {
    if (stage === 'request') return null;
    return name === 'status' || name === 'res.status' ? 'HTTP response' : 'HTTP response headers';
  }
  if (stage === 'request') {
    if (LOG_TIME_REQUEST.has(name)) return null;
    if (BUFFER_FETCHES.has(name)) return 'request buffer';
    return BOTH_DIRECTIONS.has(name) ? 'HTTP request headers,HTTP response headers' : 'HTTP request headers';
  }
  return LOG_TIME_RESPONSE.has(name) ? null : 'HTTP response headers';
}

export interface LogSampleOptions {
  env: CompileEnv;
  use: SampleUse;
  /** Backends by name (nbsrv, be_conn…), for streams without a context; null at parse time. */
  backends?: BackendLookup | null;
}

/**
 * A SampleCompiler for log formats. Error messages follow HAProxy 2.6; `{REST}` stands for
 * the rest of the format string from the expression on (HAProxy quotes that).
 */
export function logSampleCompiler(opts: LogSampleOptions): SampleCompiler {
  const backends = opts.backends ?? null;
  return (expr) => {
    let c;
    try {
      c = compileExpr(expr, opts.env);
    } catch (e) {
      if (e instanceof SampleError) throw new Error(`failed to parse sample expression <{REST}> : ${e.message}`);
      throw e;
    }
    const need = missingFor(c.fetch.name, c.fetch.stage, opts.use);
    if (need) throw new Error(`sample fetch <{REST}> may not be reliably used here because it needs '${need}' which is not available here`);
    const ev = c.eval;
    if (opts.use === 'unique-id') {
      // The stream's live context (the record is built from it); a TCP record stands alone.
      return (r) => logValue(ev(r.sample ?? viewOf(r, backends)));
    }
    return (r) => logValue(ev(viewOf(r, backends)));
  };
}

/** A sample as the log prints it: numbers and booleans typed (JSON), the rest as text. */
function logValue(s: Sample | null): LogValue {
  if (s === null) return null;
  if (s.type === 'sint') return s.v;
  if (s.type === 'bool') return s.v;
  const t = sampleToString(s);
  if (t === null || t.type !== 'str') return null;
  // Control bytes would break the line (and syslog framing): %XX, as HAProxy does in HTTP.
  return encodeControls(t.v);
}

/** A status-only response view: at log time HAProxy keeps the status, not the head. */
function statusView(status: number): HttpResponseView {
  return { status, fieldCount: 0, fieldName: () => '', fieldValue: () => '' };
}

/** Views already built, one per record (a line may hold several samples). */
const views = new WeakMap<LogRecord, SampleContext>();

/**
 * The sample context of a finished transaction: the stream's context (when attached) with
 * what the record says laid over it — names, addresses when there is no context, the
 * final status, no request view for a request that was never parsed (<BADREQ>, even on
 * a kept-alive connection). Inheriting from the stream's context keeps every other field
 * (variables, stick counters, whatever fetches read later) without listing them here.
 */
function viewOf(r: LogRecord, lookup: BackendLookup | null): SampleContext {
  let v = views.get(r);
  if (v !== undefined) return v;
  const base = r.sample ?? null;
  const http = r.mode === 'http';
  const own: Record<string, unknown> = {
    frontendName: r.f,
    backendName: r.b,
    serverName: r.s === '<NOSRV>' ? null : r.s,
    req: http && r.method ? base?.req ?? null : null,
    // HAProxy 2.6 answers `status` at log time only for a response that came from the
    // server (Tr known); a status the proxy generated (503, deny…) logs '-'.
    res: http && r.ST > 0 && r.Tr >= 0 ? statusView(r.ST) : null,
    vars: base?.vars ?? null,
    backends: base?.backends ?? lookup,
    currentBackend: base?.currentBackend ?? lookup?.backend(r.b) ?? null,
    uniqueId: (): string | null => r.ID ?? base?.uniqueId() ?? null,
  };
  if (!base) {
    own.srcAddr = r.ci || null;
    own.srcPort = r.cp;
    own.dstAddr = r.fi || null;
    own.dstPort = r.fp;
    own.stick = null;
  }
  v = Object.assign(Object.create(base), own) as SampleContext;
  views.set(r, v);
  return v;
}
