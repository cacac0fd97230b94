/**
 * Named ACLs: `acl NAME criterion [flags] [operator] value…`.
 *
 * A criterion is a sample expression, or one of HAProxy's short forms `<fetch>_<match>`
 * (`path_beg`, `hdr_dom(host)`, `url_param_reg(x)`, `hdr_ip(x-ip)`…). Flags: `-i` (ignore
 * case), `-f FILE` (patterns from a file, repeatable), `-m METHOD`, `-M` (files are maps:
 * their keys are the patterns), `-n` (no DNS: accepted, we never resolve), `-u ID` (accepted),
 * `--` (end of flags). For int and len matching, the operators eq/ge/gt/le/lt apply to
 * the values that follow them.
 *
 * Several lines with the same name OR together. A condition refers to the Acl object, so
 * lines appended after the condition was compiled still count (as in HAProxy).
 * A term matches when any value of its sample (every occurrence for multi-value fetches)
 * matches any pattern; a missing sample never matches.
 */
import type { CompileEnv, FetchStage, Sample, SampleContext } from './types.ts';
import { SampleError } from './types.ts';
import type { MatchMethod } from './match.ts';
import { MATCH_METHODS, buildIndex, matchInput } from './match.ts';
import type { CompiledExpr } from './expr.ts';
import { compileExpr } from './expr.ts';
import { FETCHES } from './registry.ts';
import { readCall } from './args.ts';
import { castFn } from './casts.ts';
import { maps } from './maps.ts';

export interface AclTerm {
  /** The criterion and patterns as written, for messages and the runtime API. */
  text: string;
  expr: CompiledExpr;
  method: MatchMethod;
  stage: FetchStage;
  /** A non-fatal finding HAProxy warns about (no pattern given), or null. */
  warning: string | null;
  test(ctx: SampleContext): boolean;
}

export class Acl {
  readonly name: string;
  readonly terms: AclTerm[] = [];
  constructor(name: string) {
    this.name = name;
  }
  test(ctx: SampleContext): boolean {
    const t = this.terms;
    for (let i = 0; i < t.length; i++) if (t[i]!.test(ctx)) return true;
    return false;
  }
}

/** The ACLs of one proxy, by name. */
export type AclTable = Map<string, Acl>;

const SUFFIXES: Record<string, MatchMethod> = {
  _beg: 'beg', _end: 'end', _sub: 'sub', _reg: 'reg', _dir: 'dir', _dom: 'dom', _len: 'len', _found: 'found', _ip: 'ip', _bin: 'bin',
};

/** Resolves the short forms: returns the criterion rewritten as an expression and the implied method. */
function resolveShortForm(criterion: string): { text: string; method: MatchMethod | null } {
  const call = readCall(criterion, 0);
  if (FETCHES.has(call.name)) return { text: criterion, method: null };
  const us = call.name.lastIndexOf('_');
  if (us > 0) {
    const base = call.name.slice(0, us);
    const m = SUFFIXES[call.name.slice(us)];
    if (m && FETCHES.has(base)) return { text: base + criterion.slice(call.name.length), method: m };
  }
  return { text: criterion, method: null };
}

/** Match method implied by an expression's output type when converters are present (null: -m required). */
function methodForType(t: string): MatchMethod | null {
  switch (t) {
    case 'sint': return 'int';
    case 'bool': return 'bool';
    case 'ipv4': case 'ipv6': case 'addr': return 'ip';
    case 'str': return 'str';
    case 'meth': return 'meth';
    default: return null;
  }
}

const OPERATORS: Record<string, (n: number) => string> = {
  eq: (n) => `${n}`, ge: (n) => `${n}:`, gt: (n) => `${n + 1}:`, le: (n) => `:${n}`, lt: (n) => `:${n - 1}`,
};

/**
 * Compiles one criterion with its flags and values (the words after the ACL name, or
 * inside `{ … }`). Throws SampleError with an HAProxy-like message.
 */
