/**
 * Re-serialises a parsed head for the next hop. Field lines are copied as bytes from the
 * received buffer (no strings), in order, minus the hop-by-hop fields (RFC 9110 §7.6.1):
 * Connection and every field it names, Keep-Alive, Proxy-Connection, TE, Upgrade (kept
 * only when the upgrade is being forwarded). The start line is rebuilt, so what the next
 * hop sees is always well-formed HTTP/1.x with CRLF line ends. `extra` lines (already
 * formatted "Name: value") are appended, e.g. "connection: close" or X-Forwarded-For.
 * `edits` replace field k by a line (or drop it, null), e.g. a Cookie field without the
 * persistence cookie.
 *
 * The result is a view of the received buffer when the head goes out unchanged (the
 * common case of a plain proxy), else a new buffer: callers must not keep it longer than
 * they may keep `h.buf` (and a view of a read buffer follows fast-io.ts's rule).
 */
import { bytesEqualLower } from './h1-parse.ts';
import type { RequestHead, ResponseHead } from './types.ts';

const NONE: string[] = [];

/** Names listed in Connection fields (lower-case), which are hop-by-hop too. */
function connectionOptions(h: RequestHead | ResponseHead): string[] {
  let out = NONE;
  for (let k = 0; k < h.fieldCount; k++) {
    const f = h.fields;
    if (!bytesEqualLower(h.buf, f[k * 4]!, f[k * 4 + 1]!, 'connection')) continue;
    const vs = f[k * 4 + 2]!;
    const ve = f[k * 4 + 3]!;
    // The usual values name no other field: no string is built for them.
    if (bytesEqualLower(h.buf, vs, ve, 'keep-alive') || bytesEqualLower(h.buf, vs, ve, 'close')) continue;
    if (out === NONE) out = [];
    for (const t of h.buf.toString('latin1', vs, ve).split(',')) {
      const name = t.trim().toLowerCase();
      if (name !== '' && name !== 'close' && name !== 'keep-alive' && name !== 'upgrade') out.push(name);
    }
  }
  return out;
}

function isHopByHop(h: RequestHead | ResponseHead, k: number, keepUpgrade: boolean, named: string[]): boolean {
  const s = h.fields[k * 4]!;
  const e = h.fields[k * 4 + 1]!;
  // Most fields are not hop-by-hop: the name's length rules them out without a compare.
  switch (e - s) {
    case 2: if (bytesEqualLower(h.buf, s, e, 'te')) return true; break;
    case 7:
      if (bytesEqualLower(h.buf, s, e, 'trailer')) return true;
      if (!keepUpgrade && bytesEqualLower(h.buf, s, e, 'upgrade')) return true;
      break;
    case 10: if (bytesEqualLower(h.buf, s, e, 'connection') || bytesEqualLower(h.buf, s, e, 'keep-alive')) return true; break;
    case 16: if (bytesEqualLower(h.buf, s, e, 'proxy-connection')) return true; break;
  }
  for (const n of named) if (bytesEqualLower(h.buf, s, e, n)) return true;
  return false;
}

/** Which fields writeFields() keeps (0 drop, 1 copy, 2 edited): scratch reused by every call. */
let keepScratch = new Uint8Array(128);

export type FieldEdits = ReadonlyMap<number, string | null> | null;

/**
 * Copies src[s,e) to dst at pos; returns e - s. Short ranges are copied by a loop:
 * Buffer#copy makes a typed-array view per call, which costs more than a field's bytes.
 */
function copyBytes(src: Buffer, s: number, e: number, dst: Buffer, pos: number): number {
  const n = e - s;
  if (n > 64) return src.copy(dst, pos, s, e);
  for (let i = 0; i < n; i++) dst[pos + i] = src[s + i]!;
  return n;
}

/**
 * The head for the next hop. `startLine` is the new start line with its CRLF, or null
 * when the received one is kept as is: its `lineLen` bytes at h.start are copied.
 * Field lines that follow each other unchanged in the received head (value ending right
 * before the CRLF) are copied as one block.
 */
