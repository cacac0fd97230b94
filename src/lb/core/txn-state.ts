/**
 * What rules change in one HTTP transaction beyond its head (rules/types.ts TxnHooks):
 * capture slots (`capture request|response header`, `declare capture`, `… capture`),
 * `set-log-level` and `set-timeout`. One object per client connection, reset per
 * transaction; the stream reads it when it logs and when it talks to the server.
 */
import type { CaptureSlot } from '../config/types.ts';
import type { TxnHooks } from '../rules/types.ts';
import type { LogRecord } from '../log/record.ts';

interface FieldsView {
  readonly fieldCount: number;
  fieldName(i: number): string;
  fieldValue(i: number): string;
}

export class TxnState implements TxnHooks {
  private readonly slots: { request: readonly CaptureSlot[]; response: readonly CaptureSlot[] };
  /** Captured values by slot ('' for none); empty arrays when the frontend declares no slot. */
  req: string[];
  res: string[];
  /** set-log-level: 0–7, -1 silent, null untouched. */
  logLevel: number | null = null;
  serverTimeout: number | null = null;
  tunnelTimeout: number | null = null;
  /** Called when set-timeout runs, so the stream can apply it to a live server connection. */
  onTimeout: ((which: 'server' | 'tunnel', ms: number) => void) | null = null;

  constructor(slots: { request: readonly CaptureSlot[]; response: readonly CaptureSlot[] }) {
    this.slots = slots;
    this.req = slots.request.map(() => '');
    this.res = slots.response.map(() => '');
  }

  /** A new transaction: nothing captured, no override. */
  reset(): void {
    if (this.req.length > 0) this.req = this.slots.request.map(() => '');
    if (this.res.length > 0) this.res = this.slots.response.map(() => '');
    this.logLevel = null;
    this.serverTimeout = null;
    this.tunnelTimeout = null;
  }

  /** Header slots of `side` take their field's value from the head (the last occurrence wins). */
  captureHeaders(side: 'request' | 'response', view: FieldsView): void {
    const slots = side === 'request' ? this.slots.request : this.slots.response;
    if (slots.length === 0) return;
    const out = side === 'request' ? this.req : this.res;
    for (let i = 0; i < view.fieldCount; i++) {
      const name = view.fieldName(i);
      for (let s = 0; s < slots.length; s++) {
        const slot = slots[s]!;
        if (slot.header === name) out[s] = view.fieldValue(i).slice(0, slot.len);
      }
    }
  }

  capture(side: 'request' | 'response', slot: number, len: number, value: string): void {
    const slots = side === 'request' ? this.slots.request : this.slots.response;
    const s = slots[slot];
    if (!s) return;
    (side === 'request' ? this.req : this.res)[slot] = value.slice(0, len < 0 ? s.len : Math.min(len, s.len));
  }

  setLogLevel(level: number): void {
    this.logLevel = level;
  }

  setTimeout(which: 'server' | 'tunnel', ms: number): void {
    if (which === 'server') this.serverTimeout = ms;
    else this.tunnelTimeout = ms;
    this.onTimeout?.(which, ms);
  }

  /**
   * Puts captures and the log level into the record; false when the transaction is not
   * logged (silent). A request that never parsed has no captures (HAProxy logs it without a stream).
   */
  decorate(rec: LogRecord, parsed: boolean): boolean {
    if (this.logLevel === -1) return false;
    if (parsed) { rec.hr = this.req; rec.hs = this.res; }
    if (this.logLevel !== null) rec.level = this.logLevel;
    return true;
  }
}

/** The payload of a complete or partial chunked body (framing already validated). */
export function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < raw.length) {
    const eol = raw.indexOf('\r\n', i, 'latin1');
    if (eol < 0) break;
    const size = parseInt(raw.toString('latin1', i, eol).split(';')[0]!.trim(), 16);
    if (!(size > 0)) break;
    const start = eol + 2;
    parts.push(raw.subarray(start, Math.min(start + size, raw.length)));
    i = start + size + 2;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
