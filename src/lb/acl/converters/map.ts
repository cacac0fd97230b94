/**
 * map_<match>[_<out>](file[,default]): looks the sample up in a map file with the match
 * method <match> (str when omitted; beg, sub, dir, dom, end, reg, ip, int also) and
 * returns the value as <out> (str when omitted; int, ip). The default is returned when no
 * key matches; with no default the sample fails. Values that do not parse as <out> make
 * the configuration fail at load time, as in HAProxy.
 */
import { defineConverter } from '../registry.ts';
import type { Sample, SampleTypeSpec } from '../types.ts';
import { SampleError } from '../types.ts';
import type { MatchMethod } from '../match.ts';
import { matchInput } from '../match.ts';
import { maps } from '../maps.ts';
import { parseIPv4, parseIPv6 } from '../ip.ts';

type Out = 'str' | 'int' | 'ip';

function valueSample(out: Out, v: string, owner: string): Sample {
  if (out === 'str') return { type: 'str', v };
  if (out === 'int') {
    if (!/^[-+]?[0-9]+$/.test(v)) throw new SampleError(`'${owner}' : value '${v}' is not an integer`, 'SY_ERR_CFG_PATTERN_FILE');
    return { type: 'sint', v: Number(v) };
  }
  const v4 = parseIPv4(v);
  if (v4 !== null) return { type: 'ipv4', v: v4 };
  const v6 = parseIPv6(v);
  if (v6) return { type: 'ipv6', v: v6 };
  throw new SampleError(`'${owner}' : value '${v}' is not an IP address`, 'SY_ERR_CFG_PATTERN_FILE');
}

function defineMap(match: MatchMethod, out: Out, name: string): void {
  const outType: SampleTypeSpec = out === 'str' ? 'str' : out === 'int' ? 'sint' : 'addr';
  defineConverter({
    name, minArgs: 1, maxArgs: 2, in: match === 'int' ? 'sint' : matchInput(match), out: outType,
    compile: (args, env) => {
      const ref = maps.load(args[0]!, env.baseDir, true);
      const find = ref.matcher(match, false);
      for (const e of ref.list()) valueSample(out, e.value, name);
      const dflt = args[1] !== undefined ? valueSample(out, args[1], name) : null;
      // a parsed value is cached per entry and re-parsed when the runtime API changed it
      const cache = new WeakMap<object, { raw: string; s: Sample | null }>();
      return (s) => {
        const e = find(s);
        if (!e) return dflt;
        let c = cache.get(e);
        if (!c || c.raw !== e.value) {
          let v: Sample | null;
          try { v = valueSample(out, e.value, name); } catch { v = null; }
          c = { raw: e.value, s: v };
          cache.set(e, c);
        }
        return c.s ?? dflt;
      };
    },
  });
}

const METHODS: MatchMethod[] = ['str', 'beg', 'sub', 'dir', 'dom', 'end', 'reg', 'ip', 'int'];
for (const m of METHODS) {
  for (const out of ['str', 'int', 'ip'] as Out[]) {
    const base = m === 'str' ? 'map' : `map_${m}`;
    defineMap(m, out, out === 'str' ? base : `${base}_${out}`);
    if (m === 'str') defineMap(m, out, out === 'str' ? 'map_str' : `map_str_${out}`);
  }
}
