/**
 * String converters: lower, upper, length, bytes, field, word, regsub, concat, strcmp,
 * param, iif, ipmask. Strings are byte strings (latin1 chars). Escaping converters (json,
 * url_dec, url_enc) live in escape.ts.
 */
import { defineConverter } from '../registry.ts';
import type { Sample, SampleContext } from '../types.ts';
import { SampleError } from '../types.ts';
import { intArg } from '../args.ts';
import { parseVarName } from '../vars.ts';
import { sampleToString } from '../casts.ts';
import { parseIPv4, parseIPv6, maskV4, maskV6 } from '../ip.ts';
import { urlParam } from '../fetches/uri.ts';

const asStr = (s: Sample): string => (s as Extract<Sample, { type: 'str' }>).v;
const str = (v: string): Sample => ({ type: 'str', v });

defineConverter({ name: 'lower', minArgs: 0, maxArgs: 0, in: 'str', out: 'str', compile: () => (s) => str(asStr(s).replace(/[A-Z]+/g, (x) => x.toLowerCase())) });
defineConverter({ name: 'upper', minArgs: 0, maxArgs: 0, in: 'str', out: 'str', compile: () => (s) => str(asStr(s).replace(/[a-z]+/g, (x) => x.toUpperCase())) });
defineConverter({ name: 'length', minArgs: 0, maxArgs: 0, in: 'str', out: 'sint', compile: () => (s) => ({ type: 'sint', v: asStr(s).length }) });

defineConverter({
  name: 'bytes', minArgs: 1, maxArgs: 2, in: 'bin', out: 'bin',
  compile: (args) => {
    const off = intArg('bytes', args[0]);
    const len = args[1] !== undefined && args[1] !== '' ? intArg('bytes', args[1]) : -1;
    if (off < 0 || (args[1] !== undefined && len < 0)) throw new SampleError(`'bytes' : offset and length must be positive integers`);
    return (s) => {
      const b = (s as Extract<Sample, { type: 'bin' }>).v;
      if (off >= b.length) return null;
      return { type: 'bin', v: b.subarray(off, len < 0 ? b.length : Math.min(b.length, off + len)) };
    };
  },
});

/**
 * field(index, delims[, count]) and word(index, delims[, count]). Fields are separated
 * by any char of `delims`; words are the non-empty fields. index counts from 1, negative
 * from the end; count (default 1, 0 = to the end) joins consecutive items with their
 * original separators; when the string ends first, the result runs to its end (its
 * start for a negative index), as HAProxy's.
 */
function splitter(name: 'field' | 'word'): void {
  defineConverter({
    name, minArgs: 2, maxArgs: 3, in: 'str', out: 'str',
    compile: (args) => {
      const index = intArg(name, args[0]);
      const delims = args[1]!;
      const count = args[2] !== undefined && args[2] !== '' ? intArg(name, args[2]) : 1;
      if (index === 0) throw new SampleError(`invalid args in converter '${name}' : Unexpected value 0 for index`);
      if (delims === '') throw new SampleError(`'${name}' : empty delimiter list`);
      return (s) => {
        const v = asStr(s);
        // item spans [start, end)
        const items: [number, number][] = [];
        let start = 0;
        for (let i = 0; i <= v.length; i++) {
          if (i === v.length || delims.includes(v[i]!)) {
            if (name === 'field' || i > start) items.push([start, i]);
            start = i + 1;
          }
        }
        const n = items.length;
        // HAProxy counts items from the one found; when the string ends before `count`
        // items (or count is 0), the result runs to the string's end (start for a
        // negative index), delimiters included: word(2,/,0) of "/a/b/" is "b/".
        let from: number;
        let to: number;
        if (index > 0) {
          const first = index - 1;
          if (first >= n) return name === 'field' ? str('') : null;
          const last = first + count - 1;
          from = items[first]![0];
          to = count === 0 || last >= n ? v.length : items[last]![1];
        } else {
          const last = n + index;
          if (last < 0) return name === 'field' ? str('') : null;
          const first = last - count + 1;
          to = items[last]![1];
          from = count === 0 || first < 0 ? 0 : items[first]![0];
        }
        return str(v.slice(from, to));
      };
    },
  });
}
splitter('field');
splitter('word');

