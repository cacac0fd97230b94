/**
 * Layer-6 fetches over the request bytes buffered for `tcp-request content` rules
 * (HAProxy 2.6 §7.3.5): `req.len`, `req.payload(offset,length)`,
 * `req.payload_lv(offset1,length1[,offset2])`. They read `ctx.content`; before the
 * inspection is final an answer that more bytes could change is flagged (ContentView).
 * `req.len` outside content inspection (an HTTP stream) answers what HAProxy 2.6 answers
 * there: the size of the request in its internal HTX form (htxSize), not a byte count
 * of the wire, so `REQ_CONTENT` (req.len gt 0) is true for every HTTP request.
 */
import type { ContentView, HttpRequestView, Sample, SampleContext } from '../types.ts';
import { SampleError } from '../types.ts';
import { defineFetch } from '../registry.ts';
import { intArg } from '../args.ts';

/** Marks that the sample read from `c` may change once more bytes arrive. */
function mayChange(c: ContentView): void {
  if (!c.final) c.mayChange++;
}

/**
 * The size HAProxy 2.6's req.len reports for an HTTP request: its HTX message as the H1
 * parser built it: the start-line block (20 bytes of struct + method, target, version),
 * each header's name and value (the Connection header without its close/keep-alive
 * tokens, gone when nothing else is left), 1 for end-of-headers, the buffered body,
 * and 1 for the end-of-trailers of a chunked body.
 */
export function htxSize(req: HttpRequestView): number {
  let n = 20 + req.method.length + req.target.length + 5 + req.version.length + 1;
  let chunked = false;
  for (let i = 0; i < req.fieldCount; i++) {
    const name = req.fieldName(i);
    let value = req.fieldValue(i);
    if (name === 'connection') {
      value = value.split(',').map((t) => t.trim()).filter((t) => t !== '' && !/^(close|keep-alive)$/i.test(t)).join(', ');
      if (value === '') continue;
    } else if (name === 'transfer-encoding' && /(^|,)\s*chunked\s*$/i.test(value)) chunked = true;
    n += name.length + value.length;
  }
  const body = req.body();
  return n + (body ? body.length : 0) + (chunked ? 1 : 0);
}

defineFetch({
  name: 'req.len', minArgs: 0, maxArgs: 0, out: 'sint', stage: 'request', match: 'int',
  compile: () => (c: SampleContext): Sample => {
    const ct = c.content;
    if (ct) { mayChange(ct); return { type: 'sint', v: ct.data.length }; }
    return { type: 'sint', v: c.req ? htxSize(c.req) : 0 };
  },
}, 'req_len');

function nonNeg(owner: string, v: string | undefined, what: string): number {
  const n = intArg(owner, v, what);
  if (n < 0) throw new SampleError(`'${owner}' expects ${what} >= 0, got '${v}'`);
  return n;
}

/** The `len` bytes at `off` (len 0: everything from `off`), or null (flagged) when they are not all there yet. */
function slice(ct: ContentView, off: number, len: number): Sample | null {
  const d = ct.data;
  if (len === 0) { mayChange(ct); return off <= d.length ? { type: 'bin', v: d.subarray(off) } : null; }
  if (off + len > d.length) { mayChange(ct); return null; }
  return { type: 'bin', v: d.subarray(off, off + len) };
}

defineFetch({
  name: 'req.payload', minArgs: 2, maxArgs: 2, out: 'bin', stage: 'request', match: 'bin',
  compile: (args) => {
    const off = nonNeg('req.payload', args[0], 'an offset');
    const len = nonNeg('req.payload', args[1], 'a length');
    return (c) => (c.content ? slice(c.content, off, len) : null);
  },
}, 'payload');

defineFetch({
  name: 'req.payload_lv', minArgs: 2, maxArgs: 3, out: 'bin', stage: 'request', match: 'bin',
  compile: (args) => {
    const off1 = nonNeg('req.payload_lv', args[0], 'an offset');
    const len1 = nonNeg('req.payload_lv', args[1], 'a length');
    if (len1 < 1 || len1 > 4) throw new SampleError(`'req.payload_lv' expects a length field of 1 to 4 bytes, got '${args[1]}'`);
    // The data starts after the length field, or at offset2 (relative to that point when signed).
    const rel = args[2] !== undefined && /^[-+]/.test(args[2]);
    const off2 = args[2] !== undefined && args[2] !== '' ? intArg('req.payload_lv', args[2], 'an offset') : 0;
    return (c) => {
      const ct = c.content;
      if (!ct) return null;
      const d = ct.data;
      if (off1 + len1 > d.length) { mayChange(ct); return null; }
      let n = 0;
      for (let i = 0; i < len1; i++) n = n * 256 + d[off1 + i]!;
      const start = args[2] === undefined || args[2] === '' ? off1 + len1 : rel ? off1 + len1 + off2 : off2;
      if (start < 0) return null;
      if (start + n > d.length) { mayChange(ct); return null; }
      return { type: 'bin', v: d.subarray(start, start + n) };
    };
  },
}, 'payload_lv');
