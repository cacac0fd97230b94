/**
 * `unique-id-format`: one identifier per request, made from a log-format string the
 * first time something needs it (the `unique-id` fetch, `unique-id-header`, `%ID` in the
 * access log) and kept for the rest of the transaction (src/lb/core StreamSampleContext
 * caches it). As in HAProxy the format sees the request being processed: addresses,
 * names, dates, %rt, %pid and request-time samples; response values are not known yet.
 * HAProxy keeps at most 127 characters of an ID; so do we.
 */
import type { LogRecord, LogSampleSource } from './record.ts';
import { compileLogFormat, evaluateLogFormat, type SampleCompiler } from './format.ts';

/** The stream's context as the generator reads it. */
export type UniqueIdSource = LogSampleSource & {
  /** When the connection was accepted (ms since the epoch). */
  readonly acceptDate: number;
};

export type UniqueIdGen = (ctx: UniqueIdSource) => string;

const MAX_LEN = 127;

/** Compiles the format once; throws an Error (reason) on a bad format — the parser reported it already. */
export function compileUniqueId(format: string, compileSample: SampleCompiler): UniqueIdGen {
  const c = compileLogFormat(format, compileSample);
  if (!c.ok) throw new Error(`unique-id-format '${format}': ${c.reason}`);
  const fmt = c.format;
  const lc = { lc: 0 };
  return (ctx) => {
    const id = evaluateLogFormat(fmt, recordOf(ctx), lc);
    return id.length > MAX_LEN ? id.slice(0, MAX_LEN) : id;
  };
}

/** IPv4 peers of dual-stack sockets appear as ::ffff:a.b.c.d; formats show a.b.c.d. */
const plain = (a: string | null): string => (a === null ? '' : a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a);

/** The record of a request still in progress: what is known now, -1 for steps not reached. */
function recordOf(ctx: UniqueIdSource): LogRecord {
  const req = ctx.req;
  const now = Date.now();
  const version = req ? `HTTP/${req.version}` : '';
  return {
    ci: plain(ctx.srcAddr), cp: ctx.srcPort, fi: plain(ctx.dstAddr), fp: ctx.dstPort,
    bi: '', bp: 0, si: '', sp: 0,
    f: ctx.frontendName, b: ctx.backendName ?? ctx.frontendName, s: ctx.serverName ?? '<NOSRV>',
    acceptDate: ctx.acceptDate, requestDate: now,
    Th: 0, Ti: -1, TR: -1, Tw: -1, Tc: -1, Tr: -1, Ta: -1, Tt: -1,
    ST: 0, B: 0, U: 0, ts: '--', cookieFlags: '--',
    ac: 0, fc: 0, bc: 0, sc: 0, rc: 0, redispatched: false, sq: 0, bq: 0,
    r: req ? `${req.method} ${req.target} ${version}` : '', method: req?.method ?? '', uri: req?.target ?? '', version,
    hr: [], hs: [], mode: req ? 'http' : 'tcp', error: false,
    sample: ctx,
  };
}
