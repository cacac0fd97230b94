/**
 * HAProxy log-format strings (configuration manual §8.2.6), compiled once into a list of
 * nodes and evaluated per line without parsing again.
 *
 * The language, as HAProxy 2.6 reads it:
 *   - `%name` a variable (a letter then letters/digits, matched whole: `%Tsx` is unknown);
 *   - `%{+Q,-E}name` flags added/removed for that variable (Q quote, X hexadecimal,
 *     E escape `"` `\` `]`; M accepted); `%{…}o` sets the default flags of every later variable;
 *   - `%[expr]` a sample expression, compiled once by a callback (src/lb/log/samples.ts
 *     binds the sample engine) and evaluated against the record's sample context;
 *   - `%(name)` before the flags and variable names the item (HAProxy 3.0); `%(name:type)`
 *     also forces its type (str, sint, bool). Names only matter with JSON encoding;
 *   - `+json` (HAProxy 3.0): on one item it prints that value as a JSON value; set for the
 *     whole line with `%{+json}o` the line becomes one JSON object of the *named* items
 *     (`{"name": value, …}`) and everything else (text, unnamed items) is left out;
 *   - `%%` a literal '%'; `%` followed by a digit or a blank is an error;
 *   - every space is a separator, and consecutive separators print as one space; a
 *     variable that prints nothing (`%hr` without captures) does not break the run, so
 *     "0/0 %hr %hs %{+Q}r" prints `0/0 "GET / HTTP/1.1"`. A leading separator prints
 *     nothing; a trailing one prints a space (HAProxy does the same).
 * Absent strings print '-' (`""` when quoted); absent numbers print -1 where HAProxy does.
 */
import { hostname } from 'node:os';
import { requestLine, type LogRecord } from './record.ts';
import { logDateGmt, logDateLocal, logDateMs } from './dates.ts';
import { jsonString } from './json.ts';
import { nextStreamId } from './stream-id.ts';

/** Flags of one variable. */
export interface Flags {
  q: boolean;
  x: boolean;
  e: boolean;
  /** +json: the value is printed as a JSON value. */
  j: boolean;
}

/** Per-line context beyond the record: the frontend's log line counter (%lc). */
export interface EvalContext {
  lc: number;
}

/** A sample's value as the log sees it: typed for JSON, null when the sample is missing. */
export type LogValue = string | number | boolean | null;

/**
 * Compiles one `%[expr]` (the text between the brackets) into an evaluator over the
 * record; throws an Error whose message is the reason shown to the operator.
 */
export type SampleCompiler = (expr: string) => (r: LogRecord) => LogValue;

/** A variable's printer: returns the text, or null for "prints nothing". */
type Printer = (r: LogRecord, c: EvalContext) => string | null;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'sep' }
  /**
   * `json`: the printer for JSON-object lines (a JSON value), set on named items only.
   * `v` is the variable's name ('[' for a sample) and `f` its flags: line-bytes.ts picks
   * its byte writer from them.
   */
  | { kind: 'var'; print: Printer; v: string; f: Flags; name?: string; json?: Printer };

export interface CompiledFormat {
  readonly nodes: readonly Node[];
  /** HTTP-only variables used (HAProxy refuses them outside mode http), by name. */
  readonly httpOnly: readonly string[];
  /** The source string. */
  readonly source: string;
  /** `%{+json}o`: the line is a JSON object of the named items. */
  readonly json: boolean;
  /** Reads the record's sample context (`%[…]`, `%ID`, `%rt`): the stream must attach one. */
  readonly needsSample: boolean;
}

export type { Node as FormatNode, Printer };

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
    const cp = v.codePointAt(i)!;
    const bytes = c > 0xff ? Buffer.from(String.fromCodePoint(cp), 'utf8') : [c];
    if (cp > 0xffff) i++; // the low half of a surrogate pair is part of this character
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
function headers(list: readonly string[], f: Flags): string | null {
  if (list.length === 0) return null;
  let out = '{';
  for (let i = 0; i < list.length; i++) out += (i ? '|' : '') + encodeLogString(list[i]!, true);
  out += '}';
  return f.q ? '"' + out + '"' : out;
}

