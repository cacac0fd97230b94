/**
 * The contracts of fetches and converters, and their registries. A definition is a table
 * (name, arity, types, stage, default match) plus a `compile` that turns the written
 * arguments into a closure once, at configuration time; run time calls only closures.
 */
import type { CompileEnv, FetchStage, Sample, SampleContext, SampleFn, SampleTypeSpec } from './types.ts';
import type { MatchMethod } from './match.ts';

export interface FetchDef {
  name: string;
  minArgs: number;
  maxArgs: number;
  out: SampleTypeSpec;
  stage: FetchStage;
  /** The match method an ACL uses when no -m is given (HAProxy's per-keyword default); null: -m is required. */
  match: MatchMethod | null;
  compile(args: string[], env: CompileEnv): SampleFn;
  /**
   * Every value, for ACLs (HAProxy iterates multi-value fetches such as hdr() without an
   * occurrence); `visit` returns true to stop. Absent: the single value of `compile`.
   */
  compileEach?(args: string[], env: CompileEnv): ((ctx: SampleContext, visit: (s: Sample) => boolean) => boolean) | null;
}

export type ConvFn = (s: Sample, ctx: SampleContext) => Sample | null;

export interface ConverterDef {
  name: string;
  minArgs: number;
  maxArgs: number;
  in: SampleTypeSpec;
  /** Output type; a function when it depends on the arguments (map_*_int, iif…). */
  out: SampleTypeSpec | ((args: string[]) => SampleTypeSpec);
  compile(args: string[], env: CompileEnv): ConvFn;
}

export const FETCHES = new Map<string, FetchDef>();
export const CONVERTERS = new Map<string, ConverterDef>();

export function defineFetch(def: FetchDef, ...aliases: string[]): void {
  FETCHES.set(def.name, def);
  for (const a of aliases) FETCHES.set(a, { ...def, name: a });
}

export function defineConverter(def: ConverterDef, ...aliases: string[]): void {
  CONVERTERS.set(def.name, def);
  for (const a of aliases) CONVERTERS.set(a, { ...def, name: a });
}
