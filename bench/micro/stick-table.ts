/**
 * Micro benchmark of a stick table (src/lb/stick/table.ts) at 1,000,000 entries, `size 1m`:
 * entries per second for insert, lookup and counter update, eviction of the least recently
 * used entry once full, and the memory an entry costs. Not part of `npm test`:
 *   node bench/micro/stick-table.ts                 (about 30 s; prints a Markdown table)
 *   node bench/micro/stick-table.ts --n 200000      (fewer entries)
 *   node bench/micro/stick-table.ts --impl FILE     (another table.ts, to compare layouts)
 *
 * Two tables: what `stick on src` uses (server_id only) and a typical rate-limit table
 * (conn_cur, http_req_cnt, http_req_rate(10s), gpc0). Keys are IPv4 addresses as the
 * table stores them; lookups use other string instances of the same keys (as a request's
 * sample would be) in a shuffled order. "update" is what a tracked request does: look
 * the entry up, add to a counter and a rate, touch (LRU order, expiry). Memory is heap +
 * array buffers after a full GC, before and after filling a fresh table with keys made
 * on the fly (so the key strings are counted), divided by the entry count. The process
 * re-runs itself with --expose-gc when needed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { parseStickTable } from '../../src/lb/stick/config.ts';
import type { StickTableConfig } from '../../src/lb/stick/types.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const arg = (name: string): string | undefined => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const N = Number(arg('--n') ?? 1_000_000);
const impl = arg('--impl');
const { StickTable } = (await import(impl ? pathToFileURL(resolve(impl)).href : '../../src/lb/stick/table.ts')) as typeof import('../../src/lb/stick/table.ts');

function cfg(line: string): StickTableConfig {
  const r = parseStickTable(line.split(' '), 'bench', { file: 'bench', line: 1 });
  if (!r.ok) throw new Error(r.reason);
  return r.cfg;
}

const TABLES = [
  { label: 'stick on (server_id)', line: 'stick-table type ip size 1m expire 30m store server_id' },
  { label: 'rate limit (4 data)', line: 'stick-table type ip size 1m expire 30m store conn_cur,http_req_cnt,http_req_rate(10s),gpc0' },
];

const key = (i: number): string => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
/** Fresh string instances: a request's key is never the very string the table holds. */
const freshKeys = (n: number): string[] => Array.from({ length: n }, (_, i) => key(i).split('').join(''));

function shuffled(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  let x = 12345;
  for (let i = n - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    const t = a[i]!; a[i] = a[j]!; a[j] = t;
  }
  return a;
}

function used(): number {
  gc!(); gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const rate = (n: number, ms: number): string => `${(n / ms / 1000).toFixed(2)} M/s`;

interface Row { label: string; insert: string; lookup: string; update: string; evict: string; bytes: string }

function run(label: string, line: string): Row {
  // Memory first, on a fresh heap: keys made while filling, so the table owns them.
  const before = used();
  let t: InstanceType<typeof StickTable> | null = new StickTable(cfg(line));
  for (let i = 0; i < N; i++) t.getOrCreate(key(i));
  const bytes = (used() - before) / N;
  t.close();
  t = null;
  gc!();

  const keys = freshKeys(N);
  const probe = freshKeys(N);
  const order = shuffled(N);
  const table = new StickTable(cfg(line));
  let t0 = performance.now();
  for (let i = 0; i < N; i++) table.getOrCreate(keys[i]!);
  const insertMs = performance.now() - t0;
  if (table.count !== N) throw new Error(`table holds ${table.count}, expected ${N}`);

  let hits = 0;
  t0 = performance.now();
  for (let i = 0; i < N; i++) if (table.lookup(probe[order[i]!]!) !== null) hits++;
  const lookupMs = performance.now() - t0;
  if (hits !== N) throw new Error(`lookup found ${hits} of ${N}`);

  const counter = table.stores('http_req_cnt') ? 'http_req_cnt' : 'server_id';
  const rateType = table.stores('http_req_rate') ? 'http_req_rate' : null;
  t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const e = table.lookup(probe[order[i]!]!)!;
    table.add(e, counter, 1);
    if (rateType) table.hit(e, rateType, 1);
    table.touch(e);
  }
  const updateMs = performance.now() - t0;

  // Full table (`size 1m` is 1,048,576: topped up first, untimed): every new key then
  // evicts the least recently used entry.
  const size = table.cfg.size;
  for (let i = N; table.count < size; i++) table.getOrCreate(key(i));
  const M = Math.min(N, 200_000);
  const extra = Array.from({ length: M }, (_, i) => key(size + i).split('').join(''));
  t0 = performance.now();
  for (let i = 0; i < M; i++) table.getOrCreate(extra[i]!);
  const evictMs = performance.now() - t0;
  if (table.count !== size) throw new Error('eviction did not keep the size');
  table.close();
  return { label, insert: rate(N, insertMs), lookup: rate(N, lookupMs), update: rate(N, updateMs), evict: rate(M, evictMs), bytes: bytes.toFixed(0) };
}

const rows = TABLES.map((t) => run(t.label, t.line));
console.log(`Stick table, ${N.toLocaleString('en-US')} entries, \`size 1m\`, Node ${process.version}${impl ? `, ${impl}` : ''}\n`);
console.log('| table | insert | lookup | update (lookup + counter + rate + touch) | insert when full (LRU eviction) | bytes/entry |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.label} | ${r.insert} | ${r.lookup} | ${r.update} | ${r.evict} | ${r.bytes} |`);
