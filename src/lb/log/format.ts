/**
 * HAProxy log-format strings (configuration manual §8.2.6), compiled once into a list of
 * nodes and evaluated per line without parsing again.
 *
 * The language, as HAProxy 2.6 reads it:
 *   - `%name` a variable (a letter then letters/digits, matched whole: `%Tsx` is unknown);
 *   - `%{+Q,-E}name` flags added/removed for that variable (Q quote, X hexadecimal,
 *     E escape `"` `\` `]`; M accepted); `%{…}o` sets the default flags of every later variable;
 *   - `%[expr]` a sample expression, evaluated by a callback (none yet: '-');
 *   - `%%` a literal '%'; `%` followed by a digit or a blank is an error;
 *   - every space is a separator, and consecutive separators print as one space; a
 *     variable that prints nothing (`%hr` without captures) does not break the run, so
 *     "0/0 %hr %hs %{+Q}r" prints `0/0 "GET / HTTP/1.1"`. A leading separator prints
 *     nothing; a trailing one prints a space (HAProxy does the same).
 * Absent strings print '-' (`""` when quoted); absent numbers print -1 where HAProxy does.
 */
import { hostname } from 'node:os';
import type { LogRecord } from './record.ts';
import { logDateGmt, logDateLocal, logDateMs } from './dates.ts';

/** Flags of one variable. */
interface Flags {
  q: boolean;
  x: boolean;
  e: boolean;
}

/** Per-line context beyond the record: the frontend's log line counter (%lc). */
export interface EvalContext {
  lc: number;
}

export type SampleEval = (expr: string, record: LogRecord) => string | undefined;

/** A variable's printer: returns the text, or null for "prints nothing". */
type Printer = (r: LogRecord, c: EvalContext) => string | null;

type Node = { kind: 'text'; text: string } | { kind: 'sep' } | { kind: 'var'; print: Printer };

export interface CompiledFormat {
  readonly nodes: readonly Node[];
  /** HTTP-only variables used (HAProxy refuses them outside mode http), by name. */
  readonly httpOnly: readonly string[];
  /** The source string. */
  readonly source: string;
}

export type CompileResult = { ok: true; format: CompiledFormat } | { ok: false; reason: string };

/** Variables marked "H" (mode http only) in HAProxy's table. */
const HTTP_ONLY = new Set(['CC', 'CS', 'HM', 'HP', 'HPO', 'HQ', 'HU', 'HV', 'Ta', 'Ti', 'Tq', 'TR', 'Tr', 'r', 'tr', 'trg', 'trl', 'tsc']);

const HOST = hostname();

// ---------------------------------------------------------------- value printers

const hex4 = (n: number): string => {
  const h = (n >>> 0).toString(16).toUpperCase();
  return h.length >= 4 ? h : '0000'.slice(h.length) + h;
};

