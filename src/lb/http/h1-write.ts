/**
 * Re-serialises a parsed head for the next hop. Field lines are copied as bytes from the
 * received buffer (no strings), in order, minus the hop-by-hop fields (RFC 9110 §7.6.1):
 * Connection and every field it names, Keep-Alive, Proxy-Connection, TE, Upgrade (kept
 * only when the upgrade is being forwarded). The start line is rebuilt, so what the next
 * hop sees is always well-formed HTTP/1.x with CRLF line ends. `extra` lines (already
 * formatted "Name: value") are appended, e.g. "connection: close" or X-Forwarded-For.
 * `edits` replace field k by a line (or drop it, null), e.g. a Cookie field without the
 * persistence cookie.
 */
import { bytesEqualLower } from './h1-parse.ts';
import type { RequestHead, ResponseHead } from './types.ts';

const ALWAYS_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer'];

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
  for (const n of ALWAYS_HOP) if (bytesEqualLower(h.buf, s, e, n)) return true;
  if (!keepUpgrade && bytesEqualLower(h.buf, s, e, 'upgrade')) return true;
  for (const n of named) if (bytesEqualLower(h.buf, s, e, n)) return true;
  return false;
}

export type FieldEdits = ReadonlyMap<number, string | null> | null;

function writeFields(h: RequestHead | ResponseHead, startLine: string, extra: string[], keepUpgrade: boolean, edits: FieldEdits): Buffer {
  const named = connectionOptions(h);
  if (keepUpgrade) extra = [...extra, 'connection: upgrade'];
  const f = h.fields;
  // Size first, then one allocation and plain byte copies: no per-field Buffer objects.
  let size = startLine.length + 2;
  const keep = new Uint8Array(h.fieldCount);
  for (let k = 0; k < h.fieldCount; k++) {
    if (isHopByHop(h, k, keepUpgrade, named)) continue;
    const edit = edits?.get(k);
    if (edit === null) continue;
    if (edit !== undefined) { keep[k] = 2; size += edit.length + 2; continue; }
    keep[k] = 1;
    size += f[k * 4 + 3]! - f[k * 4]! + 2;
  }
  for (const x of extra) size += x.length + 2;
  const out = Buffer.allocUnsafe(size);
  let pos = out.write(startLine, 0, 'latin1');
  for (let k = 0; k < h.fieldCount; k++) {
    if (keep[k] === 0) continue;
    if (keep[k] === 2) pos += out.write(edits!.get(k)!, pos, 'latin1');
    else pos += h.buf.copy(out, pos, f[k * 4]!, f[k * 4 + 3]!);
    out[pos++] = 0x0d;
    out[pos++] = 0x0a;
  }
  for (const x of extra) {
    pos += out.write(x, pos, 'latin1');
    out[pos++] = 0x0d;
    out[pos++] = 0x0a;
  }
  out[pos++] = 0x0d;
  out[pos++] = 0x0a;
  return out;
}

/**
 * The request keeps the client's version: an HTTP/1.0 client's request goes out as 1.0, so
 * the server will not answer with chunked encoding the client could not read.
 */
export function writeRequestHead(h: RequestHead, extra: string[] = [], edits: FieldEdits = null, method: string | null = null, target: string | null = null): Buffer {
  return writeFields(h, `${method ?? h.method} ${target ?? h.target} HTTP/1.${h.minor}\r\n`, extra, h.upgrade, edits);
}

export function writeResponseHead(h: ResponseHead, extra: string[] = [], edits: FieldEdits = null, status: number | null = null, reason: string | null = null): Buffer {
  return writeFields(h, `HTTP/1.1 ${status ?? h.status} ${reason ?? h.reason}\r\n`, extra, h.upgrade && h.status === 101, edits);
}
