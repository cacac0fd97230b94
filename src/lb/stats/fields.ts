/**
 * The statistics columns in HAProxy 2.6's exact order (management guide §9.1), with the
 * typed-output tags of each: origin/nature/scope letters and the value type, as `show
 * stat typed` and `show stat json` print them. HAProxy's stats modules (SSL, HTTP/2,
 * HTTP/1 counters) follow the `-` separator column; their positions in typed output
 * skip the separator. The list is data: CSV headers, typed lines, JSON objects and the
 * HTML page all index into it, so a column never moves in one output only.
 */

export type StatType = 'str' | 'u32' | 's32' | 'u64';
export type ObjType = 'F' | 'B' | 'S';

export interface StatColumn {
  readonly name: string;
  /** Three letters: origin, nature, scope (e.g. 'MCP': metric, counter, process). */
  readonly tags: string;
  readonly type: StatType;
  /** Different tags for one object type (HAProxy tags a few backend columns apart). */
  readonly byType?: Partial<Record<ObjType, { tags: string; type: StatType }>>;
}

function c(name: string, tt: string, byType?: StatColumn['byType']): StatColumn {
  const [tags, type] = tt.split(':') as [string, StatType];
  return byType ? { name, tags, type, byType } : { name, tags, type };
}

export const COLUMNS: readonly StatColumn[] = [
  c('pxname', 'KNS:str'),
  c('svname', 'KNS:str'),
  c('qcur', 'MGP:u32'),
  c('qmax', 'MMP:u32'),
  c('scur', 'MGP:u32'),
  c('smax', 'MMP:u32'),
  c('slim', 'CLP:u32'),
  c('stot', 'MCP:u64'),
  c('bin', 'MCP:u64'),
  c('bout', 'MCP:u64'),
  c('dreq', 'MCP:u64'),
  c('dresp', 'MCP:u64'),
  c('ereq', 'MCP:u64'),
  c('econ', 'MCP:u64'),
  c('eresp', 'MCP:u64'),
  c('wretr', 'MCP:u64'),
  c('wredis', 'MCP:u64'),
  c('status', 'SGP:str'),
  c('weight', 'MaP:u32'),
  c('act', 'SGP:u32', { B: { tags: 'MGP', type: 'u32' } }),
  c('bck', 'SGP:u32', { B: { tags: 'MGP', type: 'u32' } }),
  c('chkfail', 'MCP:u64'),
  c('chkdown', 'MCP:u64'),
  c('lastchg', 'MAP:u32'),
  c('downtime', 'MCP:u32'),
  c('qlimit', 'CLP:u32'),
  c('pid', 'KGP:u32'),
  c('iid', 'KGS:u32'),
  c('sid', 'KGS:u32'),
  c('throttle', 'MaP:u32'),
  c('lbtot', 'MCP:u64'),
  c('tracked', 'CGS:str'),
  c('type', 'CGS:u32'),
  c('rate', 'MRP:u32', { B: { tags: 'MGP', type: 'u32' } }),
  c('rate_lim', 'CLP:u32'),
  c('rate_max', 'MMP:u32', { B: { tags: 'MGP', type: 'u32' } }),
  c('check_status', 'MOP:str'),
  c('check_code', 'MOP:u32'),
  c('check_duration', 'MDP:u64'),
  c('hrsp_1xx', 'MCP:u64'),
  c('hrsp_2xx', 'MCP:u64'),
  c('hrsp_3xx', 'MCP:u64'),
  c('hrsp_4xx', 'MCP:u64'),
  c('hrsp_5xx', 'MCP:u64'),
  c('hrsp_other', 'MCP:u64'),
  c('hanafail', 'MCP:u64'),
  c('req_rate', 'MRP:u32'),
  c('req_rate_max', 'MMP:u32'),
  c('req_tot', 'MCP:u64'),
  c('cli_abrt', 'MCP:u64'),
  c('srv_abrt', 'MCP:u64'),
  c('comp_in', 'MCP:u64'),
  c('comp_out', 'MCP:u64'),
  c('comp_byp', 'MCP:u64'),
  c('comp_rsp', 'MCP:u64'),
  c('lastsess', 'MAP:s32'),
  c('last_chk', 'MOP:str'),
  c('last_agt', 'MOP:str'),
  c('qtime', 'MaP:u32'),
  c('ctime', 'MaP:u32'),
  c('rtime', 'MaP:u32'),
  c('ttime', 'MaP:u32'),
  c('agent_status', 'MOP:str'),
  c('agent_code', 'MOP:u32'),
  c('agent_duration', 'MDP:u64'),
  c('check_desc', 'MOP:str'),
  c('agent_desc', 'MOP:str'),
  c('check_rise', 'CGS:u32'),
  c('check_fall', 'CGS:u32'),
  c('check_health', 'CGS:u32'),
  c('agent_rise', 'CGS:u32'),
  c('agent_fall', 'CGS:u32'),
  c('agent_health', 'CGS:u32'),
  c('addr', 'CGS:str'),
  c('cookie', 'CGS:str'),
  c('mode', 'CGS:str'),
  c('algo', 'CGS:str'),
  c('conn_rate', 'MRP:u32'),
  c('conn_rate_max', 'MMP:u32'),
  c('conn_tot', 'MCP:u64'),
  c('intercepted', 'MCP:u64'),
  c('dcon', 'MCP:u64'),
  c('dses', 'MCP:u64'),
  c('wrew', 'MCP:u64'),
  c('connect', 'MCP:u64'),
  c('reuse', 'MCP:u64'),
  c('cache_lookups', 'MCP:u64'),
  c('cache_hits', 'MCP:u64'),
  c('srv_icur', 'MGP:u32'),
  c('src_ilim', 'MGP:u32'),
  c('qtime_max', 'MMP:u32'),
  c('ctime_max', 'MMP:u32'),
  c('rtime_max', 'MMP:u32'),
  c('ttime_max', 'MMP:u32'),
  c('eint', 'MCP:u64'),
  c('idle_conn_cur', 'MGP:u32'),
  c('safe_conn_cur', 'MGP:u32'),
  c('used_conn_cur', 'MGP:u32'),
  c('need_conn_est', 'MGP:u32'),
  c('uweight', 'MaP:u32'),
  c('agg_server_status', 'MGP:u32'),
  c('agg_server_check_status', 'MGP:u32'),
  c('agg_check_status', 'MGP:u32'),
  c('-', ':str'),
  c('ssl_sess', 'MCP:u64'),
  c('ssl_reused_sess', 'MCP:u64'),
  c('ssl_failed_handshake', 'MCP:u64'),
  c('h2_headers_rcvd', 'MCP:u64'),
  c('h2_data_rcvd', 'MCP:u64'),
  c('h2_settings_rcvd', 'MCP:u64'),
  c('h2_rst_stream_rcvd', 'MCP:u64'),
  c('h2_goaway_rcvd', 'MCP:u64'),
  c('h2_detected_conn_protocol_errors', 'MCP:u64'),
  c('h2_detected_strm_protocol_errors', 'MCP:u64'),
  c('h2_rst_stream_resp', 'MCP:u64'),
  c('h2_goaway_resp', 'MCP:u64'),
  c('h2_open_connections', 'MGP:u64'),
  c('h2_backend_open_streams', 'MGP:u64'),
  c('h2_total_connections', 'MCP:u64'),
  c('h2_backend_total_streams', 'MCP:u64'),
  c('h1_open_connections', 'MGP:u64'),
  c('h1_open_streams', 'MGP:u64'),
  c('h1_total_connections', 'MCP:u64'),
  c('h1_total_streams', 'MCP:u64'),
  c('h1_bytes_in', 'MCP:u64'),
  c('h1_bytes_out', 'MCP:u64'),
  c('h1_spliced_bytes_in', 'MCP:u64'),
  c('h1_spliced_bytes_out', 'MCP:u64'),
];

/** Index of each column by name. */
export const COL: Readonly<Record<string, number>> = Object.fromEntries(COLUMNS.map((col, i) => [col.name, i]));

/** Index of the separator between HAProxy's own columns and the stats modules' ones. */
export const MODULE_SEPARATOR = COL['-']!;

/** Position printed in typed/JSON output: module columns do not count the separator. */
export function typedPosition(index: number): number {
  return index > MODULE_SEPARATOR ? index - 1 : index;
}

/** The CSV header line, as `show stat` and `;csv` print it (trailing comma included). */
export function csvHeader(): string {
  return `# ${COLUMNS.map((col) => col.name).join(',')},\n`;
}
