/**
 * `show table [NAME]` and `clear table NAME` (HAProxy 2.6 output format).
 *
 * Without a name: one summary line per table. With a name: the summary, then one line
 * per entry — an id, the key, the trackers holding it (`use`), the ms before it expires
 * (`exp`), then each stored data type in HAProxy's order, rates with their period in ms.
 * Entries are listed least recently used first (HAProxy walks its key tree instead).
 * `clear table NAME` removes every entry no tracker holds; the key/data filters of
 * HAProxy's form are not implemented.
 */
import type { CliCommand } from '../types.ts';
import { stickTable, stickTables } from '../../stick/registry.ts';
import type { StickEntry, StickTable } from '../../stick/table.ts';
import type { CounterType, RateType } from '../../stick/types.ts';

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

export const showTable: CliCommand = {
  words: ['show', 'table'], usage: 'show table [<table>]', help: 'report table usage stats or dump this table\'s contents', level: 'operator',
  run(_rt, args) {
    const name = args[0];
    if (name === undefined) return [...stickTables()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(summary).join('');
    const t = stickTable(name);
    if (!t) return 'No such table\n';
    const now = t.now();
    let out = '';
    for (const e of t.list()) out += entryLine(t, e, now);
    return summary(t) + out;
  },
};

export const clearTable: CliCommand = {
  words: ['clear', 'table'], usage: 'clear table <table> [<filter>]*', help: 'remove an entry from a table (filter: data/key)', level: 'operator',
  run(_rt, args) {
    const name = args[0];
    if (name === undefined) return 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n';
    const t = stickTable(name);
    if (!t) return 'No such table\n';
    if (args.length > 1) return 'Filters (key, data.<type>) are not implemented yet in Switchyard.\n';
    t.clear();
    return '';
  },
};
