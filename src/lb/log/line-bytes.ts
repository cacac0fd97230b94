/**
 * Log lines written as bytes, straight into a sink's send memory (the UDP and UNIX
 * datagram batches, the blocks of an fd sink): the hot path of access logging.
 *
 * Why: the string path (format.ts) builds the message from ~20 small strings, then the
 * syslog line from the message, then copies it as UTF-8 into the batch — each step
 * allocates, and the last one flattens and converts. Here a compiled format becomes a list
 * of byte operations over the record (line-ops.ts), values are encoded straight into the
 * memory (line-encode.ts), the syslog header is a cached byte block, and no string is
 * built for a line. Two ways to run the operations:
 *   - ByteFormat.fast, the operations compiled into one function (line-compile.ts): used
 *     whenever the line surely fits its room;
 *   - writeMessage() with a LineWriter, which applies the `len` limit while writing: the
 *     exact path, for lines that may not fit (and the reference for the fast one).
 *
 * Contract: for every record, format, level, time and `len`, the bytes are exactly those of
 * truncateLine(Buffer.from(framer(level, now, evaluateLogFormat(...)), 'utf8'), len) — the
 * string path stays the reference (line-bytes.test.ts compares them on generated input).
 * Variables without a byte operation of their own (and flags that change their printing)
 * go through their string printer, so every format is served; only JSON lines and the
 * syslog formats whose header carries sub-second dates (rfc5424, iso, timed) are left to
 * the string path (byteFormat() / headerBytes() return null for them).
 */
import type { CompiledFormat, EvalContext, FormatNode } from './format.ts';
import type { LogRecord } from './record.ts';
import type { SyslogFormat } from './types.ts';
import { syslogHeader, type HeaderContext } from './syslog.ts';
import { logDateMs } from './dates.ts';
import { DATE_LEN, NUM_MAX, UTF8_MAX, plainDate, reqMax, wdate, wnum, wreq, wstr, wtext } from './line-encode.ts';
import { K_CAPS, K_DATE_MS, K_NUM, K_PORT, K_PRINT, K_REQ, K_RC, K_SEP, K_STR, K_TEXT, K_TS, K_TSC, numField, op, strField, varOp, type Op } from './line-ops.ts';
import { compileLine, type FastLine } from './line-compile.ts';

export interface ByteFormat {
  readonly ops: readonly Op[];
  /** The same operations as one function (line-compile.ts): the fast path when the line has room. */
  readonly fast: FastLine;
}

const NO_BYTES = new Uint8Array(0);

/** The byte form of a compiled format, or null when only the string path serves it (JSON lines). */
export function byteFormat(fmt: CompiledFormat): ByteFormat | null {
  if (fmt.json) return null;
  const ops: Op[] = [];
  for (const n of fmt.nodes as readonly FormatNode[]) {
    if (n.kind === 'text') ops.push(op(K_TEXT, { bytes: Buffer.from(n.text, 'utf8') }));
    else if (n.kind === 'sep') ops.push(op(K_SEP));
    else ops.push(n.f.j ? op(K_PRINT, { print: n.print }) : varOp(n.v, n.f, n.print));
  }
  return { ops, fast: compileLine(ops) };
}

/** Where a value that may not fit is encoded first (grown on demand; values are short). */
let scratch = new Uint8Array(4096);

