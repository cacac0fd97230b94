/**
 * The request-smuggling and malformed-request corpus: raw HTTP/1.x requests, each with
 * the verdict a strict front proxy must reach and the reason (the RFC 9112 / RFC 9110
 * section, or the attack the bytes stand for).
 *
 * A proxy is the place where two HTTP parsers meet. Smuggling happens when the proxy and
 * the server behind it delimit the same bytes differently (CL.TE, TE.CL, TE.TE), or when
 * one of them "repairs" a malformed message the other reads another way (bare LF, obs-fold,
 * whitespace before a colon). So every case here is either a message we must refuse with
 * a specific status, or a message we must accept with an exact body framing — accepting
 * with the wrong framing is as bad as refusing a valid request.
 *
 * `raw` is the exact byte sequence (read it with Buffer.from(raw, 'latin1')); line ends
 * are always explicit. Each raw message ends exactly where its body ends, so a runner can
 * check that the framing consumed every byte. Where the RFC leaves a choice, the verdict
 * follows HAProxy 2.6 unless the Switchyard HTTP issue demands more strictness (then the
 * `why` says so); test/http/check-with-haproxy.ts compares the corpus with a real HAProxy.
 *
 * The limit cases assume DEFAULT_LIMITS (maxHeadBytes 15360 = tune.bufsize 16384 -
 * tune.maxrewrite 1024, maxHeaders 101 = tune.http.maxhdr).
 */

export type CaseExpect =
  | { status: 400 | 414 | 431 | 501 | 505 }
  | { ok: true; framing: 'none' | 'length' | 'chunked'; length?: number };

export interface SmugglingCase {
  name: string;
  /** Exact bytes, latin1, CRLFs explicit. */
  raw: string;
  expect: CaseExpect;
  /** The RFC section or the attack this case represents. */
  why: string;
}

/** The limits the corpus is written against (mirrors DEFAULT_LIMITS in src/lb/http/types.ts). */
export const CORPUS_LIMITS = { maxHeadBytes: 16_384 - 1_024, maxHeaders: 101 } as const;

const HOST = 'Host: example.com\r\n';
const GET = 'GET / HTTP/1.1\r\n' + HOST;
const POST = 'POST / HTTP/1.1\r\n' + HOST;
/** A valid chunked body carrying "hello". */
const CHUNKED_HELLO = '5\r\nhello\r\n0\r\n\r\n';

const ok = (framing: 'none' | 'length' | 'chunked', length?: number): CaseExpect =>
  length === undefined ? { ok: true, framing } : { ok: true, framing, length };
const bad = (status: 400 | 414 | 431 | 501 | 505): CaseExpect => ({ status });

/** A chunked POST whose head is valid; only the body (after the blank line) varies. */
const chunked = (body: string): string => POST + 'Transfer-Encoding: chunked\r\n\r\n' + body;

/** A GET whose head is exactly `total` bytes long (padding goes into one X-Pad field). */
function headOfSize(total: number): string {
  const fixed = GET + 'X-Pad: ' + '\r\n' + '\r\n';
  return GET + 'X-Pad: ' + 'a'.repeat(total - fixed.length) + '\r\n' + '\r\n';
}

/** A GET with exactly `n` header fields (Host plus n - 1 X-Fn fields). */
function headWithFields(n: number): string {
  let s = GET;
  for (let i = 1; i < n; i++) s += `X-F${i}: v\r\n`;
  return s + '\r\n';
}

const LONG_TARGET = '/' + 'a'.repeat(CORPUS_LIMITS.maxHeadBytes + 640);

