/**
 * `show table`, `clear table` and `set table` (HAProxy 2.6 output format and messages).
 *
 * Without a name: one summary line per table. With a name: the summary, then one line
 * per entry — an id, the key, the trackers holding it (`use`), the ms before it expires
 * (`exp`), then each stored data type in HAProxy's order, rates with their period in ms.
 * Entries are listed in key order, as HAProxy walks its key tree.
 * Both take HAProxy's selection: `key K`, or `data.<type> <op> <value>` filters (eq, ne,
 * le, ge, lt, gt; all must hold). `clear table` removes the selected entries no tracker
 * holds (all of them without a selection); `set table` creates or updates one entry.
 */
import type { CliCommand } from '../types.ts';
import { stickTable, stickTables } from '../../stick/registry.ts';
import type { StickEntry, StickTable } from '../../stick/table.ts';
import { COUNTER_TYPES, RATE_TYPES, type CounterType, type RateType } from '../../stick/types.ts';
import { stickKey } from '../../stick/keys.ts';
import { parseIPv4, parseIPv6 } from '../../acl/ip.ts';

/** HAProxy's data type order (its stick-table data enum). */
const ORDER: readonly (CounterType | RateType)[] = [
  'server_id', 'gpt0', 'gpc0', 'gpc0_rate', 'conn_cnt', 'conn_rate', 'conn_cur', 'sess_cnt', 'sess_rate',
  'http_req_cnt', 'http_req_rate', 'http_err_cnt', 'http_err_rate', 'bytes_in_cnt', 'bytes_in_rate',
  'bytes_out_cnt', 'bytes_out_rate', 'gpc1', 'gpc1_rate',
];

const ids = new WeakMap<StickEntry, number>();
let nextId = 0x10000;

function summary(t: StickTable): string {
  return `# table: ${t.name}, type: ${t.cfg.type}, size:${t.cfg.size}, used:${t.count}\n`;
}

function entryLine(t: StickTable, e: StickEntry, now: number): string {
  let id = ids.get(e);
  if (id === undefined) { id = nextId++; ids.set(e, id); }
  let line = `0x${id.toString(16).padStart(12, '0')}: key=${e.key} use=${e.refs} exp=${e.exp === 0 ? 0 : Math.max(0, e.exp - now)}`;
  for (const d of ORDER) {
    if (!t.stores(d)) continue;
    const period = t.cfg.rates.get(d as RateType);
    line += period === undefined ? ` ${d}=${t.read(e, d)}` : ` ${d}(${period})=${t.read(e, d)}`;
  }
  // `stick` rules also record the server's name: HAProxy's server_key, last in its order.
  const name = t.serverKeys?.get(t.read(e, 'server_id') ?? 0);
  if (name !== undefined) line += ` server_key=${name}`;
  return `${line}\n`;
}

/** HAProxy's comparison operators for data filters. */
const OPS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, le: (a, b) => a <= b, ge: (a, b) => a >= b, lt: (a, b) => a < b, gt: (a, b) => a > b,
};
const KNOWN = new Set<string>([...COUNTER_TYPES, ...RATE_TYPES]);
const INTEGER = /^-?\d+$/;

interface DataFilter { type: CounterType | RateType; test: (v: number) => boolean }

/**
 * What follows the table name in `show table` / `clear table`: `key K` (one entry), or
 * `data.<type> <op> <value>` filters that all must hold, or nothing. A string is the
 * error to answer (HAProxy's words).
 */
function parseSelection(t: StickTable, args: readonly string[]): { key: string } | { filters: DataFilter[] } | string {
  if (args[0] === 'key') {
    if (args[1] === undefined) return 'Key value expected\n';
    const key = stickKey({ type: 'str', v: args[1] }, t.cfg.type, t.cfg.keyLen);
    return key === null ? `Invalid key '${args[1]}' for a table of type ${t.cfg.type}\n` : { key };
  }
  const filters: DataFilter[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const n = filters.length + 1;
    const word = args[i]!;
    if (!word.startsWith('data.')) return 'Optional argument only supports "data.<store_data_type>" <operator> <value> or key <key>\n';
    const type = word.slice(5);
    if (!KNOWN.has(type)) return `Filter entry #${n}: Unknown data type\n`;
    if (!t.stores(type as CounterType | RateType)) return `Filter entry #${n}: Data type not stored in this table\n`;
    const op = OPS[args[i + 1] ?? ''];
    if (!op) return `Filter entry #${n}: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"\n`;
    const value = args[i + 2];
    if (value === undefined || !INTEGER.test(value)) return `Filter entry #${n}: Require a valid integer value to compare against\n`;
    const v = Number(value);
    filters.push({ type: type as CounterType | RateType, test: (x) => op(x, v) });
  }
  return { filters };
}

