/**
 * One stick table: entries by key, bounded by `size`, idle ones expiring after `expire`.
 *
 * A Map finds entries by key; the entries also form a doubly linked list in
 * least-recently-used order (oldest at `head`), which "touch" maintains in O(1): eviction
 * takes from the head, and since every touch pushes the expiry to now + expire, the head
 * also expires first — the sweep stops at the first live entry. (Re-inserting into the
 * Map to keep its insertion order instead leaves deleted slots at its front that every
 * eviction walks over again: quadratic once the table is full.) Entries held by a tracker
 * (`refs` > 0) are neither evicted nor expired, as HAProxy keeps locked entries. Expiry is
 * lazy on lookup plus an unref'd sweep timer, so a table never keeps the process alive.
 *
 * Memory: a table of `size 1m` may really hold a million entries, so an entry is one
 * small object and one flat array of numbers `d` (doubles) — each stored counter one slot,
 * each rate three (freq.ts) — at offsets the table computes once from its `store` list.
 * (One Map of counters and one object per rate per entry cost about 2.5 times as much:
 * bench/micro/stick-table.ts.)
 */
import type { CounterType, RateType, StickDataType, StickTableConfig } from './types.ts';
import { freqAddAt, freqReadAt } from './freq.ts';

export class StickEntry {
  readonly key: string;
  /** Trackers holding this entry (sc_trackers). */
  refs = 0;
  /** When it expires (ms epoch); 0 without `expire`. */
  exp = 0;
  /** Stored data at the table's offsets (StickTable.off). */
  readonly d: number[];
  /** Neighbours in the table's LRU list; `prev === this` once the entry left the table. */
  prev: StickEntry | null = null;
  next: StickEntry | null = null;
  constructor(key: string, width: number) {
    this.key = key;
    this.d = width === 0 ? EMPTY : new Array<number>(width).fill(0);
  }
}

const EMPTY: number[] = [];

export class StickTable {
  readonly cfg: StickTableConfig;
  private readonly entries = new Map<string, StickEntry>();
  /** LRU list: least recently used first. */
  private head: StickEntry | null = null;
  private tail: StickEntry | null = null;
  private readonly clock: () => number;
  private sweeper: NodeJS.Timeout | null = null;
  /** Offset of each stored data type in StickEntry.d (rates take three slots). */
  private off: Partial<Record<StickDataType, number>> = {};
  private width = 0;
  /**
   * Server names by server_id, when `stick` rules record servers here (`show table`
   * prints them as HAProxy's server_key); null otherwise.
   */
  serverKeys: Map<number, string> | null = null;

  constructor(cfg: StickTableConfig, clock: () => number = Date.now) {
    this.cfg = cfg;
    this.clock = clock;
    this.layout();
  }

  private layout(): void {
    this.off = {};
    let n = 0;
    for (const c of this.cfg.counters) this.off[c] = n++;
    for (const r of this.cfg.rates.keys()) { this.off[r] = n; n += 3; }
    this.width = n;
  }

  /**
   * `stick` rules use this table: it stores server_id (HAProxy adds the data type to any
   * table a stick rule names). Only before the first entry: the layout changes.
   */
  enableServerKeys(): void {
    this.serverKeys ??= new Map();
    if (this.off.server_id !== undefined) return;
    if (this.entries.size > 0) throw new Error(`stick table '${this.name}': server_id added after entries were created`);
    this.cfg.counters = new Set<CounterType>([...this.cfg.counters, 'server_id']);
    this.layout();
  }

  get name(): string { return this.cfg.name; }
  get count(): number { return this.entries.size; }
  now(): number { return this.clock(); }

  /** Whether the table stores a data type (fetches fail on types it does not store). */
  stores(t: CounterType | RateType): boolean {
    return this.off[t] !== undefined;
  }