function scratchFor(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Writes one line into a byte array between `start` and `start + len`: what does not fit
 * is counted, not written, and finish() then ends the line as truncateLine() does. Values
 * are encoded by line-encode.ts: in place when their largest form fits the room left,
 * else into a scratch array whose first bytes are copied as far as the room goes.
 */
export class LineWriter {
  private buf: Uint8Array = NO_BYTES;
  private start = 0;
  private pos = 0;
  private cap = 0;
  private over = false;

  /** Starts a line at `buf[start]`, at most `len` bytes long. */
  begin(buf: Uint8Array, start: number, len: number): void {
    this.buf = buf;
    this.start = this.pos = start;
    this.cap = start + len;
    this.over = false;
  }

  /** Whether the line did not fit its room (finish() then cut it). */
  get truncated(): boolean {
    return this.over;
  }

  /** Ends the line: its length; a line that did not fit is `len` bytes whose last is '\n'. */
  finish(): number {
    if (!this.over) return this.pos - this.start;
    this.buf[this.cap - 1] = 0x0a;
    return this.cap - this.start;
  }

  byte(c: number): void {
    if (this.pos < this.cap) this.buf[this.pos++] = c;
    else this.over = true;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (!this.fits(n)) { this.cut(b, n); return; }
    if (n > 32) this.buf.set(b, this.pos);
    else for (let i = 0; i < n; i++) this.buf[this.pos + i] = b[i]!;
    this.pos += n;
  }

  /** `s` as UTF-8 (as Buffer.write does: a lone surrogate becomes U+FFFD). */
  str(s: string): void {
    const max = UTF8_MAX * s.length;
    if (this.fits(max)) this.pos = wstr(this.buf, this.pos, s);
    else this.spill(wstr(scratchFor(max), 0, s));
  }

  /** A number as String(n) prints it. */
  num(n: number): void {
    if (this.fits(NUM_MAX)) this.pos = wnum(this.buf, this.pos, n);
    else this.spill(wnum(scratchFor(NUM_MAX), 0, n));
  }

  /** %t / %tr: logDateMs(ms). */
  dateMs(ms: number): void {
    if (!plainDate(ms)) this.str(logDateMs(ms));
    else if (this.fits(DATE_LEN)) this.pos = wdate(this.buf, this.pos, ms);
    else this.spill(wdate(scratchFor(DATE_LEN), 0, ms));
  }

  /** lf_text without E: '-' (or `""` quoted) when empty. */
  text(v: string, q: boolean): void {
    const max = UTF8_MAX * v.length + 2;
    if (this.fits(max)) this.pos = wtext(this.buf, this.pos, v, q);
    else this.spill(wtext(scratchFor(max), 0, v, q));
  }

  /** %r with its Q and E flags (line-encode.ts wreq()). */
  request(r: LogRecord, q: boolean, e: boolean): void {
    const max = reqMax(r, true);
    if (this.fits(max)) this.pos = wreq(this.buf, this.pos, r, q, e, true);
    else this.spill(wreq(scratchFor(max), 0, r, q, e, true));
  }

  /** Whether `n` more bytes surely fit in place. */
  private fits(n: number): boolean {
    return this.pos + n <= this.cap;
  }

  /** cut() of the `n` bytes an encoder just wrote into the scratch array (read after it ran: it may have grown). */
  private spill(n: number): void {
    this.cut(scratch, n);
  }

  /** Writes the first `n` bytes of `from` as far as the room goes (the rest is cut: over). */
  private cut(from: Uint8Array, n: number): void {
    const room = this.cap - this.pos;
    const k = n <= room ? n : room;
    for (let i = 0; i < k; i++) this.buf[this.pos + i] = from[i]!;
    this.pos += k;
    if (n > room) this.over = true;
  }
}

/** Writes the message of `fmt` for record `r` (format.ts's separator rules). */
export function writeMessage(fmt: ByteFormat, r: LogRecord, c: EvalContext, w: LineWriter): void {
  let lastSpace = true;
  const ops = fmt.ops;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    switch (o.k) {
      case K_SEP:
        if (!lastSpace) { w.byte(0x20); lastSpace = true; }
        continue;
      case K_TEXT: w.bytes(o.bytes); break;
      case K_NUM: w.num(numField(r, o.field)); break;
      case K_PORT:
        if (!strField(r, o.field2)) w.byte(0x2d);
        else w.num(numField(r, o.field));
        break;
      case K_STR: w.text(strField(r, o.field), o.q); break;
      case K_TS: w.str(r.ts); break;
      case K_TSC: w.str(r.ts); w.str(r.cookieFlags); break;
      case K_RC: if (r.redispatched) w.byte(0x2b); w.num(r.rc); break;
      case K_REQ: w.request(r, o.q, o.e); break;
      case K_DATE_MS: w.dateMs(numField(r, o.field)); break;
      case K_CAPS: {
        if ((o.field === 0 ? r.hr : r.hs).length === 0) continue; // prints nothing (format.ts headers())
        const v = o.print!(r, c);
        if (v === null) continue;
        w.str(v);
        break;
      }
      default: {
        const v = o.print!(r, c);
        if (v === null) continue;
        w.str(v);
      }
    }
    lastSpace = false;
  }
}

/**
 * The syslog header of a target as bytes: syslog.ts's syslogHeader() encoded once each time
 * it changes (once per second and level); null where that is null (rfc5424, iso, timed),
 * which the string path frames.
 */
export function headerBytes(format: SyslogFormat, facility: number, ctx: HeaderContext): ((level: number, now: number) => Uint8Array) | null {
  const header = syslogHeader(format, facility, ctx);
  if (header === null) return null;
  let text = '';
  let bytes: Uint8Array = NO_BYTES;
  return (level, now) => {
    const h = header(level, now);
    if (h !== text) {
      text = h;
      bytes = Buffer.from(h, 'utf8');
    }
    return bytes;
  };
}
