/**
 * A log format's byte operations (line-ops.ts) compiled into one JavaScript function: the
 * fast path of an access-log line.
 *
 * Why: the interpreter (line-bytes.ts writeMessage) pays per operation a dispatch, loads
 * of the operation's fields, a switch to reach the record field, and per byte a room
 * check; in a profile of the bench that was most of the ~0.45 µs an httplog line took.
 * The function made here is straight-line code for one format: constant text as stores of
 * its bytes, each record field read by name, one room check per operation (against the
 * most bytes it can write), so a line is written without per-byte checks.
 *
 * Contract of the compiled function `(r, c, buf, p, cap) => end`: writes the message of
 * record `r` into `buf` from `p`, never at or past `cap`, and returns the end; returns -1
 * when the line might not fit (the caller then writes it with the interpreter, which cuts
 * it exactly). Where it returns an end, the bytes are those of writeMessage (tests compare
 * both with the string path). Printers (K_PRINT, K_CAPS) may run again on that fallback:
 * formats with samples, which may have effects, never take the byte path (access-log.ts).
 *
 * Safety of the generated code: the source is made only of this file's fixed text,
 * numbers (byte values, indexes, limits) and record field names taken from line-ops.ts's
 * fixed lists. Nothing from a configuration (format text, names) becomes code: format text
 * is emitted as byte values, printers are passed in an array.
 */
import type { EvalContext, Printer } from './format.ts';
import type { LogRecord } from './record.ts';
import { DATE_LEN, NUM_MAX, UTF8_MAX, plainDate, reqMax, wdate, wnum, wreq, wstr, wtext } from './line-encode.ts';
import { K_CAPS, K_DATE_MS, K_NUM, K_PORT, K_PRINT, K_RC, K_REQ, K_SEP, K_STR, K_TEXT, K_TS, K_TSC, NUM_NAMES, STR_NAMES, type Op } from './line-ops.ts';

export type FastLine = (r: LogRecord, c: EvalContext, buf: Uint8Array, p: number, cap: number) => number;

const DECLINE: FastLine = () => -1;

/** Constant text longer than this is copied with set() rather than stored byte by byte. */
const INLINE_TEXT = 16;

/** The compiled function of `ops` (see the file's contract). */
export function compileLine(ops: readonly Op[]): FastLine {
  const texts: Uint8Array[] = [];
  const printers: Printer[] = [];
  const src: string[] = ['let ls = true; let v = "";'];
  const full = (n: string): string => `if (p + ${n} > cap) return -1;`;
  for (const o of ops) {
    switch (o.k) {
      case K_TEXT: {
        const b = o.bytes;
        if (b.length <= INLINE_TEXT) {
          const stores = Array.from(b, (x, i) => `buf[p + ${i}] = ${x};`).join(' ');
          src.push(`${full(String(b.length))} ${stores} p += ${b.length};`);
        } else {
          src.push(`${full(String(b.length))} buf.set(T[${texts.length}], p); p += ${b.length};`);
          texts.push(b);
        }
        break;
      }
      case K_SEP:
        src.push('if (!ls) { if (p >= cap) return -1; buf[p++] = 32; ls = true; }');
        continue;
      case K_NUM:
        src.push(`${full(String(NUM_MAX))} p = wnum(buf, p, r.${NUM_NAMES[o.field]});`);
        break;
      case K_PORT:
        src.push(`${full(String(NUM_MAX))} if (!r.${STR_NAMES[o.field2]}) buf[p++] = 45; else p = wnum(buf, p, r.${NUM_NAMES[o.field]});`);
        break;
      case K_STR:
        src.push(`v = r.${STR_NAMES[o.field]}; ${full(`${UTF8_MAX} * v.length + 2`)} p = wtext(buf, p, v, ${o.q});`);
        break;
      case K_TS:
        src.push(`v = r.ts; ${full(`${UTF8_MAX} * v.length`)} p = wstr(buf, p, v);`);
        break;
      case K_TSC:
        src.push(`${full(`${UTF8_MAX} * (r.ts.length + r.cookieFlags.length)`)} p = wstr(buf, p, r.ts); p = wstr(buf, p, r.cookieFlags);`);
        break;
      case K_RC:
        src.push(`${full(String(NUM_MAX + 1))} if (r.redispatched) buf[p++] = 43; p = wnum(buf, p, r.rc);`);
        break;
      case K_REQ:
        src.push(`${full('reqMax(r, false)')} p = wreq(buf, p, r, ${o.q}, ${o.e}, false); if (p < 0) return -1;`);
        break;
      case K_DATE_MS: {
        const f = NUM_NAMES[o.field];
        src.push(`if (!plainDate(r.${f})) return -1; ${full(String(DATE_LEN))} p = wdate(buf, p, r.${f});`);
        break;
      }
      case K_CAPS:
      case K_PRINT: {
        const call = `v = P[${printers.length}](r, c); if (v !== null) { ${full(`${UTF8_MAX} * v.length`)} p = wstr(buf, p, v); ls = false; }`;
        printers.push(o.print!);
        // A print that returns null prints nothing: the separator state stays as it was.
        src.push(o.k === K_CAPS ? `if (r.${o.field === 0 ? 'hr' : 'hs'}.length !== 0) { ${call} }` : call);
        continue;
      }
      default:
        throw new Error(`line-compile: unknown operation ${o.k}`);
    }
    src.push('ls = false;');
  }
  src.push('return p;');
  const body = `return function compiledLine(r, c, buf, p, cap) {\n${src.join('\n')}\n};`;
  let make: (...a: unknown[]) => FastLine;
  try {
    // new Function: see "Safety of the generated code" above.
    make = new Function('T', 'P', 'wstr', 'wnum', 'wtext', 'wreq', 'reqMax', 'wdate', 'plainDate', body) as typeof make;
  } catch {
    // Code generation refused (node --disallow-code-generation-from-strings): every line
    // takes the interpreter, which writes the same bytes.
    return DECLINE;
  }
  return make(texts, printers, wstr, wnum, wtext, wreq, reqMax, wdate, plainDate);
}
