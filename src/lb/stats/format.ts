/**
 * The three machine formats of the statistics, as HAProxy prints them:
 *   - CSV (`show stat`, `;csv`): the header line, then one line per row, every column
 *     present (empty when undefined), a trailing comma, strings quoted when needed;
 *   - typed (`show stat typed`): one line per defined value,
 *     `<F|B|S>.<proxy id>.<server id>.<pos>.<name>.<process>:<tags>:<type>:<value>`;
 *   - JSON (`show stat json`, `;json`): an array per row of field objects with
 *     objType, proxyId, id, field {pos, name}, processNum, tags {origin, nature, scope}
 *     and value {type, value}; rows with latency histograms end with one `<m>_hist`
 *     field per measure (type "hist", see latency-view.ts).
 * The same tag letters serve `show info typed|json` (info.ts).
 */
import { COLUMNS, csvHeader, typedPosition, MODULE_SEPARATOR, type ObjType, type StatType } from './fields.ts';
import type { StatRow, StatValue } from './collect.ts';
import { histogramJson, rowLatency, SHORT } from './latency-view.ts';

const ORIGIN: Record<string, string> = { M: 'Metric', S: 'Status', K: 'Key', C: 'Config', P: 'Product' };
const NATURE: Record<string, string> = {
  A: 'Age', a: 'Avg', C: 'Counter', D: 'Duration', G: 'Gauge', L: 'Limit', M: 'Max', N: 'Name', O: 'Output', R: 'Rate', T: 'Time',
};
const SCOPE: Record<string, string> = { S: 'Service', P: 'Process', s: 'System', C: 'Cluster' };
const OBJ_NAME: Record<ObjType, string> = { F: 'Frontend', B: 'Backend', S: 'Server' };

export function tagsObject(tags: string): { origin: string; nature: string; scope: string } {
  return { origin: ORIGIN[tags[0]!] ?? '', nature: NATURE[tags[1]!] ?? '', scope: SCOPE[tags[2]!] ?? '' };
}

/** A CSV cell: quoted (with doubled quotes) only when it holds a comma, quote or line break. */
export function csvCell(v: StatValue): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(rows: readonly StatRow[]): string {
  let out = csvHeader();
  for (const r of rows) {
    // The separator column prints '-' on every row, as HAProxy does.
    out += r.values.map((v, i) => (i === MODULE_SEPARATOR ? '-' : csvCell(v))).join(',') + ',\n';
  }
  return out;
}

function columnTags(i: number, obj: ObjType): { tags: string; type: StatType } {
  const col = COLUMNS[i]!;
  return col.byType?.[obj] ?? { tags: col.tags, type: col.type };
}

/** Typed output has no line breaks inside a value. */
function typedText(v: string | number): string {
  return String(v).replace(/[\r\n]/g, ' ');
}

export function toTyped(rows: readonly StatRow[]): string {
  let out = '';
  for (const r of rows) {
    r.values.forEach((v, i) => {
      if (v === undefined || i === MODULE_SEPARATOR) return;
      const t = columnTags(i, r.obj);
      out += `${r.obj}.${r.proxy.id}.${r.sid}.${typedPosition(i)}.${COLUMNS[i]!.name}.1:${t.tags}:${t.type}:${typedText(v)}\n`;
    });
  }
  return out;
}

export function jsonRows(rows: readonly StatRow[]): unknown[][] {
  return rows.map((r) => {
    const fields: unknown[] = [];
    r.values.forEach((v, i) => {
      if (v === undefined || i === MODULE_SEPARATOR) return;
      const t = columnTags(i, r.obj);
      fields.push({
        objType: OBJ_NAME[r.obj], proxyId: r.proxy.id, id: r.sid,
        field: { pos: typedPosition(i), name: COLUMNS[i]!.name }, processNum: 1,
        tags: tagsObject(t.tags), value: { type: t.type, value: v },
      });
    });
    // Switchyard's latency histograms follow HAProxy's columns (latency-view.ts).
    const lat = rowLatency(r);
    if (lat) {
      let pos = typedPosition(COLUMNS.length - 1) + 1;
      for (const m of lat.measures) {
        fields.push({
          objType: OBJ_NAME[r.obj], proxyId: r.proxy.id, id: r.sid,
          field: { pos: pos++, name: `${SHORT[m]}_hist` }, processNum: 1,
          tags: tagsObject('MDP'), value: { type: 'hist', value: histogramJson(lat.lat[m]) },
        });
      }
    }
    return fields;
  });
}

export function toJson(rows: readonly StatRow[]): string {
  return JSON.stringify(jsonRows(rows)) + '\n';
}
