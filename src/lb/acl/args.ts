/**
 * Argument lists of fetches and converters: `name(a,b,c)`. Arguments are split on commas;
 * single or double quotes group characters (commas and parentheses included); inside
 * quotes a backslash escapes the quote character. Other backslashes are kept as written
 * (HAProxy 2.6 leaves `\.` in a regex and `\1` in a substitution alone).
 * As in HAProxy, the first unquoted ')' ends the list: a regex group must be quoted.
 * Also helpers that validate one argument's kind.
 */
import { SampleError } from './types.ts';

/** Parses `name(args…)` at `pos` of `text`; returns the name, args and the index after it. */
export function readCall(text: string, pos: number): { name: string; args: string[] | null; end: number } {
  let i = pos;
  while (i < text.length && /[A-Za-z0-9_.\-]/.test(text[i]!)) i++;
  const name = text.slice(pos, i);
  if (text[i] !== '(') return { name, args: null, end: i };
  i++;
  const args: string[] = [];
  let cur = '';
  let quote = '';
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && text[i + 1] === quote) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; continue; }
    if (c === ')') {
      args.push(cur);
      // `name()` is an empty argument list, not one empty argument.
      if (args.length === 1 && args[0] === '' && text[i - 1] === '(') args.length = 0;
      return { name, args, end: i + 1 };
    }
    if (c === ',') { args.push(cur); cur = ''; continue; }
    cur += c;
  }
  throw new SampleError(`missing closing ')' after arguments to '${name}'`);
}

export function intArg(owner: string, v: string | undefined, what = 'an integer'): number {
  if (v === undefined || !/^[-+]?[0-9]+$/.test(v)) {
    throw new SampleError(`'${owner}' expects ${what} as argument, got '${v ?? ''}'`);
  }
  return Number(v);
}
