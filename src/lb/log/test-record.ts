/** A fixed LogRecord for the log tests (an HTTP GET through fe → be/s1, 2026-11-22 08:52:47.802 UTC). */
import type { LogRecord } from './record.ts';

// 2026-11-22T08:52:47.802Z
export const T0 = Date.UTC(2026, 10, 22, 8, 52, 47, 802);

export function fixedRecord(over: Partial<LogRecord> = {}): LogRecord {
  return {
    ci: '127.0.0.1', cp: 49764, fi: '127.0.0.1', fp: 19080, bi: '127.0.0.1', bp: 50546, si: '127.0.0.1', sp: 19081,
    f: 'fe', b: 'be', s: 's1', acceptDate: T0, requestDate: T0 + 11,
    Th: 0, Ti: 2, TR: 1, Tw: 0, Tc: 3, Tr: 9, Ta: 15, Tt: 17, ST: 200, B: 123, U: 90,
    ts: '--', cookieFlags: '--', ac: 1, fc: 1, bc: 0, sc: 0, rc: 0, redispatched: false, sq: 0, bq: 0,
    r: 'GET /a/b?x=1 HTTP/1.1', method: 'GET', uri: '/a/b?x=1', version: 'HTTP/1.1', hr: [], hs: [],
    mode: 'http', error: false, ...over,
  };
}

