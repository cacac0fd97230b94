/**
 * The HTTP message model shared by codecs (HTTP/1 now, HTTP/2 later) and the stream
 * logic: a parsed head whose header fields stay as byte ranges of the received buffer
 * (no strings are built for fields that are only forwarded), plus the body framing the
 * codec decided. Everything a smuggling decision depends on is computed once, here.
 */

/** How the body that follows a head is delimited. */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** Responses only: the body ends when the server closes. */
  | { kind: 'close' }
  /** CONNECT 2xx / 101 Switching Protocols: bytes flow both ways until close. */
  | { kind: 'tunnel' };

export interface HeadLimits {
  /** Largest head (start line + fields + final CRLF) accepted: tune.bufsize - tune.maxrewrite. */
  maxHeadBytes: number;
  /** Largest number of header fields (HAProxy's tune.http.maxhdr, 101). */
  maxHeaders: number;
}

export const DEFAULT_LIMITS: HeadLimits = { maxHeadBytes: 16_384 - 1_024, maxHeaders: 101 };

/** Why a message was refused; `status` is what the client gets (400, 414, 431, 501, 505). */
export interface HttpError {
  status: number;
  /** A short machine-stable reason, e.g. 'cl-and-te', 'obs-fold', 'bad-chunk-size'. */
  reason: string;
  /** Offset in the buffer of the byte found wrong, when the parser knows it (show errors). */
  at?: number;
}

interface HeadCommon {
  /** The buffer the head was parsed from; field offsets index into it. */
  readonly buf: Buffer;
  /** Offset of the head's first byte in `buf` (after skipped leading empty lines). */
  readonly start: number;
  /** Offset just past the final CRLF of the head. */
  readonly end: number;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Per field i: nameStart, nameEnd, valueStart, valueEnd (value without OWS) at [4i…4i+3]. */
  readonly fields: readonly number[];
  readonly fieldCount: number;
  readonly framing: BodyFraming;
  /** The connection should be closed after this message (Connection: close, or 1.0 without keep-alive). */
  readonly close: boolean;
  /** `Connection: upgrade` together with an `Upgrade` field. */
  readonly upgrade: boolean;
}

export interface RequestHead extends HeadCommon {
  readonly kind: 'request';
  readonly method: string;
  readonly target: string;
  readonly targetForm: 'origin' | 'absolute' | 'authority' | 'asterisk';
  /** `Expect: 100-continue` was sent. */
  readonly expectContinue: boolean;
}

export interface ResponseHead extends HeadCommon {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

export type ParseOutcome<T> =
  | { state: 'incomplete' }
  | { state: 'done'; head: T }
  | { state: 'error'; error: HttpError };
