/**
 * Conditions: `if|unless` followed by ACL references. Grammar (HAProxy 2.6):
 *   cond   := term { ("or" | "||") term }
 *   term   := factor { factor }                 (implicit AND)
 *   factor := ["!"] (ACL-NAME | "{" criterion [flags] [values…] "}")
 * Named ACLs are looked up in the proxy's table first, then among the predefined ones;
 * an ACL must be declared before the rule that uses it. Anonymous ACLs are compiled in
 * place. Compiled once into closures; evaluation walks arrays and allocates nothing
 * beyond what the fetches themselves build.
 */
import type { CompileEnv, FetchStage, SampleContext } from './types.ts';
import { SampleError } from './types.ts';
import type { Acl, AclTable } from './acl.ts';
import { Acl as AclClass, compileTerm } from './acl.ts';
import { predefinedAcl } from './predefined.ts';
import { fetchUsableAt } from './expr.ts';

export interface CompiledCondition {
  /** The words as written (after if/unless). */
  text: string;
  negate: boolean;
  /** The ACLs referenced (named, predefined and anonymous). */
  acls: Acl[];
  /** Non-fatal findings (HAProxy warns and goes on), e.g. an ACL that can never match here. */
  warnings: string[];
  test(ctx: SampleContext): boolean;
  /**
   * Three-valued test for rules that may wait for data (`tcp-request content`): 1 true,
   * 0 false, 2 not known yet — a factor that failed on a sample which may still change
   * (ctx.content.mayChange grew) is unknown; AND, OR and `!` propagate it (HAProxy's ACL_TEST_MISS).
   */
  test3(ctx: SampleContext): 0 | 1 | 2;
}

interface Factor { acl: Acl; neg: boolean; test: (ctx: SampleContext) => boolean }

export interface ConditionOptions {
  env: CompileEnv;
  /** Where the rule runs; ACLs whose fetches are not available there draw a warning. */
  stage?: FetchStage;
  /** How HAProxy names the rule kind in that warning ("frontend http-request header rule"). */
  ruleName?: string;
}

/**
 * The ACL's test at `stage`: terms whose fetch is not available there never match (as in
 * HAProxy); terms added to a named ACL later are taken into account.
 */
function stageTest(acl: Acl, stage: FetchStage | undefined): (ctx: SampleContext) => boolean {
  if (!stage) return (ctx) => acl.test(ctx);
  return (ctx) => {
    const t = acl.terms;
    for (let i = 0; i < t.length; i++) if (fetchUsableAt(t[i]!.stage, stage) && t[i]!.test(ctx)) return true;
    return false;
  };
}

/**
 * Compiles `words` = ["if"|"unless", …]. Throws SampleError (code SY_ERR_CFG_ACL) with
 * HAProxy's wording. Like HAProxy 2.6, empty OR branches (`a ||`, `a or or b`) and a
 * dangling `!` are ignored; a condition left without any ACL is false (`if`) or true
 * (`unless`).
 */
export function compileCondition(words: readonly string[], table: AclTable, opts: ConditionOptions): CompiledCondition {
  const kw = words[0];
  if (kw !== 'if' && kw !== 'unless') throw new SampleError(`expects 'if' or 'unless' followed by a condition, got '${kw ?? ''}'`, 'SY_ERR_CFG_ACL');
  const rest = words.slice(1);
  const terms: Factor[][] = [[]];
  const acls: Acl[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    let w = rest[i]!;
    if (w === 'or' || w === '||') {
      terms.push([]);
      continue;
    }
    let neg = false;
    while (w.startsWith('!')) {
      neg = !neg;
      w = w.slice(1);
      if (w === '') w = rest[++i] ?? '';
    }
    if (w === '') break;
    let acl: Acl | undefined;
    let anonymous = false;
    if (w === '{') {
      const start = i + 1;
      let end = start;
      while (end < rest.length && rest[end] !== '}') end++;
      if (end >= rest.length) throw new SampleError(`missing closing '}' in condition`, 'SY_ERR_CFG_ACL');
      const inner = rest.slice(start, end);
      acl = new AclClass(`{ ${inner.join(' ')} }`);
      const term = compileTerm(inner, opts.env);
      if (term.warning) warnings.push(term.warning);
      acl.terms.push(term);
      anonymous = true;
      i = end;
    } else {
      acl = table.get(w) ?? predefinedAcl(w);
      if (!acl) throw new SampleError(`no such ACL : '${w}'`, 'SY_ERR_CFG_ACL');
    }
    if (opts.stage) {
      const bad = acl.terms.filter((x) => !fetchUsableAt(x.stage, opts.stage!));
      const where = opts.ruleName ?? `${opts.stage} rule`;
      if (bad.length > 0 && anonymous) {
        warnings.push(`anonymous acl will never match because it uses keyword '${bad[0]!.expr.fetch.name}' which is incompatible with '${where}'`);
      } else if (bad.length > 0 && bad.length === acl.terms.length) {
        warnings.push(`acl '${acl.name}' will never match because it only involves keywords that are incompatible with '${where}'`);
      } else if (bad.length > 0) {
        warnings.push(`acl '${acl.name}' involves keywords '${bad[0]!.expr.fetch.name}' which is incompatible with '${where}'`);
      }
    }
    acls.push(acl);
    // An anonymous ACL never gains terms later: its one term is tested directly (or never
    // matches at this stage), two closure calls less per rule on the request path.
    const only = anonymous ? acl.terms[0]! : null;
    const test = only === null ? stageTest(acl, opts.stage)
      : !opts.stage || fetchUsableAt(only.stage, opts.stage) ? only.test : (): boolean => false;
    terms[terms.length - 1]!.push({ acl, neg, test });
  }
  const negate = kw === 'unless';
  const ors = terms.filter((t) => t.length > 0).map((t) => ({ tests: t.map((f) => f.test), negs: t.map((f) => f.neg) }));
  const test = (ctx: SampleContext): boolean => {
    for (let o = 0; o < ors.length; o++) {
      const { tests, negs } = ors[o]!;
      let ok = true;
      for (let k = 0; k < tests.length; k++) {
        if (tests[k]!(ctx) === negs[k]) { ok = false; break; }
      }
      if (ok) return !negate;
    }
    return negate;
  };
  const test3 = (ctx: SampleContext): 0 | 1 | 2 => {
    const ct = ctx.content;
    if (!ct || ct.final) return test(ctx) ? 1 : 0;
    let any: 0 | 2 = 0;
    for (let o = 0; o < ors.length; o++) {
      const { tests, negs } = ors[o]!;
      let and: 0 | 1 | 2 = 1;
      for (let k = 0; k < tests.length; k++) {
        const before = ct.mayChange;
        const hit = tests[k]!(ctx);
        const r: 0 | 1 | 2 = !hit && ct.mayChange > before ? 2 : (hit !== negs[k] ? 1 : 0);
        if (r === 0) { and = 0; break; }
        if (r === 2) and = 2;
      }
      if (and === 1) return negate ? 0 : 1;
      if (and === 2) any = 2;
    }
    return any === 2 ? 2 : negate ? 1 : 0;
  };
  return { text: rest.join(' '), negate, acls, warnings, test, test3 };
}
