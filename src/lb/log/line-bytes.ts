/**
 * Log lines written as bytes, straight into a sink's send memory (the UDP and UNIX
 * datagram batches, the blocks of an fd sink): the hot path of access logging.
 *
 * Why: the string path (format.ts) builds the message from ~20 small strings, then the
 * syslog line from the message, then copies it as UTF-8 into the batch — each step
 * allocates, and the last one flattens and converts. Here a compiled format becomes a list
 * of byte operations over the record: numbers are written digit by digit, names and
 * addresses character by character, the syslog header is a cached byte block, and the
 * `len` limit is applied while writing. No string is built for a line.
 *
 * Contract: for every record, format, level, time and `len`, the bytes are exactly those of
 * truncateLine(Buffer.from(framer(level, now, evaluateLogFormat(...)), 'utf8'), len) — the
 * string path stays the reference (line-bytes.test.ts compares both on generated input).
 * Variables without a byte operation of their own (and flags that change their printing)
 * go through their string printer, so every format is served; only JSON lines and the
 * syslog formats whose header carries sub-second dates (rfc5424, iso, timed) are left to
 * the string path (byteFormat() / headerBytes() return null for them).
 */
import { encodeLogString, type CompiledFormat, type EvalContext, type Flags, type FormatNode, type Printer } from './format.ts';
import type { LogRecord } from './record.ts';
import type { SyslogFormat } from './types.ts';
import { syslogHeader, type HeaderContext } from './syslog.ts';
import { logDateMs } from './dates.ts';

const K_TEXT = 0;
const K_SEP = 1;
/** A number printed as String(n), flags ignored (Th … bq). */
const K_NUM = 2;
/** A port: '-' without an address, else the number (X: 4 hex digits, string path). */
const K_PORT = 3;
/** A string field printed by lf_text (Q honoured; E and X go through the string printer). */
const K_STR = 4;
const K_TS = 5;
const K_TSC = 6;
const K_RC = 7;
/** The request line (%r): #XX encoding, E, Q. */
const K_REQ = 8;
/** A date with milliseconds (%t, %tr). */
const K_DATE_MS = 9;
/** Anything else: its string printer. */
const K_PRINT = 10;

/** One operation; every op has every field so V8 sees a single shape. */
interface Op {
  readonly k: number;
  readonly bytes: Uint8Array;
  /** The record field read: an index into NUM_NAMES (K_NUM, K_PORT, K_DATE_MS) or STR_NAMES (K_STR). */
  readonly field: number;
  /** K_PORT: the address field that decides '-' (an index into STR_NAMES). */
  readonly field2: number;
  readonly q: boolean;
  readonly e: boolean;
  readonly print: Printer | null;
}

export interface ByteFormat {
  readonly ops: readonly Op[];
}

const NO_BYTES = new Uint8Array(0);

/**
 * Record fields by number, read through a switch (numField/strField): a keyed load
 * `r[name]` with a different name per operation is megamorphic and several times slower.
 */
const NUM_NAMES = ['Th', 'Ti', 'TR', 'Tw', 'Tc', 'Tr', 'Ta', 'Tt', 'ST', 'B', 'U', 'ac', 'fc', 'bc', 'sc', 'sq', 'bq',
  'cp', 'fp', 'bp', 'sp', 'acceptDate', 'requestDate'] as const;
const STR_NAMES = ['ci', 'fi', 'bi', 'si', 'f', 'b', 's'] as const;

function numField(r: LogRecord, f: number): number {
  switch (f) {
    case 0: return r.Th; case 1: return r.Ti; case 2: return r.TR; case 3: return r.Tw; case 4: return r.Tc;
    case 5: return r.Tr; case 6: return r.Ta; case 7: return r.Tt; case 8: return r.ST; case 9: return r.B;
    case 10: return r.U; case 11: return r.ac; case 12: return r.fc; case 13: return r.bc; case 14: return r.sc;
    case 15: return r.sq; case 16: return r.bq; case 17: return r.cp; case 18: return r.fp; case 19: return r.bp;
    case 20: return r.sp; case 21: return r.acceptDate; default: return r.requestDate;
  }
}