/** Captured headers, CLF style: one field per header, '-' for an empty one. */
function headersClf(list: readonly string[], f: Flags): string | null {
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
      const line = requestLine(r);
      let v = line ? encodeLogString(line) : '<BADREQ>';
      if (f.e) v = v.replace(/[\\\]]/g, '\\$&');
      return f.q ? '"' + v + '"' : v;
    };
    case 'HM': return (r) => reqText(r.method, f);
    case 'HU': return (r) => reqText(r.uri, f);
    case 'HP': return (r) => reqText(uriPath(r.uri), f);
    case 'HPO': return (r) => reqText(uriPathOnly(r.uri), f);
    case 'HQ': return (r) => reqText(uriQuery(r.uri), f);
    case 'HV': return (r) => reqText(r.version, f);
    case 'ID': return (r) => text(r.ID ?? r.sample?.uniqueId() ?? undefined, f);
    case 'pid': return () => num(process.pid, f);
    case 'H': return () => text(HOST, f);
    case 'lc': return (_r, c) => String(c.lc);
    // A stream without a sample context (TCP) draws its number when the line is written.
    case 'rt': return (r) => num(r.rt ??= r.sample?.rt ?? nextStreamId(), f);
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
    else if (name === 'json') out.j = on;
  }
  return out;
}

/** Variables whose value is a number (printed bare in JSON unless +X makes it hex text). */
const NUMERIC = new Set(['cp', 'fp', 'bp', 'sp', 'Ts', 'ms', 'Th', 'Ti', 'TR', 'Tw', 'Tc', 'Tr', 'Ta', 'Tt', 'Tq', 'Td', 'Tu',
  'ST', 'B', 'U', 'ac', 'fc', 'bc', 'sc', 'rc', 'sq', 'bq', 'pid', 'lc', 'rt']);

/** Request-derived strings: JSON gets them raw (escaped as JSON), not #XX-encoded. */
const RAW: Record<string, (r: LogRecord) => string> = {
  r: (r) => requestLine(r) || '<BADREQ>', HM: (r) => r.method, HU: (r) => r.uri, HP: (r) => uriPath(r.uri),
  HPO: (r) => uriPathOnly(r.uri), HQ: (r) => uriQuery(r.uri), HV: (r) => r.version,
};

type Cast = 'str' | 'sint' | 'bool' | null;

/** A typed value as JSON (RFC 8259): strings escaped, missing as null, casts applied. */
function jsonValue(v: LogValue | undefined, cast: Cast): string {
  if (v === null || v === undefined) return 'null';
  if (cast === 'str') return jsonString(String(v === true ? 1 : v === false ? 0 : v));
  if (cast === 'sint') {
    const n = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : /^\s*-?\d+/.test(v) ? parseInt(v, 10) : NaN;
    return Number.isFinite(n) ? String(Math.trunc(n)) : 'null';
  }
  if (cast === 'bool') return (typeof v === 'string' ? v !== '' && v !== '0' : !!v) ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return jsonString(v);
}

/** The JSON printer of variable `name` (X keeps its hex text, as a string). */
function jsonPrinter(name: string, f: Flags, cast: Cast): Printer {
  const raw = RAW[name];
  if (raw) return (r) => { const v = raw(r); return jsonValue(v === '' ? null : v, cast); };
  const plain = printer(name, { q: false, x: f.x, e: false, j: false })!;
  const numeric = NUMERIC.has(name) && !f.x;
  return (r, c) => {
    const t = plain(r, c);
    if (t === null || t === '-') return jsonValue(null, cast);
    if (numeric && /^-?\d+$/.test(t)) return jsonValue(Number(t), cast);
    if (name === 'rc' && t[0] === '+') return jsonValue(Number(t.slice(1)), cast);
    return jsonValue(t, cast);
  };
}

/** A sample's text for plain lines: bool as 1/0 like HAProxy's cast, missing as '-'. */
function sampleText(v: LogValue, f: Flags): string {
  if (v === null) return text(undefined, f);
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return text(s, f);
}

const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);

/**
 * Compiles a log-format string. `compileSample` compiles each `%[expr]` now (its errors
 * become the reason); without it, samples print '-' (syntax-only checks).
 */
