/**
 * Stick-counter actions of `http-request` and `tcp-request connection` rules:
 *   track-sc0|1|2 KEY [table T]     start tracking the entry of KEY (a sample expression)
 *   sc-inc-gpc0(N) / sc-inc-gpc1(N)  gpcN +1 (and gpcN_rate) on tracked counter N
 *   sc-set-gpt0(N) INT|EXPR          gpt0 ← value on tracked counter N
 * Compiled once into a closure over the rule's sample context. The context must offer
 * `trackers()` (the proxy's StreamSampleContext does); elsewhere the action does nothing.
 * The table is the rule's proxy's unless `table` names another; it is resolved when the
 * rule runs, so it may be declared in a later section.
 */
import type { CompileEnv, FetchStage, SampleContext } from '../acl/types.ts';
import { SampleError } from '../acl/types.ts';
import { compileExpr, fetchUsableAt } from '../acl/expr.ts';
import { sampleToSint } from '../acl/casts.ts';
import { stickTable } from './registry.ts';
import { stickKey } from './keys.ts';
import type { StreamTrackers, TrackLevel } from './track.ts';

/** What a rule's sample context offers to stick actions. */
export interface StickHost {
  trackers(): StreamTrackers;
}

export type StickRun = (ctx: unknown) => void;

/** Whether `kw` (the action word) is a stick-counter action. */
export function isStickAction(kw: string): boolean {
  return /^(track-sc[0-2]|sc-inc-gpc[01]\(.*\)|sc-set-gpt0\(.*\))$/.test(kw);
}

function host(ctx: unknown): (SampleContext & StickHost) | null {
  return ctx !== null && typeof (ctx as Partial<StickHost>).trackers === 'function' ? (ctx as SampleContext & StickHost) : null;
}

function counterArg(kw: string): number {
  const m = /\(([0-2])\)$/.exec(kw);
  if (!m) throw new SampleError(`'${kw.replace(/\(.*$/, '')}' expects a stick counter number between 0 and 2 in parentheses, as ${kw.replace(/\(.*$/, '')}(0).`);
  return Number(m[1]);
}

/**
 * Compiles the action starting at words[i] (the action word); returns the closure and
 * the index after the action's arguments. Throws SampleError with HAProxy-like text.
 */
export function compileStickAction(words: readonly string[], i: number, env: CompileEnv, level: TrackLevel, stage: FetchStage): { run: StickRun; next: number } {
  const kw = words[i]!;
  const trk = /^track-sc([0-2])$/.exec(kw);
  if (trk) {
    const n = Number(trk[1]);
    const keyText = words[i + 1];
    if (!keyText || keyText === 'if' || keyText === 'unless') throw new SampleError(`'${kw}' expects a sample expression as key.`);
    const key = compileExpr(keyText, env);
    if (!fetchUsableAt(key.fetch.stage, stage)) throw new SampleError(`'${kw}' : fetch method '${key.fetch.name}' is not usable at ${stage} time.`);
    let next = i + 2;
    let tname = env.proxyName ?? '';
    if (words[next] === 'table') {
      tname = words[next + 1] ?? '';
      if (!tname) throw new SampleError(`'${kw} … table' expects a table name.`);
      next += 2;
    }
    if (!tname) throw new SampleError(`'${kw}' : no table (the proxy has no name).`);
    env.onTableRef?.(tname, { keyword: kw });
    const table = tname;
    return {
      next,
      run: (ctx) => {
        const h = host(ctx);
        const t = stickTable(table);
        if (!h || !t) return;
        const s = key.eval(h);
        const k = s === null ? null : stickKey(s, t.cfg.type, t.cfg.keyLen);
        if (k !== null) h.trackers().track(level, n, t, k);
      },
    };
  }
  const n = counterArg(kw);
  if (kw.startsWith('sc-inc-gpc')) {
    const g = kw[10] === '0' ? 0 : 1;
    return {
      next: i + 1,
      run: (ctx) => {
        const tr = host(ctx)?.stick?.slot(n);
        if (!tr) return;
        tr.table.add(tr.entry, g === 0 ? 'gpc0' : 'gpc1', 1);
        tr.table.hit(tr.entry, g === 0 ? 'gpc0_rate' : 'gpc1_rate', 1);
        tr.table.touch(tr.entry);
      },
    };
  }
  // sc-set-gpt0(N) INT|EXPR
  const vText = words[i + 1];
  if (vText === undefined || vText === 'if' || vText === 'unless') throw new SampleError(`'sc-set-gpt0' expects an integer or a sample expression.`);
  const lit = /^[-+]?\d+$/.test(vText) ? Number(vText) : null;
  const expr = lit === null ? compileExpr(vText, env) : null;
  return {
    next: i + 2,
    run: (ctx) => {
      const h = host(ctx);
      const tr = h?.stick?.slot(n);
      if (!h || !tr) return;
      let v = lit;
      if (expr) { const s = expr.eval(h); const x = s === null ? null : sampleToSint(s); v = x !== null && x.type === 'sint' ? x.v : null; }
      if (v === null) return;
      tr.table.set(tr.entry, 'gpt0', v);
      tr.table.touch(tr.entry);
    },
  };
}
