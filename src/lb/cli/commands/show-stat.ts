/**
 * `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json|up|no-maint|desc]` and
 * `show info [typed|json]` (management guide §9.3): the statistics rows (stats/collect.ts)
 * in CSV, typed or JSON form, and the process facts.
 */
import type { CliCommand } from '../types.ts';
import { collectRows, type StatFilter } from '../../stats/collect.ts';
import { toCsv, toJson, toTyped } from '../../stats/format.ts';
import { infoText } from '../../stats/info.ts';

const FORMATS = new Set(['typed', 'json', 'up', 'no-maint', 'desc']);

export const showStat: CliCommand = {
  words: ['show', 'stat'], usage: 'show stat [json|no-maint|typed|up]*', help: 'statistics of every frontend, backend and server',
  run(rt, args) {
    const f: StatFilter = { types: -1, sid: -1 };
    let rest = args;
    // Three positional selectors come first when the first word is not an option.
    if (rest.length >= 3 && !FORMATS.has(rest[0]!)) {
      const [px, type, sid] = rest as [string, string, string];
      if (px !== '-1') f.proxy = /^\d+$/.test(px) ? Number(px) : px;
      f.types = Number(type) || 0;
      f.sid = Number(sid);
      if (Number.isNaN(f.sid)) f.sid = -1;
      rest = rest.slice(3);
    }
    let mode: 'csv' | 'typed' | 'json' = 'csv';
    for (const w of rest) {
      if (w === 'typed') mode = 'typed';
      else if (w === 'json') mode = 'json';
      else if (w === 'up') f.upOnly = true;
      else if (w === 'no-maint') f.noMaint = true;
    }
    const rows = collectRows(rt, f);
    return mode === 'typed' ? toTyped(rows) : mode === 'json' ? toJson(rows) : toCsv(rows);
  },
};

export const showInfo: CliCommand = {
  words: ['show', 'info'], usage: 'show info [json|typed]', help: 'report information about the running process',
  run(rt, args) {
    return infoText(rt, args.includes('json') ? 'json' : args.includes('typed') ? 'typed' : 'text');
  },
};
