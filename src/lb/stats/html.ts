/**
 * The HTML statistics page: a header with the process facts, an optional legend, then
 * one table per proxy (FRONTEND row, one row per server, BACKEND row) with the columns
 * operators read most — queue, sessions (current, max, limit, total, LB picks), bytes,
 * errors, warnings, server state, the last health check in HAProxy's words ("L7OK/200
 * in 1ms", its description and details as a tooltip), failed checks, downs and
 * downtime, weights, and p50/p90/p99 of the latency histograms (queue, connect,
 * response, total). Every session count of every row is shown. Rows take HAProxy's colour codes for states (green up, yellow going down,
 * orange going up, red down, blue draining, brown maintenance, grey unchecked, violet
 * backup). One self-contained document: inline CSS, no script, no external assets.
 * When admin is allowed, each backend table is a form posting the chosen action for
 * the checked servers (service.ts handles the POST).
 */
import { hostname } from 'node:os';
import type { Runtime } from '../core/runtime.ts';
import type { StatsConfig } from './config.ts';
import type { StatRow, StatValue } from './collect.ts';
import { COL } from './fields.ts';
import { VERSION } from '../../shared/version.ts';
import { uptimeText } from './info.ts';
import { MEASURES } from '../core/latency.ts';
import { percentiles, rowLatency } from './latency-view.ts';

export interface PageOptions {
  cfg: StatsConfig;
  /** URI prefix the page links and posts to. */
  uri: string;
  admin: boolean;
  /** `;up`: only servers that are up were collected. */
  upOnly: boolean;
  norefresh: boolean;
  /** Result of the last admin action (`;st=…`), to show once. */
  status: string | null;
}

const STATUS_TEXT: Record<string, string> = {
  DONE: 'The action was applied.',
  PART: 'The action was applied to some of the servers only.',
  NONE: 'Nothing to do: no server was selected or the action changed nothing.',
  ERRP: 'The action was refused: a parameter was missing or invalid.',
  EXCD: 'The request was too large to be processed.',
  DENY: 'The action was refused: administration is not allowed for this client.',
};