export function compileLogFormat(source: string, compileSample?: SampleCompiler): CompileResult {
  const nodes: Node[] = [];
  const httpOnly: string[] = [];
  let defaults: Flags = { q: false, x: false, e: false, j: false };
  let json = false;
  let needsSample = false;
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
    let n = source[i];
    if (n === undefined) return { ok: false, reason: `truncated line after '%'` };
    if (n === '%') { textRun += '%'; i++; continue; }
    if (/[0-9 \t]/.test(n)) {
      return { ok: false, reason: `unexpected variable name near '${n}' at position ${i} line : '${source}'. Maybe you want to write a single '%', use the syntax '%%'` };
    }
    // `%(name[:type])`: the item's name (HAProxy 3.0), before any flags.
    let itemName: string | undefined;
    let cast: Cast = null;
    if (n === '(') {
      const end = source.indexOf(')', i + 1);
      if (end < 0) return { ok: false, reason: `missing ')' after item name near '${source.slice(i)}'` };
      const spec = source.slice(i + 1, end);
      const colon = spec.indexOf(':');
      itemName = colon < 0 ? spec : spec.slice(0, colon);
      if (colon >= 0) {
        const t = spec.slice(colon + 1);
        if (t !== 'str' && t !== 'sint' && t !== 'bool') return { ok: false, reason: `unsupported type '${t}' for item '${itemName}' (expects str, sint or bool)` };
        cast = t;
      }
      i = end + 1;
      n = source[i];
      if (n === undefined || (n !== '{' && n !== '[' && !isAlpha(n))) return { ok: false, reason: `item name '(${spec})' without a variable near '${source.slice(i)}'` };
    }
    let flags = defaults;
    let args = '';
    if (n === '{') {
      const end = source.indexOf('}', i + 1);
      if (end < 0) return { ok: false, reason: `truncated line after '${source.slice(i + 1)}'` };
      args = source.slice(i + 1, end);
      if (/(^|,)[+-](cbor|bin)(,|$)/.test(args)) return { ok: false, reason: `the '${/cbor|bin/.exec(args)![0]}' encoding is not implemented yet (use +json)` };
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
      let ev: ((r: LogRecord) => LogValue) | null = null;
      if (compileSample) {
        try {
          ev = compileSample(expr);
        } catch (e) {
          // HAProxy names the rest of the string from the expression on.
          return { ok: false, reason: (e as Error).message.replace('{REST}', source.slice(i + 1)) };
        }
        needsSample = true;
      }
      i = end + 1;
      flushText();
      const f = flags;
      const get = ev ?? ((): LogValue => null);
      const json: Printer = (r) => jsonValue(get(r), cast);
      nodes.push({ kind: 'var', print: f.j ? json : (r) => sampleText(get(r), f), v: '[', f, name: itemName, json });
      continue;
    }
    let j = i;
    while (isAlnum(source[j])) j++;
    const name = source.slice(i, j);
    i = j;
    if (name === 'o') {
      defaults = flags;
      if (flags.j) json = true;
      continue;
    }
    const p = printer(name, flags);
    if (!p) {
      return { ok: false, reason: `no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'` };
    }
    if (HTTP_ONLY.has(name) && !httpOnly.includes(name)) httpOnly.push(name);
    if (name === 'ID' || name === 'rt') needsSample = true;
    flushText();
    const jp = flags.j || itemName !== undefined ? jsonPrinter(name, flags, cast) : undefined;
    nodes.push({ kind: 'var', print: flags.j ? jp! : p, v: name, f: flags, name: itemName, json: jp });
  }
  flushText();
  return { ok: true, format: { nodes, httpOnly, source, json, needsSample } };
}

/** Evaluates a compiled format for one record. */
export function evaluateLogFormat(fmt: CompiledFormat, r: LogRecord, c: EvalContext): string {
  if (fmt.json) return evaluateJson(fmt, r, c);
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

/** `%{+json}o`: one JSON object of the named items, in order; the rest is left out. */
function evaluateJson(fmt: CompiledFormat, r: LogRecord, c: EvalContext): string {
  let out = '{';
  let first = true;
  const nodes = fmt.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind !== 'var' || n.name === undefined || !n.json) continue;
    out += (first ? '' : ', ') + jsonString(n.name) + ': ' + n.json(r, c);
    first = false;
  }
  return out + '}';
}
