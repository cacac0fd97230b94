/**
 * Stick-table names a configuration refers to, checked once every section is read.
 *
 * Tables are named after the proxy that declares them, and a rule may name a table
 * declared further down, so nothing can be checked while a line is parsed. Instead the
 * keywords that name a table — `track-sc*`, `stick …`, the `sc_*`/`src_*`/`table_*`
 * fetches and converters — note the name (or their proxy's, when they default to it)
 * with the line they are on; finalize() then refuses every name that no proxy of this
 * configuration declared, as HAProxy 2.6 does at `-c` ("unable to find table …").
 *
 * Book-keeping is per ParseContext (a WeakMap), so two configurations read in one
 * process (tests, reloads) do not see each other's tables.
 */
import type { ParseContext } from '../config/context.ts';
import type { Where } from '../config/types.ts';

interface TableRef {
  table: string;
  proxy: string;
  where: Where;
  /** 'stick' rules, actions (`track-sc0`), or argument `arg` of a fetch/converter. */
  by: { kind: 'stick' } | { kind: 'action'; keyword: string } | { kind: 'arg'; keyword: string; arg: number };
}

interface Book {
  declared: Set<string>;
  refs: TableRef[];
}

const BOOKS = new WeakMap<ParseContext, Book>();

function book(ctx: ParseContext): Book {
  let b = BOOKS.get(ctx);
  if (!b) { b = { declared: new Set(), refs: [] }; BOOKS.set(ctx, b); }
  return b;
}

/** A proxy of this configuration declared its `stick-table`. */
export function noteTableDeclared(ctx: ParseContext, name: string): void {
  book(ctx).declared.add(name);
}

/** A `stick` rule of `proxy` uses `table` (at the current line). */
export function noteStickRuleTable(ctx: ParseContext, proxy: string, table: string): void {
  book(ctx).refs.push({ table, proxy, where: { ...ctx.where }, by: { kind: 'stick' } });
}

/** The CompileEnv.onTableRef of one proxy: records with the line being parsed. */
export function tableRefRecorder(ctx: ParseContext, proxy: string): (table: string, by: { keyword: string; arg?: number }) => void {
  return (table, by) => {
    const r: TableRef['by'] = by.arg === undefined ? { kind: 'action', keyword: by.keyword } : { kind: 'arg', keyword: by.keyword, arg: by.arg };
    book(ctx).refs.push({ table, proxy, where: { ...ctx.where }, by: r });
  };
}

/** Whether `name` is a table of this configuration. */
export function tableDeclared(ctx: ParseContext, name: string): boolean {
  return book(ctx).declared.has(name);
}

/** Alerts for every reference to a table this configuration does not declare. */
export function checkTableRefs(ctx: ParseContext): void {
  const b = book(ctx);
  for (const r of b.refs) {
    if (b.declared.has(r.table)) continue;
    const msg = r.by.kind === 'stick' ? `Proxy '${r.proxy}': unable to find stick-table '${r.table}'.`
      : r.by.kind === 'action' ? `Proxy '${r.proxy}': unable to find table '${r.table}' referenced by ${r.by.keyword}.`
        : `unable to find table '${r.table}' referenced in arg ${r.by.arg} of '${r.by.keyword}' in proxy '${r.proxy}'.`;
    ctx.alert('SY_ERR_CFG_REFERENCE', msg, r.where);
  }
}
