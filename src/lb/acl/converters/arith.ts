/**
 * Integer converters: add/sub/mul/div/mod/and/or/xor take an integer or a variable
 * (`txn.x`, HAProxy 2.6 takes the bare name), read at run time; neg, not, bool, odd, even, cpl take none. Results
 * stay JS numbers (HAProxy: int64); division and modulo by zero follow HAProxy: div
 * answers the largest positive integer, mod answers 0.
 */
import { defineConverter } from '../registry.ts';
import type { Sample, SampleContext } from '../types.ts';
import { SampleError } from '../types.ts';
import { parseVarName } from '../vars.ts';
import { sampleToSint } from '../casts.ts';

/** An argument that is an integer literal or `var(scope.name)`; null at run time if the var is missing. */
export function intOrVar(owner: string, text: string | undefined): (ctx: SampleContext) => number | null {
  if (text === undefined) throw new SampleError(`'${owner}' expects an integer or a variable name as argument`);
  if (/^(proc|sess|txn|req|res)\./.test(text)) {
    const { scope, name } = parseVarName(text);
    return (ctx) => {
      const s = ctx.vars?.get(scope, name);
      const n = s ? sampleToSint(s) : null;
      return n && n.type === 'sint' ? n.v : null;
    };
  }
  if (!/^[-+]?[0-9]+$/.test(text)) throw new SampleError(`'${owner}' : failed to parse '${text}' as an integer or a variable`);
  const v = Number(text);
  return () => v;
}

const LLONG_MAX = 9223372036854775807;

/** HAProxy 2.6 saturates integer arithmetic at the int64 limits. */
function clamp(v: number): number {
  return v > LLONG_MAX ? LLONG_MAX : v < -LLONG_MAX - 1 ? -LLONG_MAX - 1 : v;
}

function binary(name: string, op: (a: number, b: number) => number): void {
  defineConverter({
    name, minArgs: 1, maxArgs: 1, in: 'sint', out: 'sint',
    compile: (args) => {
      const arg = intOrVar(name, args[0]);
      return (s, ctx) => {
        const b = arg(ctx);
        if (b === null) return null;
        return { type: 'sint', v: clamp(op((s as Extract<Sample, { type: 'sint' }>).v, b)) };
      };
    },
  });
}

binary('add', (a, b) => a + b);
binary('sub', (a, b) => a - b);
binary('mul', (a, b) => a * b);
binary('div', (a, b) => (b === 0 ? LLONG_MAX : Math.trunc(a / b)));
binary('mod', (a, b) => (b === 0 ? 0 : a % b));
binary('and', (a, b) => Number(BigInt.asIntN(64, BigInt(a) & BigInt(b))));
binary('or', (a, b) => Number(BigInt.asIntN(64, BigInt(a) | BigInt(b))));
binary('xor', (a, b) => Number(BigInt.asIntN(64, BigInt(a) ^ BigInt(b))));

function unary(name: string, out: 'sint' | 'bool', op: (a: number) => number | boolean): void {
  defineConverter({
    name, minArgs: 0, maxArgs: 0, in: 'sint', out,
    compile: () => (s) => {
      const r = op((s as Extract<Sample, { type: 'sint' }>).v);
      return typeof r === 'boolean' ? { type: 'bool', v: r } : { type: 'sint', v: r };
    },
  });
}

unary('neg', 'sint', (a) => -a);
unary('cpl', 'sint', (a) => Number(BigInt.asIntN(64, ~BigInt(a))));
unary('not', 'bool', (a) => a === 0);
unary('bool', 'bool', (a) => a !== 0);
unary('odd', 'bool', (a) => (a & 1) === 1);
unary('even', 'bool', (a) => (a & 1) === 0);
