/**
 * Validates a chunked body (RFC 9112 §7.1) that is forwarded as raw bytes, and finds
 * where it ends. Feeding is incremental: bytes may arrive split anywhere, even inside a
 * chunk-size line or a CRLF. Data bytes are skipped in bulk; only framing bytes are
 * inspected. Everything is bounded: chunk sizes below 2^52, a size line (with its
 * extensions) under 4 KiB, trailers under 16 KiB and made of valid field lines.
 */
import { CR, FIELD_VCHAR, HEX_VALUE, HTAB, LF, SP, TCHAR } from './chars.ts';
import type { HttpError } from './types.ts';

const MAX_SIZE_DIGITS = 13; // 13 hex digits < 2^52
const MAX_SIZE_LINE = 4096;
const MAX_TRAILERS = 16_384;

type State =
  | 'size' | 'size-ws' | 'ext' | 'size-lf'
  | 'data' | 'data-cr' | 'data-lf'
  | 'trailer-start' | 'trailer-name' | 'trailer-value' | 'trailer-lf' | 'end-lf'
  | 'done';

export interface ChunkedProgress {
  /** Bytes of `buf` (from `offset`) that belong to the body. */
  consumed: number;
  /** The last chunk and trailers are complete: the message ends here. */
  done: boolean;
  error?: HttpError;
}

export class ChunkedScanner {
  private state: State = 'size';
  private digits = 0;
  private size = 0;
  private remaining = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  /** Position inside `;name[=value]` chunk extensions (RFC 9112 §7.1.1). */
  private ext: 'pre-name' | 'name' | 'post-name' | 'pre-value' | 'token' | 'quoted' | 'escape' | 'post-value' = 'pre-name';

  get finished(): boolean {
    return this.state === 'done';
  }

  /** One byte of a chunk-ext after ';'. Returns false on a syntax error. */
  private extByte(c: number): boolean {
    const ws = c === SP || c === HTAB;
    switch (this.ext) {
      case 'pre-name':
        if (ws) return true;
        if (TCHAR[c] === 1) { this.ext = 'name'; return true; }
        return false;
      case 'name':
      case 'token':
      case 'post-name':
      case 'post-value':
        if (TCHAR[c] === 1 && (this.ext === 'name' || this.ext === 'token')) return true;
        if (ws) { this.ext = this.ext === 'name' || this.ext === 'post-name' ? 'post-name' : 'post-value'; return true; }
        if (c === 0x3d && (this.ext === 'name' || this.ext === 'post-name')) { this.ext = 'pre-value'; return true; }
        if (c === 0x3b) { this.ext = 'pre-name'; return true; }
        if (c === CR) { this.state = 'size-lf'; this.ext = 'pre-name'; return true; }
        return false;
      case 'pre-value':
        if (ws) return true;
        if (c === 0x22) { this.ext = 'quoted'; return true; }
        if (TCHAR[c] === 1) { this.ext = 'token'; return true; }
        return false;
      case 'quoted':
        if (c === 0x22) { this.ext = 'post-value'; return true; }
        if (c === 0x5c) { this.ext = 'escape'; return true; }
        return c !== 0x7f && FIELD_VCHAR[c] === 1;
      case 'escape':
        this.ext = 'quoted';
        return c !== 0x7f && FIELD_VCHAR[c] === 1;
    }
  }

  private err(reason: string, consumed: number): ChunkedProgress {
    return { consumed, done: false, error: { status: 400, reason } };
  }

  feed(buf: Buffer, offset = 0): ChunkedProgress {
    let i = offset;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case 'data': {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'data-cr';
          continue;
        }
        case 'done':
          return { consumed: i - offset, done: true };
      }
      const c = buf[i]!;
      i++;
      switch (this.state) {
        case 'size': {
          const h = HEX_VALUE[c]!;
          if (h >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.err('chunk-size-too-large', i - offset);
            this.size = this.size * 16 + h;
            this.lineBytes++;
            break;
          }
          if (this.digits === 0) return this.err('bad-chunk-size', i - offset);
          if (c === CR) { this.state = 'size-lf'; break; }
          if (c === 0x3b) { this.state = 'ext'; this.lineBytes++; break; }
          if (c === SP || c === HTAB) { this.state = 'size-ws'; this.lineBytes++; break; }
          return this.err('bad-chunk-size', i - offset);
        }
        case 'size-ws':
          // BWS after the size: before an extension or the line end.
          if (c === SP || c === HTAB) { if (++this.lineBytes > MAX_SIZE_LINE) return this.err('chunk-line-too-long', i - offset); break; }
          if (c === 0x3b) { this.state = 'ext'; break; }
          if (c === CR) { this.state = 'size-lf'; break; } // BWS before the line end (as HAProxy)
          return this.err('bad-chunk-size', i - offset);
        case 'ext':
          if (++this.lineBytes > MAX_SIZE_LINE) return this.err('chunk-line-too-long', i - offset);
          if (!this.extByte(c)) return this.err('bad-chunk-extension', i - offset);
          break;
        case 'size-lf':
          if (c !== LF) return this.err('bad-chunk-line-end', i - offset);
          if (this.size === 0) {
            this.state = 'trailer-start';
          } else {
            this.remaining = this.size;
            this.state = 'data';
          }
          this.digits = 0;
          this.size = 0;
          this.lineBytes = 0;
          break;
        case 'data-cr':
          if (c !== CR) return this.err('missing-crlf-after-data', i - offset);
          this.state = 'data-lf';
          break;
        case 'data-lf':
          if (c !== LF) return this.err('missing-crlf-after-data', i - offset);
          this.state = 'size';
          break;
        case 'trailer-start':
          if (++this.trailerBytes > MAX_TRAILERS) return this.err('trailers-too-large', i - offset);
          if (c === CR) { this.state = 'end-lf'; break; }
          if (TCHAR[c] !== 1) return this.err('bad-trailer', i - offset);
          this.state = 'trailer-name';
          break;
        case 'trailer-name':
          if (++this.trailerBytes > MAX_TRAILERS) return this.err('trailers-too-large', i - offset);
          if (TCHAR[c] === 1) break;
          if (c === 0x3a) { this.state = 'trailer-value'; break; }
          return this.err('bad-trailer', i - offset);
        case 'trailer-value':
          if (++this.trailerBytes > MAX_TRAILERS) return this.err('trailers-too-large', i - offset);
          if (c === CR) { this.state = 'trailer-lf'; break; }
          if (FIELD_VCHAR[c] !== 1) return this.err('bad-trailer', i - offset);
          break;
        case 'trailer-lf':
          if (c !== LF) return this.err('bad-trailer', i - offset);
          this.state = 'trailer-start';
          break;
        case 'end-lf':
          if (c !== LF) return this.err('bad-chunk-line-end', i - offset);
          this.state = 'done';
          return { consumed: i - offset, done: true };
      }
    }
    return { consumed: i - offset, done: this.state === 'done' };
  }
}
