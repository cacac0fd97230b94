/**
 * `option httpchk`: one HTTP/1 exchange per check over our own minimal client — the
 * request HAProxy 2.6 would send (option httpchk's line, overridden by `http-check send`),
 * then the response head parsed by the proxy's strict parser and the body read as its
 * framing says (up to one buffer). `http-check expect` steps judge it; without any, a
 * 2xx or 3xx status passes, as in HAProxy. `http-check connect` steps open new
 * connections (each segment sends once and reads one response).
 *
 * Results use HAProxy's words: "Layer7 wrong status, code: 503, info: "Service
 * Unavailable"", "Layer7 invalid response, info: "HTTP content check did not match"".
 */
import type { CheckRule, ExpectRule, ProxyCheckConfig } from './config.ts';
import type { CheckResult, ProbeTarget } from './types.ts';
import type { ResponseHead } from '../http/types.ts';
import { parseResponseHead } from '../http/h1-parse.ts';
import { ProbeConn } from './conn.ts';
import { connectFailure } from './tcp.ts';

type HttpSend = Extract<CheckRule, { kind: 'http-send' }>;

/** The bytes of the check request. HTTP/1.1 requests carry content-length and connection: close. */
export function buildRequest(hc: ProxyCheckConfig, send: HttpSend | null): { bytes: Buffer; method: string } {
  const meth = send?.meth ?? hc.http.meth;
  const uri = send?.uri ?? hc.http.uri;
  const ver = send?.ver ?? hc.http.ver;
  const body = send?.body ?? '';
  let head = `${meth} ${uri} ${ver}\r\n`;
  for (const [n, v] of [...hc.http.headers, ...(send?.headers ?? [])]) head += `${n.toLowerCase()}: ${v}\r\n`;
  if (ver !== 'HTTP/1.0' || body.length > 0) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  if (ver !== 'HTTP/1.0') head += 'connection: close\r\n';
  return { bytes: Buffer.from(`${head}\r\n${body}`, 'latin1'), method: meth };
}

interface Response {
  head: ResponseHead;
  body: Buffer;
}

export async function runHttpCheck(target: ProbeTarget, hc: ProxyCheckConfig): Promise<CheckResult> {
  const conn = new ProbeConn(target);
  const rules = hc.httpRules;
  try {
    if (rules[0]?.kind !== 'connect') {
      const c = await conn.connect();
      if (!c.ok) return connectFailure(conn, c);
    }
    let method = '';
    let resp: Response | null = null;
    let judged = false;
    const send = (s: HttpSend | null): void => {
      const req = buildRequest(hc, s);
      conn.reset();
      conn.write(req.bytes);
      method = req.method;
      resp = null;
      judged = false;
    };
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.kind === 'connect') {
        if (method && !judged) {
          const last = await judge(conn, method, resp, null, hc.disableOn404);
          if (last.outcome === 'failed') return last;
        }
        conn.close();
        method = '';
        const c = await conn.connect(r.addr ?? target.host, r.port || target.port);
        if (!c.ok) return connectFailure(conn, c, ` at step ${i + 1} of http-check (connect${r.port ? ` port ${r.port}` : ''})`);
      } else if (r.kind === 'http-send') {
        send(r);
      } else if (r.kind === 'expect') {
        if (!method) send(null);
        const got: Response | CheckResult = resp ?? await readResponse(conn, method);
        if (!('head' in got)) return got;
        resp = got;
        const verdict = await judge(conn, method, resp, r, hc.disableOn404);
        if (verdict.outcome !== 'passed') return verdict;
        judged = true;
      }
    }
    if (!method) send(null);
    if (judged && resp) return passed(conn, (resp as Response).head.status);
    return await judge(conn, method, resp, null, hc.disableOn404);
  } finally {
    conn.close();
  }
}

function passed(conn: ProbeConn, code: number): CheckResult {
  return { outcome: 'passed', status: 'L7OK', code, durationMs: conn.elapsed };
}

