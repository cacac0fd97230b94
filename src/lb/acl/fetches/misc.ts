/**
 * Literal and internal fetches: always_true/false, int/str/bool/ipv4/ipv6 constants,
 * var(), uuid, rand, date, unique-id. Literals are parsed once at compile time and the
 * closure returns the same sample object (samples are never mutated).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { defineFetch } from '../registry.ts';
import type { Sample } from '../types.ts';
import { SampleError } from '../types.ts';
import { intArg } from '../args.ts';
import { parseIPv4, parseIPv6 } from '../ip.ts';
import { parseVarName } from '../vars.ts';
import { compileVarDefault } from './var-default.ts';

function constant(name: string, out: Sample['type'], match: 'bool' | 'int' | 'str' | 'ip', minArgs: number, parse: (args: string[]) => Sample): void {
  defineFetch({
    name, minArgs, maxArgs: minArgs, out, stage: 'connection', match,
    compile: (args) => { const s = parse(args); return () => s; },
  });
}

constant('always_true', 'bool', 'bool', 0, () => ({ type: 'bool', v: true }));
constant('always_false', 'bool', 'bool', 0, () => ({ type: 'bool', v: false }));
constant('int', 'sint', 'int', 1, (a) => ({ type: 'sint', v: intArg('int', a[0]) }));
constant('str', 'str', 'str', 1, (a) => ({ type: 'str', v: a[0]! }));
constant('bool', 'bool', 'bool', 1, (a) => ({ type: 'bool', v: intArg('bool', a[0]) !== 0 }));
constant('ipv4', 'ipv4', 'ip', 1, (a) => {
  const v = parseIPv4(a[0]!);
  if (v === null) throw new SampleError(`'ipv4' expects an IPv4 address, got '${a[0]}'`);
  return { type: 'ipv4', v };
});
constant('ipv6', 'ipv6', 'ip', 1, (a) => {
  const v = parseIPv6(a[0]!);
  if (v === null) throw new SampleError(`'ipv6' expects an IPv6 address, got '${a[0]}'`);
  return { type: 'ipv6', v };
});

defineFetch({
  name: 'var', minArgs: 1, maxArgs: 2, out: 'any', stage: 'connection', match: null,
  compile: (args) => {
    const { scope, name } = parseVarName(args[0]!);
    const dflt = args[1] !== undefined ? compileVarDefault(args[1]) : null;
    return (c) => c.vars?.get(scope, name) ?? dflt;
  },
});

defineFetch({
  name: 'uuid', minArgs: 0, maxArgs: 1, out: 'str', stage: 'connection', match: 'str',
  compile: (args) => {
    if (args[0] !== undefined && args[0] !== '' && args[0] !== '4') throw new SampleError(`'uuid' only supports version 4, got '${args[0]}'`);
    return () => ({ type: 'str', v: randomUUID() });
  },
});

defineFetch({
  name: 'rand', minArgs: 0, maxArgs: 1, out: 'sint', stage: 'connection', match: 'int',
  compile: (args) => {
    const range = args[0] !== undefined && args[0] !== '' ? intArg('rand', args[0]) : 0;
    // HAProxy: a 32-bit random number, scaled to [0, range) by (r * range) >> 32 when given.
    return () => {
      const r = randomInt(0, 2 ** 32);
      return { type: 'sint', v: range > 0 ? Math.floor((r * range) / 2 ** 32) : r };
    };
  },
});

defineFetch({
  name: 'date', minArgs: 0, maxArgs: 2, out: 'sint', stage: 'connection', match: 'int',
  compile: (args) => {
    const offset = args[0] !== undefined && args[0] !== '' ? intArg('date', args[0]) : 0;
    const unit = args[1] ?? 's';
    const scale = unit === 's' ? 1 : unit === 'ms' ? 1e3 : unit === 'us' ? 1e6 : NaN;
    if (Number.isNaN(scale)) throw new SampleError(`'date' : unit must be 's', 'ms' or 'us', got '${unit}'`);
    return () => {
      const now = Date.now();
      const base = unit === 's' ? Math.floor(now / 1000) : unit === 'ms' ? now : now * 1000;
      return { type: 'sint', v: base + offset * (unit === 's' ? 1 : scale) };
    };
  },
});

defineFetch({
  name: 'unique-id', minArgs: 0, maxArgs: 0, out: 'str', stage: 'request', match: 'str',
  compile: () => (c) => { const v = c.uniqueId(); return v === null ? null : { type: 'str', v }; },
});
