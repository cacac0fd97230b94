/**
 * One stick table: entries by key, bounded by `size`, idle ones expiring after `expire`.
 *
 * A JavaScript Map keeps insertion order, so "touch" (delete + set) keeps the entries in
 * least-recently-used order: eviction takes from the front, and since every touch pushes
 * the expiry to now + expire, the front also expires first — the sweep stops at the first
 * live entry. Entries held by a tracker (`refs` > 0) are neither evicted nor expired, as
 * HAProxy keeps locked entries. Expiry is lazy on lookup plus an unref'd sweep timer, so
 * a table never keeps the process alive.
 */
import type { CounterType, RateType, StickTableConfig } from './types.ts';
import { freqAdd, freqRead, newFreq, type FreqCtr } from './freq.ts';

export class StickEntry {
  readonly key: string;
  /** Trackers holding this entry (sc_trackers). */
  refs = 0;
  /** When it expires (ms epoch); 0 without `expire`. */
  exp = 0;
  readonly counters = new Map<CounterType, number>();
  readonly rates = new Map<RateType, FreqCtr>();
  constructor(key: string, cfg: StickTableConfig) {
    this.key = key;
    for (const c of cfg.counters) this.counters.set(c, 0);
    for (const r of cfg.rates.keys()) this.rates.set(r, newFreq());
  }
}

export class StickTable {
  readonly cfg: StickTableConfig;
  private readonly entries = new Map<string, StickEntry>();
  private readonly clock: () => number;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(cfg: StickTableConfig, clock: () => number = Date.now) {
    this.cfg = cfg;
    this.clock = clock;
  }

  get name(): string { return this.cfg.name; }
  get count(): number { return this.entries.size; }
  now(): number { return this.clock(); }

  /** Whether the table stores a data type (fetches fail on types it does not store). */
  stores(t: CounterType | RateType): boolean {
    return (this.cfg.counters as ReadonlySet<string>).has(t) || (this.cfg.rates as ReadonlyMap<string, number>).has(t);
  }

  /** The live entry of `key`, or null; does not touch it. */
  lookup(key: string): StickEntry | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.refs === 0 && e.exp !== 0 && e.exp <= this.clock()) { this.entries.delete(key); return null; }
    return e;
  }

  /** The entry of `key`, created when missing; null when the table is full and nothing can go. */
  getOrCreate(key: string): StickEntry | null {
    const e = this.lookup(key);
    if (e) { this.touch(e); return e; }
    if (this.entries.size >= this.cfg.size && !this.makeRoom()) return null;
    const n = new StickEntry(key, this.cfg);
    this.entries.set(key, n);
    this.touch(n);
    this.armSweep();
    return n;
  }

  /** Marks an entry used now: last in LRU order, expiry pushed back. */
  touch(e: StickEntry): void {
    if (this.cfg.expire > 0) e.exp = this.clock() + this.cfg.expire;
    if (this.entries.get(e.key) === e) { this.entries.delete(e.key); this.entries.set(e.key, e); }
  }

  add(e: StickEntry, t: CounterType, inc: number): void {
    const v = e.counters.get(t);
    if (v !== undefined) e.counters.set(t, v + inc);
  }

  set(e: StickEntry, t: CounterType, v: number): void {
    if (e.counters.has(t)) e.counters.set(t, v);
  }

  hit(e: StickEntry, t: RateType, inc: number): void {
    const f = e.rates.get(t);
    if (f) freqAdd(f, this.cfg.rates.get(t)!, inc, this.clock());
  }

  /** A counter or rate of an entry; null when the table does not store it. */
  read(e: StickEntry, t: CounterType | RateType): number | null {
    const c = e.counters.get(t as CounterType);
    if (c !== undefined) return c;
    const f = e.rates.get(t as RateType);
    return f ? freqRead(f, this.cfg.rates.get(t as RateType)!, this.clock()) : null;
  }

  /** Removes every unreferenced entry (runtime API `clear table`); returns how many went. */
  clear(): number {
    let n = 0;
    for (const [k, e] of this.entries) if (e.refs === 0) { this.entries.delete(k); n++; }
    return n;
  }

  /** Live entries in LRU order (oldest first). */
  *list(): IterableIterator<StickEntry> {
    this.sweep();
    yield* this.entries.values();
  }

  /** Drops expired entries from the front; the front is the oldest touched. */
  sweep(): void {
    if (this.cfg.expire === 0) return;
    const now = this.clock();
    for (const [k, e] of this.entries) {
      if (e.exp > now) break;
      if (e.refs === 0) this.entries.delete(k);
    }
  }

  /** Frees one slot: an expired entry, else (without nopurge) the least recently used unreferenced one. */
  private makeRoom(): boolean {
    this.sweep();
    if (this.entries.size < this.cfg.size) return true;
    if (this.cfg.nopurge) return false;
    for (const [k, e] of this.entries) {
      if (e.refs === 0) { this.entries.delete(k); return true; }
    }
    return false;
  }

  private armSweep(): void {
    if (this.sweeper !== null || this.cfg.expire === 0) return;
    const every = Math.min(Math.max(this.cfg.expire, 100), 10_000);
    this.sweeper = setInterval(() => {
      this.sweep();
      if (this.entries.size === 0 && this.sweeper) { clearInterval(this.sweeper); this.sweeper = null; }
    }, every);
    this.sweeper.unref();
  }

  /** Stops the sweep timer (tests, reloads). */
  close(): void {
    if (this.sweeper) { clearInterval(this.sweeper); this.sweeper = null; }
  }
}