/** Judges the response with one expect rule, or HAProxy's default (2xx/3xx) when none. */
async function judge(conn: ProbeConn, method: string, have: Response | null, r: ExpectRule | null, disableOn404: boolean): Promise<CheckResult> {
  const got = have ?? await readResponse(conn, method);
  if (!('head' in got)) return got;
  const { head, body } = got;
  const code = head.status;
  const ms = conn.elapsed;
  if (disableOn404 && code === 404) return { outcome: 'condpass', status: 'L7OKC', code, durationMs: ms };
  if (r === null) {
    if (code >= 200 && code < 400) return passed(conn, code);
    return { outcome: 'failed', status: 'L7STS', code, info: head.reason, durationMs: ms };
  }
  let ok: boolean;
  if (r.match === 'status') ok = r.ranges!.some(([lo, hi]) => code >= lo && code <= hi);
  else if (r.match === 'rstatus') ok = new RegExp(r.pattern).test(String(code));
  else {
    if (body.length === 0) return { outcome: 'failed', status: 'L7RSP', info: 'HTTP content check could not find a response body', durationMs: ms };
    ok = r.match === 'string' ? body.includes(Buffer.from(r.pattern, 'latin1')) : new RegExp(r.pattern).test(body.toString('latin1'));
    if (ok === r.inverse) {
      return { outcome: 'failed', status: 'L7RSP', info: r.inverse ? 'HTTP content check matched unwanted content' : 'HTTP content check did not match', durationMs: ms };
    }
    return passed(conn, code);
  }
  if (ok === r.inverse) return { outcome: 'failed', status: 'L7STS', code, info: head.reason, durationMs: ms };
  return passed(conn, code);
}

/** Reads one response: the head, then the body as framed (bounded by the check buffer). */
async function readResponse(conn: ProbeConn, method: string): Promise<Response | CheckResult> {
  let parsed: ReturnType<typeof parseResponseHead> = { state: 'incomplete' };
  const w = await conn.waitFor(() => {
    parsed = parseResponseHead(conn.data, method);
    return parsed.state !== 'incomplete';
  });
  const p = parsed as ReturnType<typeof parseResponseHead>;
  if (p.state === 'incomplete') {
    if (w === 'timeout') return { outcome: 'failed', status: 'L7TOUT', durationMs: conn.elapsed };
    return { outcome: 'failed', status: 'L7RSP', durationMs: conn.elapsed };
  }
  if (p.state === 'error') return { outcome: 'failed', status: 'L7RSP', durationMs: conn.elapsed };
  const head = p.head;
  const f = head.framing;
  let body: Buffer | null = null;
  const bodyNow = (): Buffer => conn.data.subarray(head.end);
  const complete = (): boolean => {
    if (f.kind === 'none' || f.kind === 'tunnel') { body = Buffer.alloc(0); return true; }
    if (f.kind === 'length') {
      if (bodyNow().length < f.length) return false;
      body = bodyNow().subarray(0, f.length);
      return true;
    }
    if (f.kind === 'chunked') {
      const d = dechunk(bodyNow());
      if (d) body = d;
      return d !== null;
    }
    return false; // close-delimited: until the server closes
  };
  const wb = await conn.waitFor(complete);
  if (body === null) {
    if (wb === 'timeout') return { outcome: 'failed', status: 'L7TOUT', durationMs: conn.elapsed };
    // Closed (or buffer full): judge what arrived, as HAProxy does with its buffer.
    body = f.kind === 'chunked' ? dechunkPartial(bodyNow()) : bodyNow();
  }
  return { head, body };
}

/** A complete chunked body decoded, or null while the last chunk has not arrived. */
export function dechunk(buf: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const lf = buf.indexOf('\r\n', i);
    if (lf < 0) return null;
    const size = parseInt(buf.toString('latin1', i, lf).split(';')[0]!.trim(), 16);
    if (Number.isNaN(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    const start = lf + 2;
    if (buf.length < start + size + 2) return null;
    parts.push(buf.subarray(start, start + size));
    i = start + size + 2;
  }
}

function dechunkPartial(buf: Buffer): Buffer {
  return dechunk(buf) ?? buf;
}
