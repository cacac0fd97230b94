/**
 * fast-check generators of valid HTTP/1.1 messages, as raw bytes, for the round-trip
 * properties. Only end-to-end fields are generated (no hop-by-hop field, which the proxy
 * removes by design), so a correct proxy must deliver every byte unchanged.
 */
import fc from 'fast-check';

const TCHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&\'*+-.^_`|~'.split('');
const PCHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-._~!$&\'()*+,;=:@'.split('');
const VCHARS = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i));

/** Names the proxy treats specially (framing, hop-by-hop, forwarding): never generated. */
const RESERVED = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'transfer-encoding', 'content-length', 'host', 'expect', 'x-forwarded-for', 'forwarded']);

const token = (max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...TCHARS), { minLength: 1, maxLength: max }).map((a) => a.join(''));

const fieldName = token(20).filter((n) => !RESERVED.has(n.toLowerCase()) && !n.toLowerCase().startsWith('proxy-'));

/** A field value: visible characters with single inner spaces, no leading/trailing space. */
const fieldValue = fc.array(fc.array(fc.constantFrom(...VCHARS), { minLength: 1, maxLength: 12 }).map((a) => a.join('')), { minLength: 0, maxLength: 4 }).map((w) => w.join(' '));

const fields = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 8 });

const segment = fc.array(fc.constantFrom(...PCHARS), { maxLength: 8 }).map((a) => a.join(''));
const target = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.option(fc.array(fc.constantFrom(...PCHARS, '/', '?'), { maxLength: 16 }).map((a) => a.join('')), { nil: undefined }))
  .map(([segs, q]) => `/${segs.join('/')}${q === undefined ? '' : `?${q}`}`);

const bodyBytes = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));

export type Framing = { kind: 'none' } | { kind: 'length'; body: Buffer } | { kind: 'chunked'; chunks: Buffer[]; exts: string[]; trailers: [string, string][] };

const chunkExt = fc.array(fc.tuple(token(6), fc.option(token(6), { nil: undefined })), { maxLength: 2 })
  .map((xs) => xs.map(([n, v]) => (v === undefined ? `;${n}` : `;${n}=${v}`)).join(''));

const framing: fc.Arbitrary<Framing> = fc.oneof(
  fc.constant<Framing>({ kind: 'none' }),
  bodyBytes.map<Framing>((body) => ({ kind: 'length', body })),
  fc.record({
    chunks: fc.array(fc.uint8Array({ minLength: 1, maxLength: 80 }).map((u) => Buffer.from(u)), { maxLength: 4 }),
    exts: fc.array(chunkExt, { minLength: 5, maxLength: 5 }),
    trailers: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 2 }),
  }).map<Framing>((c) => ({ kind: 'chunked', ...c })),
);

function encodeBody(f: Framing): { lines: string[]; body: Buffer } {
  if (f.kind === 'none') return { lines: [], body: Buffer.alloc(0) };
  if (f.kind === 'length') return { lines: [`Content-Length: ${f.body.length}`], body: f.body };
  const parts: Buffer[] = [];
  f.chunks.forEach((c, i) => {
    parts.push(Buffer.from(`${c.length.toString(16)}${f.exts[i % f.exts.length]}\r\n`, 'latin1'), c, Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`0${f.exts[4]}\r\n${f.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1'));
  return { lines: ['Transfer-Encoding: chunked'], body: Buffer.concat(parts) };
}

/** A valid request: its bytes, and whether the proxy may answer with the server's response to it. */
export const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  target,
  fields,
  framing,
}).map(({ method, target: t, fields: fs, framing: f }) => {
  const { lines, body } = encodeBody(f);
  const head = [`${method} ${t} HTTP/1.1`, 'Host: example.test', ...fs.map(([n, v]) => `${n}: ${v}`), ...lines].join('\r\n');
  return { bytes: Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]), headEnd: Buffer.byteLength(head, 'latin1') + 4, framing: f };
});

/** A valid response to a GET (status with a body that is not 1xx/204/304). */
export const response = fc.record({
  status: fc.constantFrom(200, 201, 202, 203, 206, 400, 403, 404, 500, 503),
  reason: fc.constantFrom('OK', 'Created', 'Whatever Reason', ''),
  fields,
  framing: framing.filter((f) => f.kind !== 'none'),
}).map(({ status, reason, fields: fs, framing: f }) => {
  const { lines, body } = encodeBody(f);
  const head = [`HTTP/1.1 ${status} ${reason}`, ...fs.map(([n, v]) => `${n}: ${v}`), ...lines].join('\r\n');
  return { bytes: Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]), headEnd: Buffer.byteLength(head, 'latin1') + 4, framing: f };
});
