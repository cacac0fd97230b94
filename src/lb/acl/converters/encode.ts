/**
 * Encodings: base64, b64dec, ub64enc, ub64dec (base64url without padding on output,
 * padding optional on input), hex (upper-case, as HAProxy prints it). Strict decoding: an
 * invalid input makes the sample fail, like HAProxy's base64dec() returning -1.
 */
import { defineConverter } from '../registry.ts';
import type { Sample } from '../types.ts';

const asBin = (s: Sample): Buffer => (s as Extract<Sample, { type: 'bin' }>).v;
const asStr = (s: Sample): string => (s as Extract<Sample, { type: 'str' }>).v;

defineConverter({
  name: 'base64', minArgs: 0, maxArgs: 0, in: 'bin', out: 'str',
  compile: () => (s) => ({ type: 'str', v: asBin(s).toString('base64') }),
});
defineConverter({
  name: 'ub64enc', minArgs: 0, maxArgs: 0, in: 'bin', out: 'str',
  compile: () => (s) => ({ type: 'str', v: asBin(s).toString('base64url') }),
});

function decode(text: string, url: boolean): Buffer | null {
  if (url) {
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) return null;
    return Buffer.from(text.replace(/=+$/, ''), 'base64url');
  }
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

defineConverter({
  name: 'b64dec', minArgs: 0, maxArgs: 0, in: 'str', out: 'bin',
  compile: () => (s) => { const b = decode(asStr(s), false); return b ? { type: 'bin', v: b } : null; },
});
defineConverter({
  name: 'ub64dec', minArgs: 0, maxArgs: 0, in: 'str', out: 'bin',
  compile: () => (s) => { const b = decode(asStr(s), true); return b ? { type: 'bin', v: b } : null; },
});
defineConverter({
  name: 'hex', minArgs: 0, maxArgs: 0, in: 'bin', out: 'str',
  compile: () => (s) => ({ type: 'str', v: asBin(s).toString('hex').toUpperCase() }),
});
defineConverter({
  name: 'hex2i', minArgs: 0, maxArgs: 0, in: 'str', out: 'sint',
  compile: () => (s) => {
    const m = /^[0-9a-fA-F]*/.exec(asStr(s))![0];
    return { type: 'sint', v: m === '' ? 0 : Number(BigInt.asIntN(64, BigInt('0x' + m))) };
  },
});
