/**
 * Evaluates the expressions of `.if` / `.elif` and of `-cc`.
 *
 * Grammar (HAProxy 2.6 cfgcond):
 *   expr := and ( '||' and )*
 *   and  := term ( '&&' term )*
 *   term := '!' term | '(' expr ')' | predicate '(' args ')' | integer
 * An integer (C strtol, base 0: `1`, `-1`, `0x10`, `010`) is true when non-zero; the
 * whole expression empty is false, but an empty term (`1 &&`, `!`) or a bare word is an
 * error. Predicates: defined(VAR), feature(NAME), streq(a,b), strneq(a,b),
 * version_atleast(V), version_before(V). Arguments are taken as written, blanks
 * included (`streq(a, a)` is false, as in HAProxy); a double-quoted part of an argument
 * loses its quotes (for `-cc`, whose text has not been through the tokenizer).
 */
import { COMPAT_VERSION, FEATURES, compareVersions } from '../../shared/version.ts';

export class ConditionError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

type Predicate = { arity: number; fn: (args: string[], env: NodeJS.ProcessEnv) => boolean };

const PREDICATES: Record<string, Predicate> = {
  defined: { arity: 1, fn: (a, env) => env[a[0]!] !== undefined },
  feature: { arity: 1, fn: (a) => FEATURES.has(a[0]!) },
  streq: { arity: 2, fn: (a) => a[0] === a[1] },
  strneq: { arity: 2, fn: (a) => a[0] !== a[1] },
  version_atleast: { arity: 1, fn: (a) => compareVersions(COMPAT_VERSION, a[0]!) >= 0 },
  version_before: { arity: 1, fn: (a) => compareVersions(COMPAT_VERSION, a[0]!) < 0 },
};

export function evaluateCondition(text: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let pos = 0;
  const skip = (): void => { while (text[pos] === ' ' || text[pos] === '\t') pos++; };
  const fail = (msg: string): never => { throw new ConditionError(msg, pos + 1); };

  const parseExpr = (): boolean => {
    let v = parseAnd();
    skip();
    while (text.startsWith('||', pos)) {
      pos += 2;
      const r = parseAnd();
      v = v || r;
      skip();
    }
    return v;
  };
  const parseAnd = (): boolean => {
    let v = parseTerm();
    skip();
    while (text.startsWith('&&', pos)) {
      pos += 2;
      const r = parseTerm();
      v = v && r;
      skip();
    }
    return v;
  };
  const parseTerm = (): boolean => {
    skip();
    const c = text[pos];
    if (c === undefined) return fail(`unparsable conditional expression '${text}'`);
    if (c === '!') { pos++; return !parseTerm(); }
    if (c === '(') {
      pos++;
      const v = parseExpr();
      skip();
      if (text[pos] !== ')') fail(`expected ')' in conditional expression '${text}'`);
      pos++;
      return v;
    }
    const num = /^[+-]?(?:0[xX][0-9A-Fa-f]+|0[0-7]*|[1-9][0-9]*)/.exec(text.slice(pos));
    if (num) { pos += num[0].length; return /[1-9A-Fa-f]/.test(num[0].replace(/^[+-]?0[xX]/, '')); }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (!word || text[pos + word[0].length] !== '(') {
      return fail(`unparsable conditional expression '${text}'`);
    }
    const name = word[0];
    const pred = PREDICATES[name];
    if (!pred) return fail(`unknown predicate '${name}' in conditional expression '${text}'`);
    pos += name.length + 1;
    const args = parseArgs(name, pred.arity);
    return pred.fn(args, env);
  };
  const parseArgs = (name: string, arity: number): string[] => {
    const args: string[] = [];
    for (;;) {
      let arg = '';
      while (pos < text.length && text[pos] !== ',' && text[pos] !== ')') {
        if (text[pos] === '"') {
          const end = text.indexOf('"', pos + 1);
          if (end < 0) fail(`unterminated quoted argument to predicate '${name}'`);
          arg += text.slice(pos + 1, end);
          pos = end + 1;
        } else {
          arg += text[pos++];
        }
      }
      args.push(arg);
      if (text[pos] === ',') { pos++; continue; }
      if (text[pos] === ')') { pos++; break; }
      fail(`expected ')' in argument ${args.length} of predicate '${name}'`);
    }
    if (args.length !== arity) {
      fail(`predicate '${name}' takes ${arity} argument${arity > 1 ? 's' : ''}, got ${args.length}`);
    }
    return args;
  };

  if (text.trim() === '') return false;
  const v = parseExpr();
  skip();
  if (pos < text.length) fail(`unexpected character '${text[pos]}' at the end of conditional expression '${text}'`);
  return v;
}
