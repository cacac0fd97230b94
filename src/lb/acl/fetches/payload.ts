/**
 * Layer-6 fetches over the request bytes buffered for `tcp-request content` rules
 * (HAProxy 2.6 §7.3.5): `req.len`, `req.payload(offset,length)`,
 * `req.payload_lv(offset1,length1[,offset2])`. They read `ctx.content`; before the
 * inspection is final an answer that more bytes could change is flagged (ContentView).
 * `req.len` outside content inspection keeps its HTTP meaning here: the buffered body's
 * length (the HTTP engine has no raw request buffer).
 */
import type { ContentView, Sample, SampleContext } from '../types.ts';
import { SampleError } from '../types.ts';
import { defineFetch } from '../registry.ts';
import { intArg } from '../args.ts';

/** Marks that the sample read from `c` may change once more bytes arrive. */
function mayChange(c: ContentView): void {
  if (!c.final) c.mayChange++;
}

defineFetch({
  name: 'req.len', minArgs: 0, maxArgs: 0, out: 'sint', stage: 'request', match: 'int',
  compile: () => (c: SampleContext): Sample => {
    const ct = c.content;
    if (ct) { mayChange(ct); return { type: 'sint', v: ct.data.length }; }
    const b = c.req?.body();
    return { type: 'sint', v: b ? b.length : 0 };
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
