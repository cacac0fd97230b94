/**
 * Variable names `scope.name` (scopes proc, sess, txn, req, res) as written in `var()`,
 * `set-var()` and converter arguments. A simple Map-backed store for tests and for the
 * proxy's own use.
 */
import type { Sample, VarScope, VarStore } from './types.ts';
import { SampleError } from './types.ts';

const SCOPES: readonly VarScope[] = ['proc', 'sess', 'txn', 'req', 'res'];

export function parseVarName(text: string): { scope: VarScope; name: string } {
  const dot = text.indexOf('.');
  const scope = text.slice(0, dot) as VarScope;
  const name = text.slice(dot + 1);
  if (dot < 0 || !SCOPES.includes(scope) || !/^[A-Za-z0-9_.]+$/.test(name)) {
    throw new SampleError(`invalid variable name '${text}'. Expects a scope among 'proc', 'sess', 'txn', 'req', 'res' followed by a dot and a name made of letters, digits, '_' and '.'`);
  }
  return { scope, name };
}

export class MapVarStore implements VarStore {
  private readonly m = new Map<string, Sample>();
  get(scope: VarScope, name: string): Sample | undefined {
    return this.m.get(scope + '.' + name);
  }
  set(scope: VarScope, name: string, value: Sample): void {
    this.m.set(scope + '.' + name, value);
  }
  unset(scope: VarScope, name: string): void {
    this.m.delete(scope + '.' + name);
  }
}
