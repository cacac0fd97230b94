/**
 * Sample expressions: `fetch[(args)][,conv[(args)]]…` compiled once into a closure.
 * Types are checked at compile time: each converter's input must be reachable from the
 * previous output by an HAProxy cast, and the cast is inserted into the chain. A missing
 * sample anywhere makes the whole expression answer null.
 */
import type { CompileEnv, FetchStage, Sample, SampleContext, SampleFn, SampleTypeSpec } from './types.ts';
import { SampleError } from './types.ts';
import type { ConvFn, FetchDef } from './registry.ts';
import { CONVERTERS, FETCHES } from './registry.ts';
import { readCall } from './args.ts';
import { castFn } from './casts.ts';
import './fetches/index.ts';
import './converters/index.ts';

export interface CompiledExpr {
  /** The expression as written. */
  text: string;
  fetch: FetchDef;
  /** Type of the final value ('any' for var() without converters). */
  out: SampleTypeSpec;
  /** Number of converters applied after the fetch. */
  converters: number;
  eval: SampleFn;
  /**
   * Every value of a multi-value fetch (hdr(name) without occurrence…), each through the
   * converters; visit returns true to stop. Used by ACLs. Single-value fetches visit once.
   */
  each(ctx: SampleContext, visit: (s: Sample) => boolean): boolean;
}

function checkArity(kind: string, name: string, args: string[] | null, min: number, max: number): string[] {
  // `str()` is one empty argument for a keyword that needs one, none otherwise.
  const a = args !== null && args.length === 0 && min >= 1 ? [''] : (args ?? []);
  if (a.length < min) throw new SampleError(`missing args for ${kind} '${name}' : ${min} expected, got ${a.length}`);
  if (a.length > max) throw new SampleError(`invalid args in ${kind} '${name}' : ${max === 0 ? 'no argument supported' : `at most ${max} expected`}`);
  return a;
}

/**
 * Compiles `text` starting at `pos`; stops at end of text or, when `stopAt` is given, at
 * the first character of it found at top level after a complete element. Returns the
 * compiled expression and the index where parsing stopped.
 */
export function parseExpr(text: string, env: CompileEnv, pos = 0, stopAt = ''): { expr: CompiledExpr; end: number } {
  const call = readCall(text, pos);
  if (call.name === '') throw new SampleError(`missing fetch method in sample expression '${text.slice(pos)}'`);
  // HAProxy's wording, which ACL messages extend with "in ACL expression '…'"
  const fetch = FETCHES.get(call.name);
  if (!fetch) throw new SampleError(`unknown fetch method '${call.name}'`);
  const fargs = checkArity('fetch method', call.name, call.args, fetch.minArgs, fetch.maxArgs);
  const first = fetch.compile(fargs, env);
  const firstEach = fetch.compileEach?.(fargs, env) ?? null;
  let type: SampleTypeSpec = fetch.out;
  const convs: ConvFn[] = [];
  let i = call.end;
  while (i < text.length && !stopAt.includes(text[i]!)) {
    if (text[i] !== ',') throw new SampleError(`unexpected character '${text[i]}' after '${text.slice(pos, i)}' in sample expression (converters are separated by ',')`);
    const c = readCall(text, i + 1);
    const conv = CONVERTERS.get(c.name);
    if (!conv) throw new SampleError(`unknown converter '${c.name}' in sample expression '${text.slice(pos)}'`);
    const cargs = checkArity('converter', c.name, c.args, conv.minArgs, conv.maxArgs);
    const cast = castFn(type, conv.in);
    if (!cast) throw new SampleError(`converter '${c.name}' cannot be applied: its input type '${conv.in}' cannot be obtained from '${type}'`);
    const fn = conv.compile(cargs, env);
    convs.push(type === conv.in || conv.in === 'any' ? fn : (s, ctx) => { const x = cast(s); return x === null ? null : fn(x, ctx); });
    type = typeof conv.out === 'function' ? conv.out(cargs) : conv.out;
    i = c.end;
  }
  const chain = convs.length === 0 ? null : (s: Sample, ctx: SampleContext): Sample | null => {
    let v: Sample | null = s;
    for (let k = 0; k < convs.length && v !== null; k++) v = convs[k]!(v, ctx);
    return v;
  };
  const evalFn: SampleFn = chain === null ? first : (ctx) => { const s = first(ctx); return s === null ? null : chain(s, ctx); };
  const each = firstEach === null
    ? (ctx: SampleContext, visit: (s: Sample) => boolean): boolean => { const s = evalFn(ctx); return s !== null && visit(s); }
    : chain === null
      ? firstEach
      : (ctx: SampleContext, visit: (s: Sample) => boolean): boolean => firstEach(ctx, (s) => { const v = chain(s, ctx); return v !== null && visit(v); });
  return { expr: { text: text.slice(pos, i), fetch, out: type, converters: convs.length, eval: evalFn, each }, end: i };
}

/** Compiles a whole word as one sample expression. */
export function compileExpr(text: string, env: CompileEnv): CompiledExpr {
  return parseExpr(text, env).expr;
}

/**
 * Whether a fetch of `fetchStage` can be used in a rule evaluated at `ruleStage`:
 * connection fetches everywhere, request fetches in request rules, response fetches in
 * response rules (HAProxy warns for `path` in http-response: the request is gone, and
 * such a term never matches there).
 */
export function fetchUsableAt(fetchStage: FetchStage, ruleStage: FetchStage): boolean {
  return fetchStage === 'connection' || fetchStage === ruleStage;
}