/**
 * Entries in HAProxy's listing order: its key tree's, i.e. by the key's bytes (numeric
 * for addresses and integers), whatever the order they were used in.
 */
function sortedEntries(t: StickTable): StickEntry[] {
  const all = [...t.list()];
  switch (t.cfg.type) {
    case 'ip': return all.sort((a, b) => (parseIPv4(a.key) ?? 0) - (parseIPv4(b.key) ?? 0));
    case 'integer': return all.sort((a, b) => (Number(a.key) >>> 0) - (Number(b.key) >>> 0));
    case 'ipv6': return all.sort((a, b) => Buffer.compare(parseIPv6(a.key) ?? EMPTY, parseIPv6(b.key) ?? EMPTY));
    default: return all.sort((a, b) => Buffer.compare(Buffer.from(a.key, 'latin1'), Buffer.from(b.key, 'latin1')));
  }
}
const EMPTY = new Uint8Array(0);

function matches(t: StickTable, e: StickEntry, filters: readonly DataFilter[]): boolean {
  return filters.every((f) => f.test(t.read(e, f.type) ?? 0));
}

export const showTable: CliCommand = {
  words: ['show', 'table'], usage: 'show table [<table> [data.<type> <op> <value>]* | [key <key>]]', help: 'report table usage stats or dump this table\'s contents', level: 'operator',
  run(_rt, args) {
    const name = args[0];
    // HAProxy lists the tables last declared first.
    if (name === undefined) return [...stickTables()].reverse().map(summary).join('');
    const t = stickTable(name);
    if (!t) return 'No such table\n';
    const sel = parseSelection(t, args.slice(1));
    if (typeof sel === 'string') return sel;
    const now = t.now();
    if ('key' in sel) {
      // As HAProxy: a key that is not there prints nothing at all.
      const e = t.lookup(sel.key);
      return e ? summary(t) + entryLine(t, e, now) : '';
    }
    let out = '';
    for (const e of sortedEntries(t)) if (matches(t, e, sel.filters)) out += entryLine(t, e, now);
    return summary(t) + out;
  },
};

export const clearTable: CliCommand = {
  words: ['clear', 'table'], usage: 'clear table <table> [data.<type> <op> <value>]* | [key <key>]', help: 'remove an entry from a table (filter: data/key)', level: 'operator',
  run(_rt, args) {
    const name = args[0];
    if (name === undefined) return 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n';
    const t = stickTable(name);
    if (!t) return 'No such table\n';
    const sel = parseSelection(t, args.slice(1));
    if (typeof sel === 'string') return sel;
    // Entries a session is tracking stay (HAProxy removes only unreferenced ones).
    if ('key' in sel) {
      const e = t.lookup(sel.key);
      if (e) t.delete(e);
      return '';
    }
    if (sel.filters.length === 0) { t.clear(); return ''; }
    for (const e of [...t.list()]) if (matches(t, e, sel.filters)) t.delete(e);
    return '';
  },
};

/**
 * `set table <table> key <key> [data.<type> <value>]*`: creates the entry if needed
 * (refreshing its expiry), then stores each value; a rate gets `value` events in a
 * period starting now. As in HAProxy, the entry exists even when a later value is refused.
 */
export const setTable: CliCommand = {
  words: ['set', 'table'], usage: 'set table <table> key <key> [data.<type> <value>]*', help: 'update or create a table entry\'s data', level: 'admin',
  run(_rt, args) {
    const name = args[0];
    if (name === undefined) return 'Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n';
    const t = stickTable(name);
    if (!t) return 'No such table\n';
    if (args[1]?.startsWith('data.')) return 'content-based lookup is only supported with the "show" and "clear" actions\n';
    if (args[1] !== 'key' || args[2] === undefined) return 'Key value expected\n';
    const key = stickKey({ type: 'str', v: args[2] }, t.cfg.type, t.cfg.keyLen);
    if (key === null) return `Invalid key '${args[2]}' for a table of type ${t.cfg.type}\n`;
    const e = t.getOrCreate(key);
    if (!e) return 'Unable to allocate a new entry\n';
    for (let i = 3; i < args.length; i += 2) {
      const word = args[i]!;
      if (!word.startsWith('data.')) return '"data.<type>" followed by a value expected\n';
      const type = word.slice(5);
      if (!KNOWN.has(type)) return 'Unknown data type\n';
      if (!t.stores(type as CounterType | RateType)) return 'Data type not stored in this table\n';
      const value = args[i + 1];
      if (value === undefined || !INTEGER.test(value)) return 'Require a valid integer value to store\n';
      const v = Number(value);
      if ((RATE_TYPES as readonly string[]).includes(type)) t.setRate(e, type as RateType, v);
      else t.set(e, type as CounterType, v);
    }
    return '';
  },
};