function strField(r: LogRecord, f: number): string {
  switch (f) {
    case 0: return r.ci; case 1: return r.fi; case 2: return r.bi; case 3: return r.si;
    case 4: return r.f; case 5: return r.b; default: return r.s;
  }
}

const num = (name: string): number => (NUM_NAMES as readonly string[]).indexOf(name);
const str = (name: string): number => (STR_NAMES as readonly string[]).indexOf(name);
/** Variables printed as String(n), flags ignored. */
const NUM_VARS = new Set(NUM_NAMES.slice(0, 17));
const PORTS: Record<string, string> = { cp: 'ci', fp: 'fi', bp: 'bi', sp: 'si' };
const STR_VARS: Record<string, string> = { ci: 'ci', fi: 'fi', bi: 'bi', si: 'si', f: 'f', ft: 'f', b: 'b', s: 's' };
const IPS = new Set(['ci', 'fi', 'bi', 'si']);

function op(k: number, o: Partial<Op> = {}): Op {
  return { k, bytes: o.bytes ?? NO_BYTES, field: o.field ?? 0, field2: o.field2 ?? 0, q: o.q ?? false, e: o.e ?? false, print: o.print ?? null };
}

function varOp(v: string, f: Flags, print: Printer): Op {
  if (NUM_VARS.has(v as never)) return op(K_NUM, { field: num(v) });
  const addr = PORTS[v];
  if (addr && !f.x) return op(K_PORT, { field: num(v), field2: str(addr) });
  const s = STR_VARS[v];
  // E escapes and X turns IPv4 addresses into hex: rare, left to the printer.
  if (s && !f.e && !(f.x && IPS.has(v))) return op(K_STR, { field: str(s), q: f.q });
  switch (v) {
    case 'ts': return op(K_TS);
    case 'tsc': return op(K_TSC);
    case 'rc': return op(K_RC);
    case 'r': return op(K_REQ, { q: f.q, e: f.e });
    case 't': return op(K_DATE_MS, { field: num('acceptDate') });
    case 'tr': return op(K_DATE_MS, { field: num('requestDate') });
  }
  return op(K_PRINT, { print });
}

/** The byte form of a compiled format, or null when only the string path serves it (JSON lines). */
export function byteFormat(fmt: CompiledFormat): ByteFormat | null {
  if (fmt.json) return null;
  const ops: Op[] = [];
  for (const n of fmt.nodes as readonly FormatNode[]) {
    if (n.kind === 'text') ops.push(op(K_TEXT, { bytes: Buffer.from(n.text, 'utf8') }));
    else if (n.kind === 'sep') ops.push(op(K_SEP));
    else ops.push(n.f.j ? op(K_PRINT, { print: n.print }) : varOp(n.v, n.f, n.print));
  }
  return { ops };
}

const HEX = '0123456789ABCDEF';
const DIGITS = new Uint8Array(12);

/**
 * Writes one line into a byte array between `start` and `start + len`: what does not fit
 * is counted, not written, and finish() then ends the line as truncateLine() does.
 */