defineConverter({
  name: 'regsub', minArgs: 2, maxArgs: 3, in: 'str', out: 'str',
  compile: (args) => {
    const flags = args[2] ?? '';
    if (!/^[gi]*$/.test(flags)) throw new SampleError(`'regsub' : invalid regex flags '${flags}', only 'g' and 'i' are supported`);
    let re: RegExp;
    try {
      re = new RegExp(args[0]!, 's' + flags);
    } catch (e) {
      throw new SampleError(`'regsub' : invalid regex '${args[0]}': ${(e as Error).message}`);
    }
    const subst = args[1]!;
    // HAProxy's \0..\9 back-references; anything else after a backslash is literal.
    const expand = (m: RegExpExecArray | string[]): string =>
      subst.replace(/\\([0-9])|\\(.)/g, (_x, d: string | undefined, o: string | undefined) => (d !== undefined ? (m[Number(d)] ?? '') : o!));
    return (s) => str(asStr(s).replace(re, (...m: unknown[]) => {
      const groups: string[] = [];
      for (const x of m) { if (typeof x !== 'string' && typeof x !== 'undefined') break; groups.push((x as string | undefined) ?? ''); }
      return expand(groups);
    }));
  },
});

/** A string argument or a `var(...)` reference resolved at run time (as a string). */
function varRef(owner: string, text: string): (ctx: SampleContext) => string | null {
  const { scope, name } = parseVarName(text);
  return (ctx) => {
    const v = ctx.vars?.get(scope, name);
    if (!v) return null;
    const s = sampleToString(v);
    return s && s.type === 'str' ? s.v : null;
  };
}

defineConverter({
  name: 'concat', minArgs: 0, maxArgs: 3, in: 'str', out: 'str',
  compile: (args) => {
    const before = args[0] ?? '';
    const v = args[1] ? varRef('concat', args[1]) : null;
    const after = args[2] ?? '';
    return (s, ctx) => str(asStr(s) + before + (v ? (v(ctx) ?? '') : '') + after);
  },
});

defineConverter({
  name: 'strcmp', minArgs: 1, maxArgs: 1, in: 'str', out: 'sint',
  compile: (args) => {
    const v = varRef('strcmp', args[0]!);
    return (s, ctx) => {
      const other = v(ctx);
      if (other === null) return null;
      const a = Buffer.from(asStr(s), 'latin1');
      const b = Buffer.from(other, 'latin1');
      // HAProxy: memcmp over the common length (glibc answers the byte difference),
      // then the length difference.
      const n = Math.min(a.length, b.length);
      let cmp = 0;
      for (let k = 0; k < n && cmp === 0; k++) cmp = a[k]! - b[k]!;
      if (cmp === 0) cmp = a.length - b.length;
      return { type: 'sint', v: cmp };
    };
  },
});

defineConverter({
  name: 'param', minArgs: 1, maxArgs: 2, in: 'str', out: 'str',
  compile: (args) => {
    const name = args[0]!;
    const delim = args[1] || '&';
    if (delim.length !== 1) throw new SampleError(`'param' : the delimiter must be one character`);
    return (s) => { const v = urlParam(asStr(s), name, delim); return v === null ? null : str(v); };
  },
});

defineConverter({
  name: 'iif', minArgs: 2, maxArgs: 2, in: 'bool', out: 'str',
  compile: (args) => {
    const t = str(args[0]!);
    const f = str(args[1]!);
    return (s) => ((s as Extract<Sample, { type: 'bool' }>).v ? t : f);
  },
});

defineConverter({
  name: 'ipmask', minArgs: 1, maxArgs: 2, in: 'addr', out: 'addr',
  compile: (args) => {
    const m4 = args[0]!;
    const mask4 = /^[0-9]{1,2}$/.test(m4) && Number(m4) <= 32 ? maskV4(Number(m4)) : parseIPv4(m4);
    if (mask4 === null) throw new SampleError(`'ipmask' : invalid IPv4 mask '${m4}'`);
    let p6 = 128;
    if (args[1] !== undefined && args[1] !== '') {
      if (!/^[0-9]{1,3}$/.test(args[1]) || Number(args[1]) > 128) {
        // also accept an IPv6 mask written as an address (contiguous)
        const b = parseIPv6(args[1]);
        if (!b) throw new SampleError(`'ipmask' : invalid IPv6 mask '${args[1]}'`);
        p6 = [...b].reduce((n, x) => n + x.toString(2).replace(/0/g, '').length, 0);
      } else p6 = Number(args[1]);
    }
    const has6 = args[1] !== undefined && args[1] !== '';
    return (s) => {
      if (s.type === 'ipv4') return { type: 'ipv4', v: (s.v & mask4) >>> 0 };
      if (s.type === 'ipv6') return has6 ? { type: 'ipv6', v: maskV6(s.v, p6) } : null;
      return null;
    };
  },
});
