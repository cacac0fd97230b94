/**
 * Log-format strings, the `%[expr]` and literal parts: "a %[req.hdr(host),lower] b".
 * `%%` is a literal '%'. Other `%` variables (`%ci`, `%{+Q}o`, `%Tr`…) belong to the
 * logging module: they are handed to `opts.variable`, which returns a part compiler or
 * null (then the string is refused, naming the variable).
 * A `%[…]` whose sample is missing renders as '-' in logs and as nothing in header values
 * and bodies; callers choose with `opts.missing` (default '').
 */
import type { CompileEnv, SampleContext } from './types.ts';
import { SampleError } from './types.ts';
import { parseExpr } from './expr.ts';
import { sampleToString } from './casts.ts';

export type LogPart = (ctx: SampleContext) => string;

export interface LogFormatOptions {
  env: CompileEnv;
  /** Compiles `%name` / `%{flags}name` variables (name without %), or null if unknown. */
  variable?: (name: string, flags: string) => LogPart | null;
  /** Text for a missing sample (HAProxy logs '-'; header values get ''). */
  missing?: string;
  /**
   * Encode control bytes of `%[…]` values as %XX (all below 0x20 except TAB, and 0x7F),
   * as HAProxy 2.6 does for log-format strings of HTTP proxies (return bodies, header
   * values). Default true.
   */
  encodeControls?: boolean;
}

/** %XX for control bytes (HAProxy's http_encode_map as applied by log-format); '%' is kept. */
export function encodeControls(v: string): string {
  let i = 0;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 9) || c === 0x7f) break;
  }
  if (i === v.length) return v;
  let out = v.slice(0, i);
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    out += (c < 0x20 && c !== 9) || c === 0x7f ? '%' + c.toString(16).toUpperCase().padStart(2, '0') : v[i];
  }
  return out;
}

export interface CompiledLogFormat {
  text: string;
  /** True when there are no dynamic parts (the literal can be precomputed). */
  constant: boolean;
  render(ctx: SampleContext): string;
}

export function compileLogFormat(text: string, opts: LogFormatOptions): CompiledLogFormat {
  const parts: (string | LogPart)[] = [];
  const missing = opts.missing ?? '';
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '%') { lit += c; i++; continue; }
    const n = text[i + 1];
    if (n === '%') { lit += '%'; i += 2; continue; }
    let flags = '';
    let j = i + 1;
    if (n === '{') {
      const close = text.indexOf('}', j);
      if (close < 0) throw new SampleError(`missing '}' after '%{' in log-format string '${text}'`);
      flags = text.slice(j + 1, close);
      j = close + 1;
    }
    if (text[j] === '[') {
      const { expr, end } = parseExpr(text, opts.env, j + 1, ']');
      if (text[end] !== ']') throw new SampleError(`missing ']' after sample expression in log-format string '${text}'`);
      if (lit) { parts.push(lit); lit = ''; }
      const ev = expr.eval;
      const enc = opts.encodeControls ?? true;
      parts.push((ctx) => {
        const s = ev(ctx);
        const t = s === null ? null : sampleToString(s);
        if (t === null || t.type !== 'str') return missing;
        return enc ? encodeControls(t.v) : t.v;
      });
      i = end + 1;
      continue;
    }
    let k = j;
    while (k < text.length && /[A-Za-z0-9_]/.test(text[k]!)) k++;
    const name = text.slice(j, k);
    if (name === '') throw new SampleError(`unexpected character after '%' in log-format string '${text}' (write '%%' for a literal '%')`);
    const part = opts.variable?.(name, flags) ?? null;
    if (!part) throw new SampleError(`log-format variable '%${name}' is not supported here`);
    if (lit) { parts.push(lit); lit = ''; }
    parts.push(part);
    i = k;
  }
  if (lit) parts.push(lit);
  if (parts.every((p) => typeof p === 'string')) {
    const s = parts.join('');
    return { text, constant: true, render: () => s };
  }
  const render = (ctx: SampleContext): string => {
    let out = '';
    for (let p = 0; p < parts.length; p++) {
      const x = parts[p]!;
      out += typeof x === 'string' ? x : x(ctx);
    }
    return out;
  };
  return { text, constant: false, render };
}
