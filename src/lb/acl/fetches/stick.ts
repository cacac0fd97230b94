/**
 * Stick-table fetches (HAProxy 2.6 §7.3.2/7.3.3): `sc_<data>(N[,table])` and the
 * `sc0_`/`sc1_`/`sc2_<data>([table])` aliases read the entry a stream tracks;
 * `src_<data>([table])` looks the client address up; `table_cnt`/`table_avl` size a
 * table. Semantics as HAProxy's:
 *  - an sc fetch on a counter that is not tracked fails (no sample);
 *  - with a table argument, the tracked key is looked up in that table (missing: 0);
 *  - a src_ lookup of an absent key gives 0; src_inc_/src_clr_ create the entry;
 *  - a data type the table does not store makes the fetch fail.
 * The table is resolved by name when the fetch runs (it may be declared further down);
 * without a name it is the stick table of the proxy the rule is written in.
 */
import { defineFetch, FETCHES } from '../registry.ts';
import type { CompileEnv, Sample, SampleContext } from '../types.ts';
import { SampleError } from '../types.ts';
import { stickTable } from '../../stick/registry.ts';
import type { StickEntry, StickTable } from '../../stick/table.ts';
import type { CounterType, RateType } from '../../stick/types.ts';
import { stickKey } from '../../stick/keys.ts';

/** How a keyword reads (or changes) an entry; null when the table lacks the data. */
export type EntryOp = (t: StickTable, e: StickEntry | null) => number | null;

const read = (d: CounterType | RateType, div = 1): EntryOp => (t, e) => {
  if (!t.stores(d)) return null;
  if (e === null) return 0;
  const v = t.read(e, d)!;
  return div === 1 ? v : Math.floor(v / div);
};

/** gpcN +1 (and its rate); the new value. */
const inc = (n: 0 | 1, create: boolean): EntryOp => (t, e) => {
  const c: CounterType = n === 0 ? 'gpc0' : 'gpc1';
  const r: RateType = n === 0 ? 'gpc0_rate' : 'gpc1_rate';
  if (!t.stores(c) && !t.stores(r)) return null;
  if (e === null) return create ? null : 0;
  t.add(e, c, 1);
  t.hit(e, r, 1);
  t.touch(e);
  return t.stores(c) ? t.read(e, c) : t.read(e, r);
};

/** gpcN ← 0; the value before. */
const clr = (n: 0 | 1): EntryOp => (t, e) => {
  const c: CounterType = n === 0 ? 'gpc0' : 'gpc1';
  if (!t.stores(c)) return null;
  if (e === null) return 0;
  const v = t.read(e, c)!;
  t.set(e, c, 0);
  t.touch(e);
  return v;
};

/** Data keywords: fetch suffix → operation, shared with the table_* converters. */
export const STICK_DATA: ReadonlyArray<[string, EntryOp]> = [
  ['conn_cnt', read('conn_cnt')], ['conn_cur', read('conn_cur')], ['conn_rate', read('conn_rate')],
  ['sess_cnt', read('sess_cnt')], ['sess_rate', read('sess_rate')],
  ['http_req_cnt', read('http_req_cnt')], ['http_req_rate', read('http_req_rate')],
  ['http_err_cnt', read('http_err_cnt')], ['http_err_rate', read('http_err_rate')],
  ['bytes_in_rate', read('bytes_in_rate')], ['bytes_out_rate', read('bytes_out_rate')],
  ['kbytes_in', read('bytes_in_cnt', 1024)], ['kbytes_out', read('bytes_out_cnt', 1024)],
  ['get_gpc0', read('gpc0')], ['get_gpc1', read('gpc1')], ['gpc0_rate', read('gpc0_rate')], ['gpc1_rate', read('gpc1_rate')],
  ['get_gpt0', read('gpt0')],
];
const CHANGING: ReadonlyArray<[string, EntryOp, boolean]> = [
  ['inc_gpc0', inc(0, true), true], ['inc_gpc1', inc(1, true), true], ['clr_gpc0', clr(0), true], ['clr_gpc1', clr(1), true],
];

/**
 * The table named by `name`, else the rule's proxy's (resolved at run time). The name is
 * reported to env.onTableRef as argument 1 of `keyword`, for the configuration's check.
 */
export function tableRef(name: string | undefined, env: CompileEnv, keyword: string): (c: SampleContext) => StickTable | null {
  const target = name !== undefined && name !== '' ? name : env.proxyName;
  if (target !== undefined) env.onTableRef?.(target, { keyword, arg: 1 });
  if (name !== undefined && name !== '') return () => stickTable(name);
  const own = env.proxyName;
  return (c) => stickTable(own ?? c.backendName ?? c.frontendName);
}

