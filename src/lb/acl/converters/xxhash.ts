/**
 * xxh32([seed]), xxh64([seed]), xxh3([seed]) as HAProxy 2.6: the binary input is hashed
 * with the seed (default 0); xxh32 answers the unsigned 32-bit hash, xxh64 and xxh3 the
 * 64-bit hash read as a signed integer (two's complement), as HAProxy stores it.
 *
 * The sample engine's integers are JavaScript numbers: a 64-bit hash beyond ±2^53 also
 * carries its exact value (`big`), so its text and binary forms are HAProxy's; arithmetic
 * on it works on the rounded number.
 */
import { defineConverter } from '../registry.ts';
import type { Sample } from '../types.ts';
import { SampleError } from '../types.ts';
import { xxh3, xxh32, xxh64 } from './xxhash-fn.ts';

const asBin = (s: Sample): Buffer => (s as Extract<Sample, { type: 'bin' }>).v;

/** The seed argument: a signed 64-bit integer literal (HAProxy's sint argument), 0 when absent. */
function seedArg(owner: string, v: string | undefined): bigint {
  if (v === undefined || v === '') return 0n;
  if (!/^[-+]?[0-9]+$/.test(v)) throw new SampleError(`'${owner}' expects an integer seed as argument, got '${v}'`);
  const n = BigInt(v);
  if (n > (1n << 63n) - 1n || n < -(1n << 63n)) throw new SampleError(`'${owner}' : seed '${v}' is out of the signed 64-bit range`);
  return n;
}

defineConverter({
  name: 'xxh32', minArgs: 0, maxArgs: 1, in: 'bin', out: 'sint',
  compile: (args) => {
    const seed = Number(BigInt.asUintN(32, seedArg('xxh32', args[0])));
    return (s) => ({ type: 'sint', v: xxh32(asBin(s), seed) });
  },
});

for (const [name, fn] of [['xxh64', xxh64], ['xxh3', xxh3]] as const) {
  defineConverter({
    name, minArgs: 0, maxArgs: 1, in: 'bin', out: 'sint',
    compile: (args) => {
      const seed = seedArg(name, args[0]);
      return (s) => {
        const h = BigInt.asIntN(64, fn(asBin(s), seed));
        const v = Number(h);
        return Number.isSafeInteger(v) ? { type: 'sint', v } : { type: 'sint', v, big: h };
      };
    },
  });
}
