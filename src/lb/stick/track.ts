/**
 * The stick counters a client connection tracks (`track-sc0..2`), HAProxy's stkctr.
 *
 * Two levels, as in HAProxy: `session` slots are set by `tcp-request connection` rules
 * and live as long as the connection; `stream` slots are set by `http-request` rules
 * and live for one HTTP transaction (HAProxy runs one stream per request). A slot
 * already set at a level is not replaced. Readers (`sc_*` fetches, `sc-inc-gpc0`) use
 * the stream slot when set, else the session one.
 *
 * What is counted, and when:
 *  - on tracking: conn_cnt +1, conn_cur +1, conn_rate +1 (every level);
 *    session level also sess_cnt/sess_rate +1;
 *    stream level also http_req_cnt/rate +1 (the request being processed);
 *  - each new HTTP request: http_req_cnt/rate +1 on the session slots (stream slots are
 *    released first: they belonged to the previous transaction);
 *  - a connection closed before its first request: one request and one error on the
 *    session slots (as HAProxy counts an empty request);
 *  - each HTTP response with a 4xx status: http_err_cnt/rate +1 on every effective slot;
 *  - on release (end of transaction or connection): conn_cur −1, and the bytes the
 *    connection moved since tracking are added to bytes_in/out (counted at release,
 *    not while they flow — a difference with HAProxy documented in configuration.md).
 */
import type { StickEntry, StickTable } from './table.ts';

export interface Tracked {
  table: StickTable;
  entry: StickEntry;
  /** Socket byte counters when tracking started (bytes are added on release). */
  bytesIn: number;
  bytesOut: number;
}

export type TrackLevel = 'session' | 'stream';

/** What byte counts are read from (a net.Socket in the proxy). */
export interface ByteSource {
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

export class StreamTrackers {
  readonly session: (Tracked | null)[] = [null, null, null];
  readonly stream: (Tracked | null)[] = [null, null, null];
  private readonly io: ByteSource | null;

  constructor(io: ByteSource | null) {
    this.io = io;
  }

  /** The slot a reader sees: the stream's, else the session's. */
  slot(n: number): Tracked | null {
    return this.stream[n] ?? this.session[n] ?? null;
  }

  /** Starts tracking `key` in slot n; false when the slot is taken or the table is full. */
  track(level: TrackLevel, n: number, table: StickTable, key: string): boolean {
    const slots = level === 'session' ? this.session : this.stream;
    if (slots[n]) return false;
    const e = table.getOrCreate(key);
    if (!e) return false;
    e.refs++;
    slots[n] = { table, entry: e, bytesIn: this.io?.bytesRead ?? 0, bytesOut: this.io?.bytesWritten ?? 0 };
    table.add(e, 'conn_cnt', 1);
    table.add(e, 'conn_cur', 1);
    table.hit(e, 'conn_rate', 1);
    if (level === 'session') {
      table.add(e, 'sess_cnt', 1);
      table.hit(e, 'sess_rate', 1);
    } else {
      table.add(e, 'http_req_cnt', 1);
      table.hit(e, 'http_req_rate', 1);
    }
    return true;
  }

  /** A new HTTP request: the previous transaction's stream slots end, session slots count it. */
  newRequest(): void {
    this.endStream();
    for (const t of this.session) {
      if (!t) continue;
      t.table.add(t.entry, 'http_req_cnt', 1);
      t.table.hit(t.entry, 'http_req_rate', 1);
      t.table.touch(t.entry);
    }
  }

  /**
   * The client closed before sending its first request: HAProxy 2.6 counts it as one
   * request and one error on the session's counters (checked against haproxy).
   */
  closedBeforeRequest(): void {
    for (const t of this.session) {
      if (!t) continue;
      t.table.add(t.entry, 'http_req_cnt', 1);
      t.table.hit(t.entry, 'http_req_rate', 1);
      t.table.add(t.entry, 'http_err_cnt', 1);
      t.table.hit(t.entry, 'http_err_rate', 1);
    }
  }

  /** A response status sent to the client (from a server or generated). */
  status(code: number): void {
    if (code < 400 || code >= 500) return;
    for (let n = 0; n < 3; n++) {
      const t = this.slot(n);
      if (!t) continue;
      t.table.add(t.entry, 'http_err_cnt', 1);
      t.table.hit(t.entry, 'http_err_rate', 1);
    }
  }

  /** Ends the stream-level slots (end of an HTTP transaction). */
  endStream(): void {
    for (let n = 0; n < 3; n++) {
      const t = this.stream[n];
      if (t) { this.release(t); this.stream[n] = null; }
    }
  }

  /** Ends every slot (the connection closed). Idempotent. */
  endAll(): void {
    this.endStream();
    for (let n = 0; n < 3; n++) {
      const t = this.session[n];
      if (t) { this.release(t); this.session[n] = null; }
    }
  }

  private release(t: Tracked): void {
    const { table, entry } = t;
    entry.refs--;
    table.add(entry, 'conn_cur', -1);
    if (this.io) {
      const bin = this.io.bytesRead - t.bytesIn;
      const bout = this.io.bytesWritten - t.bytesOut;
      table.add(entry, 'bytes_in_cnt', bin);
      table.add(entry, 'bytes_out_cnt', bout);
      if (bin > 0) table.hit(entry, 'bytes_in_rate', bin);
      if (bout > 0) table.hit(entry, 'bytes_out_rate', bout);
    }
    table.touch(entry);
  }
}