  /** The live entry of `key`, or null; does not touch it. */
  lookup(key: string): StickEntry | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.refs === 0 && e.exp !== 0 && e.exp <= this.clock()) { this.remove(e); return null; }
    return e;
  }

  /** The entry of `key`, created when missing; null when the table is full and nothing can go. */
  getOrCreate(key: string): StickEntry | null {
    const e = this.lookup(key);
    if (e) { this.touch(e); return e; }
    if (this.entries.size >= this.cfg.size && !this.makeRoom()) return null;
    const n = new StickEntry(key, this.width);
    this.entries.set(key, n);
    this.append(n);
    if (this.cfg.expire > 0) n.exp = this.clock() + this.cfg.expire;
    this.armSweep();
    return n;
  }

  /** Marks an entry used now: last in LRU order, expiry pushed back. */
  touch(e: StickEntry): void {
    if (this.cfg.expire > 0) e.exp = this.clock() + this.cfg.expire;
    if (e === this.tail || e.prev === e) return; // newest already, or no longer in the table
    this.unlink(e);
    this.append(e);
  }

  private append(e: StickEntry): void {
    e.prev = this.tail;
    e.next = null;
    if (this.tail) this.tail.next = e;
    else this.head = e;
    this.tail = e;
  }

  private unlink(e: StickEntry): void {
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
  }

  /** Takes an entry out of the table (a tracker may still hold it: it is marked, not reused). */
  private remove(e: StickEntry): void {
    this.unlink(e);
    this.entries.delete(e.key);
    e.prev = e;
    e.next = null;
  }

  add(e: StickEntry, t: CounterType, inc: number): void {
    const i = this.off[t];
    if (i !== undefined) e.d[i] = e.d[i]! + inc;
  }

  set(e: StickEntry, t: CounterType, v: number): void {
    const i = this.off[t];
    if (i !== undefined) e.d[i] = v;
  }

  hit(e: StickEntry, t: RateType, inc: number): void {
    const i = this.off[t];
    if (i !== undefined) freqAddAt(e.d, i, this.cfg.rates.get(t)!, inc, this.clock());
  }

  /** A counter or rate of an entry; null when the table does not store it. */
  read(e: StickEntry, t: CounterType | RateType): number | null {
    const i = this.off[t];
    if (i === undefined) return null;
    const period = this.cfg.rates.get(t as RateType);
    return period === undefined ? e.d[i]! : freqReadAt(e.d, i, period, this.clock());
  }

  /**
   * Sets a rate's current period to `v` events (runtime API `set table`): the period
   * starts now and the previous one is forgotten, so the rate reads `v` at once.
   */
  setRate(e: StickEntry, t: RateType, v: number): void {
    const i = this.off[t];
    if (i === undefined) return;
    e.d[i] = this.clock();
    e.d[i + 1] = v;
    e.d[i + 2] = 0;
  }

  /** Removes one entry unless a tracker holds it (runtime API `clear table … key`); whether it went. */
  delete(e: StickEntry): boolean {
    if (e.refs !== 0 || e.prev === e) return false;
    this.remove(e);
    return true;
  }

  /** Removes every unreferenced entry (runtime API `clear table`); returns how many went. */
  clear(): number {
    let n = 0;
    for (let e = this.head; e !== null;) {
      const next = e.next;
      if (e.refs === 0) { this.remove(e); n++; }
      e = next;
    }
    return n;
  }

  /** Live entries in LRU order (oldest first). */
  *list(): IterableIterator<StickEntry> {
    this.sweep();
    for (let e = this.head; e !== null; e = e.next) yield e;
  }

  /** Drops expired entries from the front; the front is the oldest touched. */
  sweep(): void {
    if (this.cfg.expire === 0) return;
    const now = this.clock();
    for (let e = this.head; e !== null && e.exp <= now;) {
      const next = e.next;
      if (e.refs === 0) this.remove(e);
      e = next;
    }
  }

  /** Frees one slot: an expired entry, else (without nopurge) the least recently used unreferenced one. */
  private makeRoom(): boolean {
    this.sweep();
    if (this.entries.size < this.cfg.size) return true;
    if (this.cfg.nopurge) return false;
    for (let e = this.head; e !== null; e = e.next) {
      if (e.refs === 0) { this.remove(e); return true; }
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