export const SMUGGLING_CORPUS: readonly SmugglingCase[] = [
  // ---------------------------------------------------------------- sanity (must pass)
  {
    name: 'valid-get',
    raw: GET + '\r\n',
    expect: ok('none'),
    why: 'Baseline: RFC 9112 §6.3 rule 7 — a request with neither Content-Length nor Transfer-Encoding has no body.',
  },
  {
    name: 'valid-post-content-length',
    raw: POST + 'Content-Length: 5\r\n\r\nhello',
    expect: ok('length', 5),
    why: 'Baseline: RFC 9112 §6.3 rule 6, RFC 9110 §8.6.',
  },
  {
    name: 'valid-post-chunked',
    raw: chunked(CHUNKED_HELLO),
    expect: ok('chunked'),
    why: 'Baseline: RFC 9112 §6.3 rule 4, §7.1.',
  },
  {
    name: 'valid-http10-without-host',
    raw: 'GET / HTTP/1.0\r\n\r\n',
    expect: ok('none'),
    why: 'RFC 9112 §3.2: Host is only mandatory in HTTP/1.1 requests.',
  },
  {
    name: 'valid-content-length-zero',
    raw: POST + 'Content-Length: 0\r\n\r\n',
    expect: ok('length', 0),
    why: 'RFC 9110 §8.6: Content-Length: 0 is an explicit empty body; the codec reports the length it was given.',
  },
  {
    name: 'leading-empty-line-ignored',
    raw: '\r\n' + GET + '\r\n',
    expect: ok('none'),
    why: 'RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) received before the request-line (HAProxy does).',
  },

  // ---------------------------------------------------------------- CL.TE / TE.CL
  {
    name: 'cl-te',
    raw: POST + 'Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX',
    expect: bad(400),
    why: 'CL.TE smuggling. RFC 9112 §6.3 rule 3 says TE overrides CL and the message "ought to be handled as an error"; the Switchyard issue makes it one (HAProxy instead drops CL and forwards).',
  },
  {
    name: 'te-cl',
    raw: POST + 'Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n',
    expect: bad(400),
    why: 'TE.CL smuggling (a back end honouring CL would read "8\\r\\n" and take "SMUGGLED" as the next request). RFC 9112 §6.3 rule 3, §11.2.',
  },
  {
    name: 'cl-te-obfuscated-te',
    raw: POST + 'Content-Length: 4\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
    expect: bad(400),
    why: 'CL with an unknown coding: whoever ignores the bad TE uses CL, whoever honours TE cannot delimit. RFC 9112 §6.3 rules 3 and 4.',
  },
  {
    name: 'cl-te-http10',
    raw: 'POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding must be treated as having faulty framing, even if Content-Length is present.',
  },

  // ---------------------------------------------------------------- TE.TE obfuscations
  {
    name: 'te-xchunked',
    raw: POST + 'Transfer-Encoding: xchunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE.TE obfuscation. RFC 9112 §6.3 rule 4: chunked is not the final coding of a request, so the length cannot be determined → 400.',
  },
  {
    name: 'te-chunked-then-identity',
    raw: POST + 'Transfer-Encoding: chunked, identity\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE.TE obfuscation: the final coding is not chunked. RFC 9112 §6.3 rule 4, §6.1.',
  },
  {
    name: 'te-identity-then-chunked',
    raw: POST + 'Transfer-Encoding: identity, chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9112 §6.1/§6.3 rule 4: chunked is the final (and only) chunked coding; the inner coding is the origin server\'s business.',
  },
  {
    name: 'te-gzip-chunked',
    raw: POST + 'Transfer-Encoding: gzip, chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9112 §6.1: codings are listed in the order applied; chunked last delimits the body.',
  },
  {
    name: 'te-gzip-chunked-no-space',
    raw: POST + 'Transfer-Encoding: gzip,chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9110 §5.6.1: list elements are separated by OWS "," OWS; OWS may be empty.',
  },
  {
    name: 'te-chunked-twice-in-list',
    raw: POST + 'Transfer-Encoding: chunked, chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'RFC 9112 §6.1: a sender MUST NOT apply chunked more than once; double chunking desyncs parsers that unchunk once.',
  },
  {
    name: 'te-chunked-twice-in-two-lines',
    raw: POST + 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'RFC 9110 §5.3: two field lines combine to "chunked, chunked"; RFC 9112 §6.1 forbids chunked twice.',
  },
  {
    name: 'te-split-gzip-then-chunked',
    raw: POST + 'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9110 §5.3: the lines combine to "gzip, chunked", which ends with chunked.',
  },
  {
    name: 'te-split-chunked-then-gzip',
    raw: POST + 'Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE.TE: a parser reading only the first line sees chunked, the combined list "chunked, gzip" does not end with chunked. RFC 9110 §5.3, RFC 9112 §6.3 rule 4.',
  },
  {
    name: 'te-space-before-colon',
    raw: POST + 'Transfer-Encoding : chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE.TE obfuscation. RFC 9112 §5.1: a server MUST reject with 400 any request with whitespace between a field name and the colon.',
  },
  {
    name: 'te-tab-ows',
    raw: POST + 'Transfer-Encoding:\tchunked\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9112 §5.1 / RFC 9110 §5.6.3: OWS is SP or HTAB, so a tab before the value is legal.',
  },
  {
    name: 'te-trailing-ows',
    raw: POST + 'Transfer-Encoding: chunked \t\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9112 §5.1: trailing OWS is not part of the field value.',
  },
  {
    name: 'te-trailing-vertical-tab',
    raw: POST + 'Transfer-Encoding: chunked\x0b\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE.TE obfuscation: VT is not OWS, so the coding is "chunked\\x0b" for us but "chunked" for a back end that trims isspace(). RFC 9110 §5.5 (CTL in a value).',
  },
  {
    name: 'te-leading-nbsp',
    raw: POST + 'Transfer-Encoding: \xa0chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE.TE obfuscation: NBSP (obs-text) is not OWS, the coding is not the token "chunked". RFC 9112 §6.3 rule 4.',
  },
  {
    name: 'te-name-lowercase',
    raw: POST + 'transfer-encoding: chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9110 §5.1: field names are case-insensitive.',
  },
  {
    name: 'te-name-mixed-case',
    raw: POST + 'TrAnSfEr-EnCoDiNg: chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9110 §5.1: field names are case-insensitive.',
  },
  {
    name: 'te-value-uppercase',
    raw: POST + 'Transfer-Encoding: CHUNKED\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9112 §7: transfer-coding names are case-insensitive.',
  },
  {
    name: 'te-quoted-chunked',
    raw: POST + 'Transfer-Encoding: "chunked"\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE.TE obfuscation: a quoted string is not the token chunked. RFC 9112 §6.3 rule 4.',
  },
  {
    name: 'te-http10',
    raw: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'RFC 9112 §6.1: an HTTP/1.0 recipient of Transfer-Encoding MUST treat the framing as faulty (1.0 back ends do not know chunked).',
  },
  {
    name: 'te-obs-fold',
    raw: POST + 'Transfer-Encoding:\r\n chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'TE hidden in a continuation line. RFC 9112 §5.2: a server MUST reject obs-fold with 400 or replace it with SP; the issue demands rejection.',
  },
  {
    name: 'te-empty-value',
    raw: POST + 'Transfer-Encoding: \r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'A present but empty Transfer-Encoding has no final chunked coding: RFC 9112 §6.3 rule 4.',
  },
  {
    name: 'te-leading-empty-list-element',
    raw: POST + 'Transfer-Encoding: , chunked\r\n\r\n' + CHUNKED_HELLO,
    expect: bad(400),
    why: 'Arguable: RFC 9110 §5.6.1.2 says to ignore empty list elements, but HAProxy 2.6 refuses this framing header (422, an unknown empty coding); we refuse too (400).',
  },
  {
    name: 'te-trailing-empty-list-element',
    raw: POST + 'Transfer-Encoding: chunked,\r\n\r\n' + CHUNKED_HELLO,
    expect: ok('chunked'),
    why: 'RFC 9110 §5.6.1.2: a recipient MUST parse and ignore a reasonable number of empty list elements; HAProxy 2.6 accepts a trailing one.',
  },
  {
    name: 'te-underscore-is-another-field',
    raw: POST + 'Transfer_Encoding: chunked\r\n\r\n',
    expect: ok('none'),
    why: '"Transfer_Encoding" is a valid but different token (RFC 9110 §5.1); it must not frame the body (CGI-style back ends that map _ to - are their own problem).',
  },

  // ---------------------------------------------------------------- Content-Length
  {
    name: 'cl-duplicate-identical',
    raw: POST + 'Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello',
    expect: ok('length', 5),
    why: 'RFC 9110 §8.6: identical repeated values MAY be replaced by one (HAProxy does).',
  },
  {
    name: 'cl-list-identical',
    raw: POST + 'Content-Length: 5, 5\r\n\r\nhello',
    expect: ok('length', 5),
    why: 'RFC 9110 §8.6: "Content-Length: 42, 42" MAY be accepted as 42.',
  },
  {
    name: 'cl-list-identical-no-space',
    raw: POST + 'Content-Length: 5,5\r\n\r\nhello',
    expect: ok('length', 5),
    why: 'RFC 9110 §5.6.1 list syntax (OWS may be empty) with §8.6 duplicate folding.',
  },
  {
    name: 'cl-duplicate-differing',
    raw: POST + 'Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    expect: bad(400),
    why: 'CL.CL smuggling: each side picks a different line. RFC 9112 §6.3 rule 5.',
  },
  {
    name: 'cl-list-differing',
    raw: POST + 'Content-Length: 5, 6\r\n\r\nhello!',
    expect: bad(400),
    why: 'CL.CL smuggling within one line. RFC 9112 §6.3 rule 5, RFC 9110 §8.6.',
  },
  {
    name: 'cl-plus-sign',
    raw: POST + 'Content-Length: +5\r\n\r\nhello',
    expect: bad(400),
    why: 'Content-Length = 1*DIGIT (RFC 9110 §8.6); strtol-style parsers accept "+5". RFC 9112 §6.3 rule 5.',
  },
  {
    name: 'cl-negative',
    raw: POST + 'Content-Length: -1\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §8.6 (1*DIGIT); a signed parse gives -1 and a back end may read "until close". RFC 9112 §6.3 rule 5.',
  },
  {
    name: 'cl-hex',
    raw: POST + 'Content-Length: 0x5\r\n\r\nhello',
    expect: bad(400),
    why: 'RFC 9110 §8.6 (1*DIGIT): base-prefix parsers read 5, digit-prefix parsers read 0.',
  },
  {
    name: 'cl-two-numbers-space-separated',
    raw: POST + 'Content-Length:  5 5\r\n\r\nhello',
    expect: bad(400),
    why: 'RFC 9110 §8.6: "5 5" is not 1*DIGIT; parsers that stop at the first space read 5, others 55.',
  },
  {
    name: 'cl-empty',
    raw: POST + 'Content-Length: \r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §8.6 / RFC 9112 §6.3 rule 5: an empty value is invalid (HAProxy rejects it since the 2023 CVE-2023-40225 fix).',
  },
  {
    name: 'cl-leading-empty-element',
    raw: POST + 'Content-Length: , 5\r\n\r\nhello',
    expect: bad(400),
    why: 'RFC 9110 §8.6: Content-Length is 1*DIGIT, not a list; only repeated identical values may be folded (HAProxy 2.6: 400).',
  },
  {
    name: 'cl-trailing-empty-element',
    raw: POST + 'Content-Length: 5,\r\n\r\nhello',
    expect: bad(400),
    why: 'RFC 9110 §8.6: "5," is not a valid Content-Length (HAProxy 2.6: 400).',
  },
  {
    name: 'cl-decimal-point',
    raw: POST + 'Content-Length: 5.0\r\n\r\nhello',
    expect: bad(400),
    why: 'RFC 9110 §8.6 (1*DIGIT); float parsers accept it.',
  },
  {
    name: 'cl-above-2^53',
    raw: POST + 'Content-Length: 9007199254740993\r\n\r\nhello',
    expect: bad(400),
    why: 'RFC 9112 §6.3 rule 5: a length a JS number cannot hold exactly (2^53 + 1) must not be rounded. Also an absurd body.',
  },
  {
    name: 'cl-u64-wraparound',
    raw: POST + 'Content-Length: 18446744073709551621\r\n\r\nhello',
    expect: bad(400),
    why: '2^64 + 5: a 64-bit parser that overflows silently reads 5. RFC 9110 §8.6 (anticipate large numerals).',
  },
  {
    name: 'cl-leading-zeros',
    raw: POST + 'Content-Length: 0005\r\n\r\nhello',
    expect: ok('length', 5),
    why: 'RFC 9110 §8.6: 1*DIGIT allows leading zeros; the value is 5.',
  },
  {
    name: 'cl-no-ows',
    raw: POST + 'Content-Length:5\r\n\r\nhello',
    expect: ok('length', 5),
    why: 'RFC 9112 §5.1: OWS after the colon is optional.',
  },
  {
    name: 'cl-trailing-ows',
    raw: POST + 'Content-Length: 5 \t\r\n\r\nhello',
    expect: ok('length', 5),
    why: 'RFC 9112 §5.1: trailing OWS is not part of the value.',
  },
  {
    name: 'cl-space-before-colon',
    raw: POST + 'Content-Length : 5\r\n\r\nhello',
    expect: bad(400),
    why: 'RFC 9112 §5.1: whitespace between name and colon MUST be rejected with 400 (otherwise a back end may ignore the field and see no body).',
  },

  // ---------------------------------------------------------------- field syntax
  {
    name: 'obs-fold-sp',
    raw: GET + 'X-A: a\r\n b\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §5.2: obs-fold in a request MUST be rejected with 400 or replaced by SP; the issue demands rejection.',
  },
  {
    name: 'obs-fold-htab',
    raw: GET + 'X-A: a\r\n\tb\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §5.2: obs-fold with HTAB.',
  },
  {
    name: 'whitespace-line-after-request-line',
    raw: 'GET / HTTP/1.1\r\n ' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §2.2: a whitespace-preceded line before the first field MUST be rejected or ignored; ignoring it would hide Host.',
  },
  {
    name: 'space-before-colon',
    raw: GET + 'X-A : b\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §5.1: whitespace between field name and colon → 400.',
  },
  {
    name: 'tab-before-colon',
    raw: GET + 'X-A\t: b\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §5.1: whitespace (HTAB) between field name and colon → 400.',
  },
  {
    name: 'empty-field-name',
    raw: GET + ': x\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.1: field-name = token (1*tchar). HAProxy CVE-2023-25725 was an empty-name bug.',
  },
  {
    name: 'field-name-with-at',
    raw: GET + 'Host@: x\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.1/§5.6.2: "@" is not a tchar.',
  },
  {
    name: 'field-name-with-space',
    raw: GET + 'X Y: z\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.6.2: SP is not a tchar (a parser splitting on SP would read field "X").',
  },
  {
    name: 'field-line-without-colon',
    raw: GET + 'X-A\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.',
  },
  {
    name: 'field-name-nul',
    raw: GET + 'X\x00A: b\r\n\r\n',
    expect: bad(400),
    why: 'NUL in a name truncates it for C parsers. RFC 9110 §5.1 (tchar).',
  },
  {
    name: 'field-name-escape-ctl',
    raw: GET + 'X\x1bA: b\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.6.2: CTLs are not tchar.',
  },
  {
    name: 'field-name-obs-text',
    raw: GET + 'X\xe9: b\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.6.2: obs-text is allowed in values, not in names.',
  },
  {
    name: 'field-value-nul',
    raw: GET + 'X-A: a\x00b\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.5: NUL in a value is invalid and dangerous; a recipient MUST reject or replace it (we reject).',
  },
  {
    name: 'field-value-bare-cr',
    raw: GET + 'X-A: a\rb\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.5 and RFC 9112 §2.2: a bare CR MUST be rejected or replaced; a back end may read it as a line end (header injection).',
  },
  {
    name: 'field-value-soh',
    raw: GET + 'X-A: a\x01b\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.5: field-vchar is VCHAR / obs-text; the issue demands rejecting CTLs rather than retaining them.',
  },
  {
    name: 'field-value-del',
    raw: GET + 'X-A: a\x7fb\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.5: DEL (0x7f) is a CTL, not VCHAR.',
  },
  {
    name: 'field-value-obs-text',
    raw: GET + 'X-A: caf\xe9\r\n\r\n',
    expect: ok('none'),
    why: 'RFC 9110 §5.5: obs-text (0x80–0xff) is allowed in field values.',
  },
  {
    name: 'bare-lf-everywhere',
    raw: 'GET / HTTP/1.1\nHost: example.com\n\n',
    expect: bad(400),
    why: 'RFC 9112 §2.2 allows a recipient to accept bare LF; a strict proxy must not, since the server behind may not (LF-based smuggling).',
  },
  {
    name: 'bare-lf-after-request-line',
    raw: 'GET / HTTP/1.1\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §2.2: line terminator must be CRLF (strict).',
  },
  {
    name: 'bare-lf-in-one-field',
    raw: GET + 'X-A: b\nX-B: c\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §2.2: a bare LF inside the head; a back end that does not split on LF sees one field "X-A: b\\nX-B: c".',
  },
  {
    name: 'bare-lf-final-line',
    raw: GET + '\n',
    expect: bad(400),
    why: 'RFC 9112 §2.2: the empty line ending the head must be CRLF; "\\r\\n\\n" vs "\\r\\n\\r\\n" disagreement moves the body start.',
  },
  {
    name: 'bare-cr-line-end',
    raw: 'GET / HTTP/1.1\r' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §2.2: a bare CR outside content MUST be treated as invalid (or replaced by SP).',
  },

  // ---------------------------------------------------------------- request line: method
  {
    name: 'method-with-space',
    raw: 'G ET / HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3: request-line = method SP request-target SP HTTP-version; four words cannot parse.',
  },
  {
    name: 'method-tab-separator',
    raw: 'GET\t/ HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3: the separator is a single SP; whitespace-lenient parsing "can result in request smuggling".',
  },
  {
    name: 'method-empty',
    raw: ' / HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.1: method = token (1*tchar).',
  },
  {
    name: 'method-with-paren',
    raw: 'GE(T / HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9110 §5.6.2: "(" is a delimiter, not a tchar.',
  },
  {
    name: 'method-nul',
    raw: 'G\x00ET / HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'NUL in the method. RFC 9112 §3.1.',
  },
  {
    name: 'method-lowercase-token',
    raw: 'get / HTTP/1.1\r\n' + HOST + '\r\n',
    expect: ok('none'),
    why: 'RFC 9110 §9.1: methods are case-sensitive tokens; "get" is an unknown but valid method a proxy forwards.',
  },
  {
    name: 'request-line-double-space',
    raw: 'GET  / HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3: exactly one SP between the components (strict).',
  },

  // ---------------------------------------------------------------- request line: target
  {
    name: 'authority-form-with-get',
    raw: 'GET example.com:80 HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2.3: authority-form is only used for CONNECT.',
  },
  {
    name: 'connect-authority-form',
    raw: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    expect: ok('none'),
    why: 'RFC 9112 §3.2.3 / RFC 9110 §9.3.6: CONNECT uses authority-form and has no request content.',
  },
  {
    name: 'connect-origin-form',
    raw: 'CONNECT / HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2.3: a CONNECT request-target is authority-form only.',
  },
  {
    name: 'options-asterisk-form',
    raw: 'OPTIONS * HTTP/1.1\r\n' + HOST + '\r\n',
    expect: ok('none'),
    why: 'RFC 9112 §3.2.4: asterisk-form is valid for OPTIONS.',
  },
  {
    name: 'get-asterisk-form',
    raw: 'GET * HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2.4: asterisk-form is only used for server-wide OPTIONS.',
  },
  {
    name: 'absolute-form',
    raw: 'GET http://example.com/x HTTP/1.1\r\n' + HOST + '\r\n',
    expect: ok('none'),
    why: 'RFC 9112 §3.2.2: servers MUST accept absolute-form.',
  },
  {
    name: 'absolute-form-without-host',
    raw: 'GET http://example.com/x HTTP/1.1\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2: a client MUST send Host even with absolute-form, and a server MUST answer 400 to an HTTP/1.1 request without Host.',
  },
  {
    name: 'absolute-form-host-mismatch',
    raw: 'GET http://a.example/x HTTP/1.1\r\nHost: b.example\r\n\r\n',
    expect: bad(400),
    why: 'Routing/ACL bypass: rules read Host (b.example) while RFC 9112 §3.2.2 makes the back end use the target authority (a.example). HAProxy 2.6 refuses (400).',
  },
  {
    name: 'target-with-space',
    raw: 'GET /a b HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2: no whitespace is allowed in the request-target.',
  },
  {
    name: 'target-with-ctl',
    raw: 'GET /a\x01b HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2 / RFC 3986: CTLs are not URI characters.',
  },
  {
    name: 'target-with-nul',
    raw: 'GET /a\x00b HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'NUL in the request-target truncates it for C code (ACL/path bypass). RFC 9112 §3.2.',
  },
  {
    name: 'target-with-del',
    raw: 'GET /a\x7fb HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 3986 §2: DEL is not a URI character.',
  },
  {
    name: 'target-with-fragment',
    raw: 'GET /a#b HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2.1: origin-form has no fragment; "#" lets path ACLs and the back end disagree (HAProxy CVE-2023-45539).',
  },
  {
    name: 'target-with-obs-text',
    raw: 'GET /caf\xe9 HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 3986 §2: non-ASCII octets must be percent-encoded (HAProxy rejects them without accept-invalid-http-request).',
  },
  {
    name: 'target-missing',
    raw: 'GET HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3: two words are not a request-line.',
  },

  // ---------------------------------------------------------------- request line: version
  {
    name: 'version-1.2-treated-as-1.1',
    raw: 'GET / HTTP/1.2\r\n' + HOST + '\r\n',
    expect: ok('none'),
    why: 'RFC 9110 §2.5: a higher minor version of a major version we implement is processed as the highest minor we implement.',
  },
  {
    name: 'version-2.0',
    raw: 'GET / HTTP/2.0\r\n' + HOST + '\r\n',
    expect: bad(505),
    why: 'RFC 9110 §15.6.6: 505 for an unsupported major version.',
  },
  {
    name: 'version-0.9',
    raw: 'GET / HTTP/0.9\r\n' + HOST + '\r\n',
    expect: bad(505),
    why: 'RFC 9110 §15.6.6: major version 0 is not supported (and HTTP/0.9 never sent a version token).',
  },
  {
    name: 'version-no-minor',
    raw: 'GET / HTTP/1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT.',
  },
  {
    name: 'version-lowercase',
    raw: 'GET / http/1.1\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §2.3: HTTP-name is %s"HTTP", case-sensitive.',
  },
  {
    name: 'version-trailing-space',
    raw: 'GET / HTTP/1.1 \r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3: nothing follows HTTP-version on the request-line.',
  },
  {
    name: 'version-two-digit-minor',
    raw: 'GET / HTTP/1.10\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §2.3: one DIGIT per version part.',
  },
  {
    name: 'version-nul',
    raw: 'GET / HTTP/1.1\x00\r\n' + HOST + '\r\n',
    expect: bad(400),
    why: 'NUL after the version. RFC 9112 §2.3.',
  },
  {
    name: 'version-missing-http09',
    raw: 'GET /\r\n\r\n',
    expect: bad(400),
    why: 'HTTP/0.9 simple request: no version on the request-line (RFC 9112 §3); HAProxy refuses 0.9.',
  },

  // ---------------------------------------------------------------- Host
  {
    name: 'host-missing-http11',
    raw: 'GET / HTTP/1.1\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host.',
  },
  {
    name: 'host-duplicate-differing',
    raw: 'GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2: more than one Host field line → 400 (routing and back end may pick different ones).',
  },
  {
    name: 'host-duplicate-identical',
    raw: 'GET / HTTP/1.1\r\n' + HOST + HOST + '\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2: "more than one Host header field line" → 400, even when identical.',
  },
  {
    name: 'host-invalid-value',
    raw: 'GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n',
    expect: bad(400),
    why: 'RFC 9112 §3.2: a Host field with an invalid value (SP is not allowed in uri-host) → 400.',
  },
  {
    name: 'host-empty',
    raw: 'GET / HTTP/1.1\r\nHost: \r\n\r\n',
    expect: ok('none'),
    why: 'RFC 9110 §7.2: a client with no authority sends an empty Host; that is valid.',
  },

  // ---------------------------------------------------------------- limits
  {
    name: 'request-line-too-long',
    raw: 'GET ' + LONG_TARGET + ' HTTP/1.1\r\n' + HOST + '\r\n',
    expect: bad(414),
    why: 'RFC 9112 §3 / RFC 9110 §15.5.15: a request-target longer than the server will parse → 414 (HAProxy: start line does not fit in the buffer).',
  },
  {
    name: 'request-line-unterminated-over-limit',
    raw: 'GET ' + LONG_TARGET,
    expect: bad(414),
    why: 'Resource exhaustion: once more than maxHeadBytes of request-line arrived without CRLF the parser must answer 414, not wait for more.',
  },
  {
    name: 'head-at-limit',
    raw: headOfSize(CORPUS_LIMITS.maxHeadBytes),
    expect: ok('none'),
    why: 'Boundary: a head of exactly maxHeadBytes (start line + fields + final CRLF) is accepted.',
  },
  {
    name: 'head-over-limit-by-one',
    raw: headOfSize(CORPUS_LIMITS.maxHeadBytes + 1),
    expect: bad(431),
    why: 'RFC 6585 §5: 431 Request Header Fields Too Large; one byte over maxHeadBytes.',
  },
  {
    name: 'head-unterminated-over-limit',
    raw: GET + 'X-Pad: ' + 'a'.repeat(CORPUS_LIMITS.maxHeadBytes),
    expect: bad(431),
    why: 'Resource exhaustion: fields keep coming past maxHeadBytes without the final CRLF → 431, not "incomplete".',
  },
  {
    name: 'fields-at-limit',
    raw: headWithFields(CORPUS_LIMITS.maxHeaders),
    expect: ok('none'),
    why: 'Boundary: exactly tune.http.maxhdr (101) fields are accepted.',
  },
  {
    name: 'fields-over-limit',
    raw: headWithFields(CORPUS_LIMITS.maxHeaders + 1),
    expect: bad(431),
    why: 'RFC 6585 §5: more fields than tune.http.maxhdr → 431 (Request Header Fields Too Large).',
  },

  // ---------------------------------------------------------------- chunked body
  {
    name: 'chunked-multiple-chunks',
    raw: chunked('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'),
    expect: ok('chunked'),
    why: 'RFC 9112 §7.1: several chunks then last-chunk and an empty trailer section.',
  },
  {
    name: 'chunk-size-uppercase-hex',
    raw: chunked('A\r\n0123456789\r\n0\r\n\r\n'),
    expect: ok('chunked'),
    why: 'RFC 9112 §7.1: chunk-size = 1*HEXDIG, HEXDIG includes A–F (case-insensitive, RFC 5234).',
  },
  {
    name: 'chunk-size-leading-zeros',
    raw: chunked('0005\r\nhello\r\n000\r\n\r\n'),
    expect: ok('chunked'),
    why: 'RFC 9112 §7.1: 1*HEXDIG allows leading zeros, also in last-chunk (1*"0").',
  },
  {
    name: 'chunk-data-with-nul',
    raw: chunked('5\r\nhe\x00lo\r\n0\r\n\r\n'),
    expect: ok('chunked'),
    why: 'Chunk data is opaque octets (RFC 9112 §7.1); a NUL there is content, not an error.',
  },
  {
    name: 'chunk-size-invalid-char',
    raw: chunked('g\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: chunk-size = 1*HEXDIG.',
  },
  {
    name: 'chunk-size-empty',
    raw: chunked('\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: chunk-size needs at least one HEXDIG.',
  },
  {
    name: 'chunk-size-negative',
    raw: chunked('-1\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: "-" is not a HEXDIG (strtol-style parsing).',
  },
  {
    name: 'chunk-size-leading-space',
    raw: chunked(' 5\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: the chunk line starts with HEXDIG; skipping leading space is a known desync vector.',
  },
  {
    name: 'chunk-size-0x-prefix',
    raw: chunked('0x5\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: "0x" prefix is not HEXDIG; a prefix-tolerant parser reads 5, a strict prefix reader 0 (= last chunk).',
  },
  {
    name: 'chunk-size-17-hex-digits',
    raw: chunked('fffffffffffffffff\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: recipients MUST anticipate large numerals and prevent overflow; more than 16 hex digits cannot be a real size.',
  },
  {
    name: 'chunk-size-u64-wraparound',
    raw: chunked('10000000000000000\r\n0\r\n\r\n'),
    expect: bad(400),
    why: '2^64 wraps to 0 in a 64-bit accumulator, which a naive parser takes as the last chunk. RFC 9112 §7.1 (overflow).',
  },
  {
    name: 'chunk-size-above-2^53',
    raw: chunked('20000000000001\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: 2^53 + 1 loses precision in a JS number; refuse rather than miscount (MUST prevent precision loss).',
  },
  {
    name: 'chunk-size-trailing-space',
    raw: chunked('5 \r\nhello\r\n0\r\n\r\n'),
    expect: ok('chunked'),
    why: 'Arguable: RFC 9112 §7.1.1 has BWS only before ";", but HAProxy 2.6 accepts whitespace after the size, and no reading of "5 " gives another size.',
  },
  {
    name: 'chunk-ext-valid',
    raw: chunked('5;foo=bar\r\nhello\r\n0\r\n\r\n'),
    expect: ok('chunked'),
    why: 'RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ).',
  },
  {
    name: 'chunk-ext-quoted-value',
    raw: chunked('5;foo="a b"\r\nhello\r\n0;x\r\n\r\n'),
    expect: ok('chunked'),
    why: 'RFC 9112 §7.1.1: chunk-ext-val = token / quoted-string; an extension on the last chunk is allowed too.',
  },
  {
    name: 'chunk-ext-bws',
    raw: chunked('5 ; foo = bar\r\nhello\r\n0\r\n\r\n'),
    expect: ok('chunked'),
    why: 'RFC 9112 §7.1.1: BWS around ";" and "=" is part of the grammar.',
  },
  {
    name: 'chunk-ext-ctl',
    raw: chunked('5;foo=\x01bar\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1.1: an extension value is a token or quoted-string; CTLs are neither.',
  },
  {
    name: 'chunk-ext-empty-name',
    raw: chunked('5;=bar\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1.1: chunk-ext-name = token (1*tchar).',
  },
  {
    name: 'chunk-ext-bare-lf',
    raw: chunked('5;foo\nbar\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'Chunk-line terminator smuggling: a parser that stops the extension at LF and one that skips to CRLF disagree on where the data starts.',
  },
  {
    name: 'chunk-ext-nul',
    raw: chunked('5;foo=b\x00r\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'NUL in a chunk extension. RFC 9112 §7.1.1.',
  },
  {
    name: 'chunk-size-nul',
    raw: chunked('5\x00\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'NUL after the chunk size: C parsers stop there. RFC 9112 §7.1.',
  },
  {
    name: 'chunk-data-missing-crlf',
    raw: chunked('5\r\nhello0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; a parser that does not check the CRLF after data can be desynced.',
  },
  {
    name: 'chunk-data-longer-than-size',
    raw: chunked('3\r\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: after chunk-size octets the CRLF must follow ("lo" is not CRLF).',
  },
  {
    name: 'chunk-lf-only-after-size',
    raw: chunked('5\nhello\r\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: the chunk line ends with CRLF; bare-LF chunk lines are a known TE.TE desync.',
  },
  {
    name: 'chunk-lf-only-after-data',
    raw: chunked('5\r\nhello\n0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: CRLF after chunk-data (bare LF accepted by some parsers, not others).',
  },
  {
    name: 'chunk-cr-only-after-data',
    raw: chunked('5\r\nhello\r0\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1 / §2.2: bare CR.',
  },
  {
    name: 'chunk-last-line-bare-lf',
    raw: chunked('5\r\nhello\r\n0\r\n\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1: chunked-body ends with trailer-section CRLF; "\\n" here leaves a stray byte for the next request.',
  },
  {
    name: 'chunk-trailer-valid',
    raw: chunked('5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n'),
    expect: ok('chunked'),
    why: 'RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ).',
  },
  {
    name: 'chunk-trailer-invalid-line',
    raw: chunked('5\r\nhello\r\n0\r\nnot a trailer\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §7.1.2: a trailer line must be a field-line (name ":" value).',
  },
  {
    name: 'chunk-trailer-obs-fold',
    raw: chunked('5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9112 §5.2 applies to trailers as well: obs-fold → 400.',
  },
  {
    name: 'chunk-trailer-nul',
    raw: chunked('5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n'),
    expect: bad(400),
    why: 'RFC 9110 §5.5: NUL in a (trailer) field value.',
  },
];