export function compileTerm(words: readonly string[], env: CompileEnv): AclTerm {
  if (words.length === 0 || words[0] === '') throw new SampleError(`missing fetch method in ACL expression ''`, 'SY_ERR_CFG_ACL');
  const short = resolveShortForm(words[0]!);
  let expr: CompiledExpr;
  try {
    expr = compileExpr(short.text, env);
  } catch (e) {
    if (!(e instanceof SampleError)) throw e;
    // An unknown keyword is an ACL error; a bad converter or argument keeps its own code.
    const code = /^unknown fetch method/.test(e.message) ? 'SY_ERR_CFG_ACL' : e.code;
    throw new SampleError(`${e.message} in ACL expression '${words[0]}'`, code);
  }
  let method: MatchMethod | null = short.method;
  let icase = false;
  let asMap = false;
  const files: string[] = [];
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w[0] !== '-' || w.length < 2 || /^-[0-9]/.test(w)) break;
    if (w === '--') { i++; break; }
    if (w === '-i') icase = true;
    else if (w === '-n') { /* accepted: we never resolve names */ }
    else if (w === '-u') {
      // `-u ID` forces the ACL's unique id (runtime API); accepted, ids are ours.
      if (!/^[0-9]+$/.test(words[++i] ?? '')) throw new SampleError('the argument of -u must be an integer', 'SY_ERR_CFG_ACL');
    }
    else if (w === '-M') asMap = true;
    else if (w === '-f') {
      files.push(words[++i] ?? '');
    } else if (w === '-m') {
      const m = words[++i] as MatchMethod | undefined;
      if (m === undefined || !MATCH_METHODS.includes(m)) {
        throw new SampleError(`unknown matching method '${m ?? ''}' when parsing ACL expression (allowed: ${MATCH_METHODS.join(', ')})`, 'SY_ERR_CFG_ACL');
      }
      // HAProxy 2.6 lets -m override the method a short form implies (path_beg -m str).
      method = m;
    } else {
      throw new SampleError(`'${w}' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'`, 'SY_ERR_CFG_ACL');
    }
  }
  // HAProxy: with converters, the method follows the last converter's output type;
  // binary and untyped (var) samples need an explicit -m.
  if (method === null) method = expr.converters > 0 ? methodForType(expr.out) : expr.fetch.match;
  if (method === null) {
    throw new SampleError(`matching method must be specified first (using '-m') when using a sample fetch of this type ('${expr.fetch.name}')`, 'SY_ERR_CFG_ACL');
  }
  const want = matchInput(method);
  const cast = castFn(expr.out, want);
  if (!cast) throw new SampleError(`ACL keyword '${words[0]}' : output type '${expr.out}' cannot be matched with '-m ${method}'`, 'SY_ERR_CFG_ACL');

  // Values, with int/len operators.
  const values: string[] = [];
  let op: ((n: number) => string) | null = null;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if ((method === 'int' || method === 'len') && OPERATORS[w]) { op = OPERATORS[w]!; continue; }
    if (op && /^[-+]?[0-9]+$/.test(w)) values.push(op(Number(w)));
    else values.push(w);
  }
  const lookups: ((s: Sample) => boolean)[] = [];
  if (values.length || method === 'found' || method === 'bool') {
    const ix = buildIndex(method, values, icase);
    if (method === 'found' || method === 'bool' || ix.size > 0) lookups.push((s) => ix.lookup(s) >= 0);
  }
  for (const f of files) {
    const ref = maps.load(f, env.baseDir, asMap);
    const m = ref.matcher(method, icase);
    lookups.push((s) => m(s) !== undefined);
  }
  const conv = cast;
  const match = lookups.length === 1 ? lookups[0]! : (s: Sample): boolean => { for (const l of lookups) if (l(s)) return true; return false; };
  // No cast needed (the common case): the matcher is the visitor, one call less per value.
  const visit = conv === castFn(expr.out, expr.out) ? match : (s: Sample): boolean => { const x = conv(s); return x !== null && match(x); };
  const test = lookups.length === 0 ? (): boolean => false : (ctx: SampleContext): boolean => expr.each(ctx, visit);
  const warning = lookups.length === 0
    ? `parsing acl keyword '${words[0]}' : no pattern to match against were provided, so this ACL will never match`
    : null;
  return { text: words.join(' '), expr, method, stage: expr.fetch.stage, warning, test };
}

/** Adds one `acl` line's term to `table` (creating the ACL on first use). */
export function addAclLine(table: AclTable, name: string, words: readonly string[], env: CompileEnv): Acl {
  const term = compileTerm(words, env);
  let acl = table.get(name);
  if (!acl) table.set(name, (acl = new Acl(name)));
  acl.terms.push(term);
  return acl;
}