function slotArg(owner: string, v: string | undefined): number {
  if (v === undefined || !/^[0-2]$/.test(v)) throw new SampleError(`'${owner}' expects a stick counter number between 0 and 2, got '${v ?? ''}'`);
  return Number(v);
}

const sint = (v: number | null): Sample | null => (v === null ? null : { type: 'sint', v });

/** sc_<x>(N[,table]) and scN_<x>([table]). */
function defineSc(suffix: string, op: EntryOp, create: boolean): void {
  const compile = (n: number, tname: string | undefined, env: CompileEnv, keyword: string, arg: number) => {
    const other = tname !== undefined && tname !== '' ? tname : null;
    if (other !== null) env.onTableRef?.(other, { keyword, arg });
    return (c: SampleContext): Sample | null => {
      const tr = c.stick?.slot(n);
      if (!tr) return null;
      if (other === null) return sint(op(tr.table, tr.entry));
      const t = stickTable(other);
      if (!t) return null;
      return sint(op(t, create ? t.getOrCreate(tr.entry.key) : t.lookup(tr.entry.key)));
    };
  };
  defineFetch({ name: `sc_${suffix}`, minArgs: 1, maxArgs: 2, out: 'sint', stage: 'connection', match: 'int', compile: (a, env) => compile(slotArg(`sc_${suffix}`, a[0]), a[1], env, `sc_${suffix}`, 2) });
  for (const n of [0, 1, 2]) {
    defineFetch({ name: `sc${n}_${suffix}`, minArgs: 0, maxArgs: 1, out: 'sint', stage: 'connection', match: 'int', compile: (a, env) => compile(n, a[0], env, `sc${n}_${suffix}`, 1) });
  }
}

/** src_<x>([table]): the client address as key. */
function defineSrc(suffix: string, op: EntryOp, create: boolean): void {
  defineFetch({
    name: `src_${suffix}`, minArgs: 0, maxArgs: 1, out: 'sint', stage: 'connection', match: 'int',
    compile: (a, env) => {
      const table = tableRef(a[0], env, `src_${suffix}`);
      const src = FETCHES.get('src')!.compile([], env);
      return (c) => {
        const t = table(c);
        const s = src(c);
        if (!t || !s) return null;
        const key = stickKey(s, t.cfg.type, t.cfg.keyLen);
        if (key === null) return null;
        return sint(op(t, create ? t.getOrCreate(key) : t.lookup(key)));
      };
    },
  });
}

for (const [suffix, op] of STICK_DATA) { defineSc(suffix, op, false); defineSrc(suffix, op, false); }
for (const [suffix, op, create] of CHANGING) { defineSc(suffix, op, create); defineSrc(suffix, op, create); }

// sc_tracked / sc_trackers: whether the counter is tracked, and how many trackers its entry has.
for (const [suffix, bool] of [['tracked', true], ['trackers', false]] as const) {
  const compile = (n: number) => (c: SampleContext): Sample | null => {
    const tr = c.stick?.slot(n) ?? null;
    if (bool) return { type: 'bool', v: tr !== null };
    return tr ? { type: 'sint', v: tr.entry.refs } : null;
  };
  const out = bool ? 'bool' : 'sint';
  const match = bool ? 'bool' : 'int';
  defineFetch({ name: `sc_${suffix}`, minArgs: 1, maxArgs: 2, out, stage: 'connection', match, compile: (a) => compile(slotArg(`sc_${suffix}`, a[0])) });
  for (const n of [0, 1, 2]) defineFetch({ name: `sc${n}_${suffix}`, minArgs: 0, maxArgs: 1, out, stage: 'connection', match, compile: () => compile(n) });
}

defineFetch({
  name: 'table_cnt', minArgs: 0, maxArgs: 1, out: 'sint', stage: 'connection', match: 'int',
  compile: (a, env) => { const t = tableRef(a[0], env, 'table_cnt'); return (c) => { const x = t(c); return x ? { type: 'sint', v: x.count } : null; }; },
});
defineFetch({
  name: 'table_avl', minArgs: 0, maxArgs: 1, out: 'sint', stage: 'connection', match: 'int',
  compile: (a, env) => { const t = tableRef(a[0], env, 'table_avl'); return (c) => { const x = t(c); return x ? { type: 'sint', v: Math.max(0, x.cfg.size - x.count) } : null; }; },
});
