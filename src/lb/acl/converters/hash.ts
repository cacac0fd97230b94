/**
 * Hash converters, bit-exact with HAProxy 2.6: crc32, djb2, sdbm, wt6 (optionally mixed
 * by `avalanche` when their argument is non-zero), sha1, sha2(bits), digest(alg) and
 * hmac(alg, base64-key) from node:crypto. The 32-bit hashes reuse the balancer's
 * implementation (src/lb/algo/hash-fn.ts), which the balancing tests check against
 * HAProxy's server picks.
 */
import { createHash, createHmac, getHashes } from 'node:crypto';
import { defineConverter } from '../registry.ts';
import type { Sample } from '../types.ts';
import { SampleError } from '../types.ts';
import { avalanche, crc32, djb2, sdbm, wt6 } from '../../algo/hash-fn.ts';
import { intArg } from '../args.ts';

const asBin = (s: Sample): Buffer => (s as Extract<Sample, { type: 'bin' }>).v;

function hash32(name: string, fn: (b: Uint8Array) => number): void {
  defineConverter({
    name, minArgs: 0, maxArgs: 1, in: 'bin', out: 'sint',
    compile: (args) => {
      const mix = args[0] !== undefined && args[0] !== '' && intArg(name, args[0]) !== 0;
      return (s) => {
        const h = fn(asBin(s));
        return { type: 'sint', v: mix ? avalanche(h) : h };
      };
    },
  });
}

hash32('crc32', crc32);
hash32('djb2', djb2);
hash32('sdbm', sdbm);
hash32('wt6', wt6);

defineConverter({
  name: 'sha1', minArgs: 0, maxArgs: 0, in: 'bin', out: 'bin',
  compile: () => (s) => ({ type: 'bin', v: createHash('sha1').update(asBin(s)).digest() }),
});
defineConverter({
  name: 'sha2', minArgs: 0, maxArgs: 1, in: 'bin', out: 'bin',
  compile: (args) => {
    const bits = args[0] !== undefined && args[0] !== '' ? intArg('sha2', args[0]) : 256;
    if (![224, 256, 384, 512].includes(bits)) throw new SampleError(`'sha2' : only 224, 256, 384 and 512 bits are supported, got ${bits}`);
    const alg = `sha${bits}`;
    return (s) => ({ type: 'bin', v: createHash(alg).update(asBin(s)).digest() });
  },
});

/** OpenSSL digest names as HAProxy accepts them (EVP_get_digestbyname), case-insensitive. */
function digestName(owner: string, name: string | undefined): string {
  const n = (name ?? '').toLowerCase();
  if (!getHashes().includes(n)) throw new SampleError(`'${owner}' : unsupported digest '${name ?? ''}'`);
  return n;
}

defineConverter({
  name: 'digest', minArgs: 1, maxArgs: 1, in: 'bin', out: 'bin',
  compile: (args) => {
    const alg = digestName('digest', args[0]);
    return (s) => ({ type: 'bin', v: createHash(alg).update(asBin(s)).digest() });
  },
});
defineConverter({
  name: 'hmac', minArgs: 2, maxArgs: 2, in: 'bin', out: 'bin',
  compile: (args) => {
    const alg = digestName('hmac', args[0]);
    const keyText = args[1]!;
    if (keyText.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(keyText)) throw new SampleError(`'hmac' : the key must be base64-encoded, got '${keyText}'`);
    const key = Buffer.from(keyText, 'base64');
    return (s) => ({ type: 'bin', v: createHmac(alg, key).update(asBin(s)).digest() });
  },
});