/** HAProxy's lf_text: '-' when empty (`""` quoted); E escapes `"` `\` `]`. */
function text(v: string | undefined, f: Flags): string {
  if (!v) return f.q ? '""' : '-';
  if (f.e) v = v.replace(/["\\\]]/g, '\\$&');
  return f.q ? '"' + v + '"' : v;
}

const NEEDS_ENCODING = /[^\x20-\x7e]|["#]/;
const NEEDS_ENCODING_HDR = /[^\x20-\x7e]|["#{|}]/;

/**
 * §8.6: bytes outside 32–126, '#' and '"' (and '{' '|' '}' in headers) become "#XX".
 * Record strings hold bytes as latin1 characters; anything above 0xff is UTF-8 encoded.
 */
export function encodeLogString(v: string, header = false): string {
  if (!(header ? NEEDS_ENCODING_HDR : NEEDS_ENCODING).test(v)) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const special = c < 32 || c > 126 || c === 0x22 || c === 0x23 || (header && (c === 0x7b || c === 0x7c || c === 0x7d));
    if (!special) { out += v[i]; continue; }
    const bytes = c > 0xff ? Buffer.from(String.fromCodePoint(v.codePointAt(i)!), 'utf8') : [c];
    if (c > 0xffff) i++;
    for (const b of bytes) out += '#' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
  }
  return out;
}

/** An IP: '-' when none; X prints an IPv4 address as 8 hex digits. */
function ip(v: string, f: Flags): string {
  if (!v) return text(v, f);
  if (f.x && v.includes('.') && !v.includes(':')) {
    const p = v.split('.');
    let h = '';
    for (const o of p) h += (Number(o) < 16 ? '0' : '') + Number(o).toString(16).toUpperCase();
    return h;
  }
  return text(v, f);
}

function port(v: number, addr: string, f: Flags): string {
  if (!addr) return '-';
  return f.x ? hex4(v) : String(v);
}

const num = (v: number, f: Flags): string => (f.x ? hex4(v) : String(v));

/** Tq = Th + Ti + TR, -1 if any is -1. */
function tq(r: LogRecord): number {
  return r.Th < 0 || r.Ti < 0 || r.TR < 0 ? -1 : r.Th + r.Ti + r.TR;
}

/** Td = Tt - (Tq + Tw + Tc + Tr): the data transfer time; -1 when a step is missing. */
function td(r: LogRecord): number {
  const q = r.mode === 'http' ? tq(r) : Math.max(0, r.Th);
  const tr = r.mode === 'http' ? r.Tr : 0;
  if (r.Tt < 0 || q < 0 || r.Tw < 0 || r.Tc < 0 || tr < 0) return -1;
  return Math.max(0, r.Tt - (q + r.Tw + r.Tc + tr));
}

/** The parts of the request URI: path without query, path only (no scheme/authority), query. */
function uriPath(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}
function uriPathOnly(uri: string): string {
  let p = uriPath(uri);
  const scheme = p.indexOf('://');
  if (scheme >= 0 && !p.startsWith('/')) {
    const slash = p.indexOf('/', scheme + 3);
    p = slash < 0 ? '' : p.slice(slash);
  }
  return p;
}
function uriQuery(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? '' : uri.slice(q);
}

/** A request-derived string: encoded (§8.6), then lf_text rules. */
function reqText(v: string, f: Flags): string {
  return text(v ? encodeLogString(v) : v, f);
}

/** Captured headers, default style: "{a|b}"; nothing when there are no captures. */
function headers(list: string[], f: Flags): string | null {
  if (list.length === 0) return null;
  let out = '{';
  for (let i = 0; i < list.length; i++) out += (i ? '|' : '') + encodeLogString(list[i]!, true);
  out += '}';
  return f.q ? '"' + out + '"' : out;
}

/** Captured headers, CLF style: one field per header, '-' for an empty one. */
function headersClf(list: string[], f: Flags): string | null {
  if (list.length === 0) return null;
  return list.map((h) => text(h ? encodeLogString(h, true) : h, f)).join(' ');
}

/** Makes the printer of variable `name` with flags `f`, or undefined if the name is unknown. */
function printer(name: string, f: Flags): Printer | undefined {
  switch (name) {
    case 'ci': return (r) => ip(r.ci, f);
    case 'cp': return (r) => port(r.cp, r.ci, f);
    case 'fi': return (r) => ip(r.fi, f);
    case 'fp': return (r) => port(r.fp, r.fi, f);
    case 'bi': return (r) => ip(r.bi, f);
    case 'bp': return (r) => port(r.bp, r.bi, f);
    case 'si': return (r) => ip(r.si, f);
    case 'sp': return (r) => port(r.sp, r.si, f);
    case 'f': case 'ft': return (r) => text(r.f, f);
    case 'b': return (r) => text(r.b, f);
    case 's': return (r) => text(r.s, f);
    case 't': return (r) => logDateMs(r.acceptDate);
    case 'tr': return (r) => logDateMs(r.requestDate);
    case 'trg': return (r) => logDateGmt(r.requestDate);
    case 'trl': return (r) => logDateLocal(r.requestDate);
    case 'T': return (r) => logDateGmt(r.acceptDate);
    case 'Tl': return (r) => logDateLocal(r.acceptDate);
    case 'Ts': return (r) => num(Math.floor(r.acceptDate / 1000), f);
    case 'ms': return (r) => { const m = ((r.acceptDate % 1000) + 1000) % 1000; return m < 10 ? '00' + m : m < 100 ? '0' + m : String(m); };
    case 'Th': return (r) => String(r.Th);
    case 'Ti': return (r) => String(r.Ti);
    case 'TR': return (r) => String(r.TR);
    case 'Tw': return (r) => String(r.Tw);
    case 'Tc': return (r) => String(r.Tc);
    case 'Tr': return (r) => String(r.Tr);
    case 'Ta': return (r) => String(r.Ta);
    case 'Tt': return (r) => String(r.Tt);
    case 'Tq': return (r) => String(tq(r));
    case 'Td': return (r) => String(td(r));
    case 'Tu': return (r) => String(r.Ti > 0 && r.Tt >= 0 ? r.Tt - r.Ti : r.Tt);
    case 'ST': return (r) => String(r.ST);
    case 'B': return (r) => String(r.B);
    case 'U': return (r) => String(r.U);
    case 'CC': case 'CS': return () => text('', f);
    case 'ts': return (r) => r.ts;
    case 'tsc': return (r) => r.ts + r.cookieFlags;
    case 'ac': return (r) => String(r.ac);
    case 'fc': return (r) => String(r.fc);
    case 'bc': return (r) => String(r.bc);
    case 'sc': return (r) => String(r.sc);
    case 'rc': return (r) => (r.redispatched ? '+' : '') + r.rc;
    case 'sq': return (r) => String(r.sq);
    case 'bq': return (r) => String(r.bq);
    case 'hr': return (r) => headers(r.hr, f);
    case 'hs': return (r) => headers(r.hs, f);
    case 'hrl': return (r) => headersClf(r.hr, f);
    case 'hsl': return (r) => headersClf(r.hs, f);
    case 'r': return (r) => {
      let v = r.r ? encodeLogString(r.r) : '<BADREQ>';
      if (f.e) v = v.replace(/[\\\]]/g, '\\$&');
      return f.q ? '"' + v + '"' : v;
    };
    case 'HM': return (r) => reqText(r.method, f);
    case 'HU': return (r) => reqText(r.uri, f);
    case 'HP': return (r) => reqText(uriPath(r.uri), f);
    case 'HPO': return (r) => reqText(uriPathOnly(r.uri), f);
    case 'HQ': return (r) => reqText(uriQuery(r.uri), f);
    case 'HV': return (r) => reqText(r.version, f);
    case 'ID': return (r) => text(r.ID, f);
    case 'pid': return () => num(process.pid, f);
    case 'H': return () => text(HOST, f);
    case 'lc': return (_r, c) => String(c.lc);
    case 'rt': return (r) => (r.rt === undefined ? '-' : num(r.rt, f));
    case 'sslc': case 'sslv': return () => text('', f);
  }
  return undefined;
}

/** Applies "+Q,-X,…" to a copy of `base`. Unknown flag names are ignored, as in HAProxy. */
function applyFlags(base: Flags, args: string): Flags {
  const out = { ...base };
  for (const a of args.split(',')) {
    const on = a[0] === '+' ? true : a[0] === '-' ? false : null;
    if (on === null) continue;
    const name = a.slice(1);
    if (name === 'Q') out.q = on;
    else if (name === 'X') out.x = on;
    else if (name === 'E') out.e = on;
  }
  return out;
}

const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);

/**
 * Compiles a log-format string. `evalSample` evaluates `%[expr]` per line (undefined or a
 * missing callback prints '-'); it is bound now so the hot path does not look it up.
 */
export function compileLogFormat(source: string, evalSample?: SampleEval): CompileResult {
  const nodes: Node[] = [];
  const httpOnly: string[] = [];
  let defaults: Flags = { q: false, x: false, e: false };
  let textRun = '';
  const flushText = (): void => {
    if (textRun) nodes.push({ kind: 'text', text: textRun });
    textRun = '';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ') { flushText(); nodes.push({ kind: 'sep' }); i++; continue; }
    if (c !== '%') { textRun += c; i++; continue; }
    // '%' starts a variable, an argument block, a sample, or '%%'.
    i++;
    const n = source[i];
    if (n === undefined) return { ok: false, reason: `truncated line after '%'` };
    if (n === '%') { textRun += '%'; i++; continue; }
    if (/[0-9 \t]/.test(n)) {
      return { ok: false, reason: `unexpected variable name near '${n}' at position ${i} line : '${source}'. Maybe you want to write a single '%', use the syntax '%%'` };
    }
    let flags = defaults;
    let args = '';
    if (n === '{') {
      const end = source.indexOf('}', i + 1);
      if (end < 0) return { ok: false, reason: `truncated line after '${source.slice(i + 1)}'` };
      args = source.slice(i + 1, end);
      flags = applyFlags(defaults, args);
      i = end + 1;
      if (source[i] !== '[' && !isAlnum(source[i])) {
        return { ok: false, reason: `parse argument modifier without variable name near '%{${args}}'` };
      }
    } else if (n !== '[' && !isAlpha(n)) {
      // HAProxy drops a '%' followed by anything else and keeps the character as text.
      continue;
    }
    if (source[i] === '[') {
      const end = source.indexOf(']', i + 1);
      if (end < 0) return { ok: false, reason: `truncated line after '${source.slice(i + 1)}'` };
      const expr = source.slice(i + 1, end);
      i = end + 1;
      flushText();
      const f = flags;
      nodes.push({ kind: 'var', print: evalSample ? (r) => text(evalSample(expr, r), f) : () => text(undefined, f) });
      continue;
    }
    let j = i;
    while (isAlnum(source[j])) j++;
    const name = source.slice(i, j);
    i = j;
    if (name === 'o') { defaults = flags; continue; }
    const p = printer(name, flags);
    if (!p) {
      return { ok: false, reason: `no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'` };
    }
    if (HTTP_ONLY.has(name) && !httpOnly.includes(name)) httpOnly.push(name);
    flushText();
    nodes.push({ kind: 'var', print: p });
  }
  flushText();
  return { ok: true, format: { nodes, httpOnly, source } };
}

/** Evaluates a compiled format for one record. */
export function evaluateLogFormat(fmt: CompiledFormat, r: LogRecord, c: EvalContext): string {
  let out = '';
  let lastSpace = true;
  const nodes = fmt.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind === 'sep') {
      if (!lastSpace) { out += ' '; lastSpace = true; }
    } else if (n.kind === 'text') {
      out += n.text;
      lastSpace = false;
    } else {
      const v = n.print(r, c);
      if (v !== null) { out += v; lastSpace = false; }
    }
  }
  return out;
}