export class LineWriter {
  private buf: Uint8Array = NO_BYTES;
  private start = 0;
  private pos = 0;
  private cap = 0;
  private over = false;
  private dateSec = NaN;
  private dateHead: Uint8Array = NO_BYTES;

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
    if (this.pos + n <= this.cap) {
      if (n > 32) this.buf.set(b, this.pos);
      else for (let i = 0; i < n; i++) this.buf[this.pos + i] = b[i]!;
      this.pos += n;
      return;
    }
    for (let i = 0; i < n; i++) this.byte(b[i]!);
  }

  /** `s` as UTF-8 (as Buffer.write does: a lone surrogate becomes U+FFFD). */
  str(s: string): void {
    // Locals, not fields, in the loop: V8 keeps them in registers across the byte stores.
    const n = s.length;
    const buf = this.buf;
    const cap = this.cap;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80 && pos < cap) buf[pos++] = c;
      else {
        this.pos = pos;
        if (c < 0x80) this.over = true;
        else i = this.wide(s, i, c);
        pos = this.pos;
      }
    }
    this.pos = pos;
  }

  /** A non-ASCII character at `s[i]`; returns the index of its last code unit. */
  private wide(s: string, i: number, c: number): number {
    if (c < 0x800) {
      this.byte(0xc0 | (c >> 6));
      this.byte(0x80 | (c & 0x3f));
      return i;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        this.byte(0xf0 | (cp >> 18));
        this.byte(0x80 | ((cp >> 12) & 0x3f));
        this.byte(0x80 | ((cp >> 6) & 0x3f));
        this.byte(0x80 | (cp & 0x3f));
        return i + 1;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    this.byte(0xe0 | (c >> 12));
    this.byte(0x80 | ((c >> 6) & 0x3f));
    this.byte(0x80 | (c & 0x3f));
    return i;
  }

  /** A number as String(n) prints it. */
  num(n: number): void {
    // Most numbers of a line are one digit (times in ms, queue and connection counts).
    if (n >= 0 && n <= 9 && (n | 0) === n) { this.byte(0x30 + n); return; }
    if (!Number.isInteger(n) || n >= 0x80000000 || n <= -0x80000000) { this.str(String(n)); return; }
    if (n < 0) { this.byte(0x2d); n = -n; }
    let len = 0;
    do {
      const q = (n / 10) | 0;
      DIGITS[len++] = n - q * 10;
      n = q;
    } while (n !== 0);
    while (len > 0) this.byte(0x30 + DIGITS[--len]!);
  }

  /** %t / %tr: logDateMs() as bytes, the part that changes once a second cached. */
  dateMs(ms: number): void {
    const sec = Math.floor(ms / 1000);
    if (sec !== this.dateSec) {
      this.dateSec = sec;
      const t = logDateMs(sec * 1000);
      this.dateHead = Buffer.from(t.slice(0, t.length - 3), 'utf8'); // up to and with the '.'
    }
    this.bytes(this.dateHead);
    const m = ms - sec * 1000; // in [0, 1000): sec is floor(ms / 1000)
    if (!Number.isInteger(m)) { this.str(logDateMs(ms).slice(this.dateHead.length)); return; }
    this.byte(0x30 + ((m / 100) | 0));
    this.byte(0x30 + (((m / 10) | 0) % 10));
    this.byte(0x30 + (m % 10));
  }

  /** lf_text without E: '-' (or `""` quoted) when empty. */
  text(v: string, q: boolean): void {
    if (!v) { if (q) { this.byte(0x22); this.byte(0x22); } else this.byte(0x2d); return; }
    if (q) this.byte(0x22);
    this.str(v);
    if (q) this.byte(0x22);
  }

  /**
   * The request line of `r` (record.ts requestLine(), written from its three parts when `r.r`
   * is ''): §8.6 #XX encoding (as encodeLogString), then E and Q (as format.ts's %r).
   */
  request(r: LogRecord, q: boolean, e: boolean): void {
    if (q) this.byte(0x22);
    if (r.r !== '') this.requestText(r.r, e);
    else if (r.method === '') this.str('<BADREQ>');
    else {
      this.requestText(r.method, e);
      this.byte(0x20);
      this.requestText(r.uri, e);
      this.byte(0x20);
      this.requestText(r.version, e);
    }
    if (q) this.byte(0x22);
  }

  /** One part of the request line, #XX-encoded (and E-escaped). */
  private requestText(v: string, e: boolean): void {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x23) {
        if (e && (c === 0x5c || c === 0x5d)) this.byte(0x5c);
        this.byte(c);
      } else if (c <= 0xff) this.hexByte(c);
      else {
        // Above latin1 (rare): encodeLogString's #XX of the character's UTF-8 bytes.
        const cp = v.codePointAt(i)!;
        this.str(encodeLogString(String.fromCodePoint(cp)));
        if (cp > 0xffff) i++;
      }
    }
  }

  private hexByte(b: number): void {
    this.byte(0x23);
    this.byte(HEX.charCodeAt(b >> 4));
    this.byte(HEX.charCodeAt(b & 15));
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