function writeFields(h: RequestHead | ResponseHead, startLine: string | null, lineLen: number, extra: string[], keepUpgrade: boolean, edits: FieldEdits, tail: Buffer | null, tailLen: number): Buffer {
  const named = connectionOptions(h);
  if (keepUpgrade) extra = [...extra, 'connection: upgrade'];
  const f = h.fields;
  const buf = h.buf;
  // Size first, then one allocation and plain byte copies: no per-field Buffer objects.
  let size = (startLine === null ? lineLen + 2 : startLine.length) + 2 + tailLen;
  if (keepScratch.length < h.fieldCount) keepScratch = new Uint8Array(h.fieldCount);
  const keep = keepScratch;
  // Whether the output is the received head byte for byte: start line kept, every field
  // kept unedited, each line right after the previous one's CRLF, nothing appended.
  let same = startLine === null && extra.length === 0;
  let next = h.start + lineLen + 2;
  for (let k = 0; k < h.fieldCount; k++) {
    keep[k] = 0;
    if (isHopByHop(h, k, keepUpgrade, named)) { same = false; continue; }
    const edit = edits?.get(k);
    if (edit === null) { same = false; continue; }
    if (edit !== undefined) { keep[k] = 2; size += edit.length + 2; same = false; continue; }
    keep[k] = 1;
    const s = f[k * 4]!;
    const e = f[k * 4 + 3]!;
    if (s !== next) same = false;
    next = e + 2;
    size += e - s + 2;
  }
  if (same && next + 2 === h.end) {
    // The usual case of a plain proxy: no allocation, no copy, a view of what was received.
    if (tail === null || tailLen === 0) return buf.subarray(h.start, h.end);
    if (tail.buffer === buf.buffer && tail.byteOffset === buf.byteOffset + h.end) return buf.subarray(h.start, h.end + tailLen);
  }
  for (const x of extra) size += x.length + 2;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  // A pending block of received bytes [runStart, runEnd) to copy, each line's CRLF but the last's included.
  let runStart = -1;
  let runEnd = -1;
  if (startLine === null) { runStart = h.start; runEnd = h.start + lineLen; }
  else pos = out.write(startLine, 0, 'latin1');
  for (let k = 0; k < h.fieldCount; k++) {
    const kind = keep[k];
    if (kind === 0) continue;
    if (kind === 1) {
      const s = f[k * 4]!;
      if (runStart >= 0 && s === runEnd + 2) { runEnd = f[k * 4 + 3]!; continue; }
      if (runStart >= 0) { pos += copyBytes(buf, runStart, runEnd, out, pos); out[pos++] = 0x0d; out[pos++] = 0x0a; }
      runStart = s;
      runEnd = f[k * 4 + 3]!;
      continue;
    }
    if (runStart >= 0) { pos += copyBytes(buf, runStart, runEnd, out, pos); out[pos++] = 0x0d; out[pos++] = 0x0a; runStart = -1; }
    pos += out.write(edits!.get(k)!, pos, 'latin1');
    out[pos++] = 0x0d;
    out[pos++] = 0x0a;
  }
  if (runStart >= 0) { pos += copyBytes(buf, runStart, runEnd, out, pos); out[pos++] = 0x0d; out[pos++] = 0x0a; }
  for (const x of extra) {
    pos += out.write(x, pos, 'latin1');
    out[pos++] = 0x0d;
    out[pos++] = 0x0a;
  }
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  if (tail !== null) copyBytes(tail, 0, tailLen, out, pos);
  return out;
}

/**
 * The request keeps the client's version: an HTTP/1.0 client's request goes out as 1.0, so
 * the server will not answer with chunked encoding the client could not read.
 */
export function writeRequestHead(h: RequestHead, extra: string[] = [], edits: FieldEdits = null, method: string | null = null, target: string | null = null): Buffer {
  if (method === null && target === null) {
    // The parser allows exactly "METHOD SP target SP HTTP/1.d": the received line is
    // kept when its version digit is the one we forward (a 1.2 goes out as 1.1).
    const len = h.method.length + h.target.length + 10;
    if (h.buf[h.start + len - 1] === 0x30 + h.minor) return writeFields(h, null, len, extra, h.upgrade, edits, null, 0);
  }
  return writeFields(h, `${method ?? h.method} ${target ?? h.target} HTTP/1.${h.minor}\r\n`, 0, extra, h.upgrade, edits, null, 0);
}

/** `tail`: the first `tailLen` bytes of it (body bytes that came with the head) follow the head in the same buffer. */
export function writeResponseHead(h: ResponseHead, extra: string[] = [], edits: FieldEdits = null, status: number | null = null, reason: string | null = null, tail: Buffer | null = null, tailLen = 0): Buffer {
  const keepUp = h.upgrade && h.status === 101;
  const tl = tail === null ? 0 : tailLen;
  // A received "HTTP/1.1 NNN reason" line is kept as is (others are rewritten to 1.1).
  if (status === null && reason === null && h.reason !== '' && isHttp11(h.buf, h.start)) return writeFields(h, null, 13 + h.reason.length, extra, keepUp, edits, tail, tl);
  return writeFields(h, `HTTP/1.1 ${status ?? h.status} ${reason ?? h.reason}\r\n`, 0, extra, keepUp, edits, tail, tl);
}

function isHttp11(b: Buffer, s: number): boolean {
  return b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 && b[s + 3] === 0x50 && b[s + 4] === 0x2f && b[s + 5] === 0x31 && b[s + 6] === 0x2e && b[s + 7] === 0x31;
}