function h(v: StatValue): string {
  if (v === undefined) return '';
  return String(v).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function val(r: StatRow, name: string): StatValue {
  return r.values[COL[name]!];
}

/** The colour class of a row, from its status text (HAProxy's colour rules). */
function stateClass(r: StatRow): string {
  const st = String(val(r, 'status') ?? '');
  if (r.obj === 'F') return st === 'OPEN' ? 'open' : 'down';
  if (r.obj === 'B') return st === 'UP' ? 'up' : 'down';
  const backup = r.server?.backup ?? false;
  if (st.startsWith('MAINT')) return 'maint';
  if (st.startsWith('DRAIN') || st.startsWith('NOLB')) return 'drain';
  if (st === 'no check') return backup ? 'backup nocheck' : 'nocheck';
  if (/^UP \d/.test(st)) return 'going-down';
  if (/^DOWN \d/.test(st)) return 'going-up';
  if (st.startsWith('UP')) return backup ? 'backup' : 'up';
  return 'down';
}

const CSS = `
:root{--fg:#1d2330;--mut:#5b6475;--line:#d9dee7;--bg:#f6f7fa;--card:#fff;--acc:#2d5bd7}
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:16px 24px;background:#1d2330;color:#fff;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
header h1{margin:0;font-size:18px;font-weight:600}header span{color:#b9c2d3}
main{padding:16px 24px;display:grid;gap:18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:auto}
.card h2{margin:0;padding:10px 14px;font-size:14px;border-bottom:1px solid var(--line);display:flex;gap:12px;align-items:baseline}
.card h2 small{color:var(--mut);font-weight:400}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:6px 18px;padding:12px 14px}
.facts b{display:block;font-size:16px}.facts span{color:var(--mut)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{background:#eef1f6;font-weight:600;color:#333c4d}thead tr:first-child th{text-align:center;border-left:1px solid var(--line)}
td:first-child,th:first-child,td.name{text-align:left}
tr.open td,tr.up td{background:#d8f5d8}tr.going-down td{background:#fff6b0}tr.going-up td{background:#ffd98a}
tr.down td{background:#ffc4c4}tr.drain td{background:#cfe0ff}tr.maint td{background:#e8c89c}
tr.nocheck td{background:#eceef2}tr.backup td{background:#dcd6ff}tr.backend td,tr.frontend td{font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:8px 16px;padding:10px 14px}.legend i{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px;margin-right:6px;border:1px solid #0002}
.msg{padding:10px 14px;border-radius:8px;background:#e7efff;border:1px solid #b7c9f5}
.admin{padding:8px 14px;display:flex;gap:8px;align-items:center;border-top:1px solid var(--line)}
.admin select,.admin input,.admin button{font:inherit;padding:3px 6px}
td[data-col=last_chk],td[data-col^=lat_]{text-align:center}
footer{padding:8px 24px 24px;color:var(--mut)}a{color:var(--acc)}
`;

const LEGEND: [string, string][] = [
  ['#d8f5d8', 'active up'], ['#fff6b0', 'active up, going down'], ['#ffd98a', 'active down, going up'],
  ['#ffc4c4', 'down or not checked'], ['#dcd6ff', 'backup up'], ['#cfe0ff', 'draining (soft stop)'],
  ['#e8c89c', 'maintenance'], ['#eceef2', 'no check'],
];

const HEAD1 = `<tr><th rowspan="2">${''}</th><th colspan="3">Queue</th><th colspan="5">Sessions</th><th colspan="2">Bytes</th><th colspan="3">Errors</th><th colspan="2">Warnings</th><th colspan="9">Server</th><th colspan="4" title="estimated from the latency histograms">Latency p50 / p90 / p99 (ms)</th></tr>`;
const HEAD2 = '<tr><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>LbTot</th><th>In</th><th>Out</th><th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th>' +
  '<th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th title="failed checks">Chk</th><th title="up to down transitions">Dwn</th><th title="total downtime">Dwntme</th><th>Addr</th>' +
  '<th>Queue</th><th>Connect</th><th>Response</th><th>Total</th></tr>';

/** "5s", "3m04s", "2h05m", "1d03h": a duration in seconds the way the page shows it. */
function humanSeconds(sec: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${two(sec % 60)}s`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h${two(Math.floor((sec % 3600) / 60))}m`;
  return `${Math.floor(sec / 86400)}d${two(Math.floor((sec % 86400) / 3600))}h`;
}

/** The LastChk cell as HAProxy words it: "L7STS/500 in 7ms", "* L4OK in 0ms" while a check runs, "INI". */
function lastCheckCell(r: StatRow): string {
  const st = val(r, 'check_status');
  if (st === undefined) return '<td data-col="last_chk"></td>';
  const code = val(r, 'check_code');
  const dur = val(r, 'check_duration');
  const text = `${st}${code !== undefined ? `/${code}` : ''}${dur !== undefined ? ` in ${dur}ms` : ''}`;
  const info = val(r, 'last_chk');
  const tip = `${val(r, 'check_desc') ?? ''}${info ? `: ${info}` : ''}`;
  return `<td data-col="last_chk" title="${h(tip)}">${h(text)}</td>`;
}

/** ms in three significant-ish digits: 0.42, 7.5, 120. */
function fmtMs(v: number): string {
  if (v >= 100) return String(Math.round(v));
  if (v >= 10) return v.toFixed(1).replace(/\.0$/, '');
  return v.toFixed(2).replace(/\.?0+$/, '') || '0';
}

/** One cell per latency measure: p50 / p90 / p99 from the histogram; empty when nothing was measured. */
function latencyCells(r: StatRow): string {
  const rl = rowLatency(r);
  return MEASURES.map((m) => {
    const hist = rl && rl.measures.includes(m) ? rl.lat[m] : null;
    if (!hist || hist.count === 0) return `<td data-col="lat_${m}"></td>`;
    const p = percentiles(hist);
    const tip = `${hist.count} measured, max ${fmtMs(hist.max)} ms, average ${fmtMs(hist.sum / hist.count)} ms`;
    return `<td data-col="lat_${m}" title="${h(tip)}">${fmtMs(p.p50)} / ${fmtMs(p.p90)} / ${fmtMs(p.p99)}</td>`;
  }).join('');
}

function cells(r: StatRow): string {
  const cell = (n: string): string => {
    const v = val(r, n);
    // Session counts always show, as 0 when the row has none (the point of the page).
    const shown = v === undefined && (n === 'scur' || n === 'smax' || n === 'stot') ? 0 : v;
    return `<td data-col="${n}">${h(shown)}</td>`;
  };
  const first = ['qcur', 'qmax', 'qlimit', 'scur', 'smax', 'slim', 'stot', 'lbtot', 'bin', 'bout', 'ereq', 'econ', 'eresp', 'wretr', 'wredis', 'status'].map(cell).join('');
  const mid = ['weight', 'act', 'bck', 'chkfail', 'chkdown'].map(cell).join('');
  const down = val(r, 'downtime');
  const dwntme = `<td data-col="downtime">${down === undefined ? '' : humanSeconds(Number(down))}</td>`;
  return first + lastCheckCell(r) + mid + dwntme + cell('addr') + latencyCells(r);
}

function proxyTable(name: string, rows: StatRow[], o: PageOptions): string {
  const hasServers = rows.some((r) => r.obj === 'S');
  const form = o.admin && hasServers;
  const first = form ? '<th rowspan="2"><input type="checkbox" disabled title="select servers below"></th>' : '';
  const body = rows.map((r) => {
    const kind = r.obj === 'F' ? 'frontend' : r.obj === 'B' ? 'backend' : 'server';
    const svname = String(val(r, 'svname'));
    const pick = form ? (r.obj === 'S' ? `<td><input type="checkbox" name="s" value="${h(svname)}" aria-label="select ${h(svname)}"></td>` : '<td></td>') : '';
    return `<tr class="${kind} ${stateClass(r)}" data-sv="${h(svname)}">${pick}<td class="name">${h(svname)}</td>${cells(r)}</tr>`;
  }).join('\n');
  const mode = rows[0] ? String(val(rows[0], 'mode') ?? '') : '';
  let html = `<section class="card" data-proxy="${h(name)}"><h2>${h(name)} <small>${h(mode)}</small></h2>`;
  if (form) html += `<form method="post" action="${h(o.uri)}">`;
  html += `<table><thead>${first ? HEAD1.replace('<th rowspan="2"></th>', first + '<th rowspan="2"></th>') : HEAD1}${HEAD2}</thead><tbody>\n${body}\n</tbody></table>`;
  if (form) {
    html += `<div class="admin"><input type="hidden" name="b" value="${h(name)}"><label>Action for the selected servers: <select name="action">` +
      '<option value="">choose…</option><option value="ready">set state to READY</option><option value="drain">set state to DRAIN</option>' +
      '<option value="maint">set state to MAINT</option><option value="weight">set weight to</option></select></label>' +
      '<input name="weight" size="6" placeholder="weight" aria-label="weight"><button type="submit">Apply</button></div></form>';
  }
  return html + '</section>';
}

export function renderPage(rt: Runtime, rows: StatRow[], o: PageOptions): string {
  const up = uptimeText(Date.now() - rt.startedAt);
  const title = o.cfg.hideVersion ? 'Statistics Report' : `Statistics Report — Switchyard ${VERSION}`;
  const node = o.cfg.showNode !== null ? (o.cfg.showNode || hostname()) : null;
  let html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${h(title)}</title><style>${CSS}</style></head><body>`;
  html += `<header><h1>${h(title)}</h1>${node ? `<span>node ${h(node)}</span>` : ''}${o.cfg.showDesc ? `<span>${h(o.cfg.showDesc)}</span>` : ''}<span>pid ${process.pid}</span><span>uptime ${up}</span></header><main>`;
  if (o.status) html += `<div class="msg" role="status">${h(STATUS_TEXT[o.status] ?? o.status)}</div>`;
  html += `<section class="card"><h2>Process</h2><div class="facts">` +
    `<div><b id="cur-conns">${rt.cur}</b><span>current sessions</span></div>` +
    `<div><b>${rt.maxconn}</b><span>maxconn</span></div>` +
    `<div><b>${rt.frontends.reduce((n, fe) => n + fe.feCounters.stot, 0)}</b><span>sessions since start</span></div>` +
    `<div><b>${o.cfg.refresh > 0 && !o.norefresh ? `${o.cfg.refresh / 1000}s` : 'off'}</b><span>refresh</span></div>` +
    `</div>`;
  const links = [`<a href="${h(o.uri)};csv">CSV</a>`, `<a href="${h(o.uri)};json">JSON</a>`,
    o.upOnly ? `<a href="${h(o.uri)}">show all servers</a>` : `<a href="${h(o.uri)};up">hide down servers</a>`];
  if (o.cfg.refresh > 0) links.push(o.norefresh ? `<a href="${h(o.uri)}">refresh on</a>` : `<a href="${h(o.uri)};norefresh">refresh off</a>`);
  html += `<div class="admin">${links.join(' · ')}</div></section>`;
  if (o.cfg.showLegends) {
    html += `<section class="card"><h2>Legend</h2><div class="legend">${LEGEND.map(([c, t]) => `<span><i style="background:${c}"></i>${t}</span>`).join('')}</div></section>`;
  }
  const byProxy = new Map<string, StatRow[]>();
  for (const r of rows) {
    const list = byProxy.get(r.proxy.name) ?? [];
    list.push(r);
    byProxy.set(r.proxy.name, list);
  }
  for (const [name, list] of byProxy) html += proxyTable(name, list, o);
  html += `</main><footer>Generated ${new Date().toISOString()}</footer></body></html>\n`;
  return html;
}
