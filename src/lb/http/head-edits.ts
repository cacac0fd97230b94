/**
 * Rewrites of a parsed head requested by rules (`http-request set-header`, `del-header`,
 * `replace-value`, `set-path` …), recorded as edits instead of rebuilding the head: the
 * writer (h1-write.ts) applies them while it copies the fields it forwards anyway, so a
 * request that no rule touches costs nothing more.
 *
 * The view is always current: get() sees fields added or changed by earlier rules, as
 * HAProxy's HTX does. Field names are compared case-insensitively; values are strings
 * (latin1). Framing fields (Content-Length, Transfer-Encoding) and hop-by-hop fields are
 * refused by the rule parser, never here.
 */
import type { RequestHead, ResponseHead } from './types.ts';
import { bytesEqualLower } from './h1-parse.ts';

interface Added {
  name: string;
  value: string;
  deleted: boolean;
}

/** The replacement with `$0`…`$9` taken from `re`'s first match in `v`; null when it does not match. */
function expandMatch(re: RegExp, v: string, replacement: string): string | null {
  re.lastIndex = 0;
  const m = re.exec(v);
  if (m === null) return null;
  return replacement.replace(/\$(\d)/g, (_x, d: string) => m[Number(d)] ?? '');
}

/** A field value cut at its commas, outside double-quoted strings (HAProxy's http_find_hdr_value_end). */
function splitValues(v: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quoted && c === '\\') { i++; continue; }
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) { out.push(v.slice(start, i)); start = i + 1; }
  }
  out.push(v.slice(start));
  return out;
}

export class HeadEdits {
  private readonly head: RequestHead | ResponseHead;
  /** Original field index → replacement line, or null (removed). */
  readonly fields = new Map<number, string | null>();
  private readonly added: Added[] = [];
  /** Start-line overrides (request: method, target; response: status and reason). */
  method: string | null = null;
  target: string | null = null;
  status: number | null = null;
  reason: string | null = null;

  constructor(head: RequestHead | ResponseHead) {
    this.head = head;
  }

  /** True when nothing was changed (the writer copies the head as is). */
  get empty(): boolean {
    return this.fields.size === 0 && this.added.length === 0 && this.method === null && this.target === null && this.status === null;
  }

  private originalName(k: number): string {
    const f = this.head.fields;
    return this.head.buf.toString('latin1', f[k * 4]!, f[k * 4 + 1]!);
  }

  private originalValue(k: number): string {
    const f = this.head.fields;
    return this.head.buf.toString('latin1', f[k * 4 + 2]!, f[k * 4 + 3]!);
  }

  private matches(k: number, lower: string): boolean {
    const f = this.head.fields;
    return bytesEqualLower(this.head.buf, f[k * 4]!, f[k * 4 + 1]!, lower);
  }

  /** Current values of the fields named `name`, in order. */
  get(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let k = 0; k < this.head.fieldCount; k++) {
      if (!this.matches(k, lower)) continue;
      const e = this.fields.get(k);
      if (e === null) continue;
      out.push(e === undefined ? this.originalValue(k) : e.slice(e.indexOf(':') + 1).trim());
    }
    for (const a of this.added) if (!a.deleted && a.name.toLowerCase() === lower) out.push(a.value);
    return out;
  }

  /** Names of the fields present now (original spelling, duplicates included). */
  names(): string[] {
    const out: string[] = [];
    for (let k = 0; k < this.head.fieldCount; k++) if (this.fields.get(k) !== null) out.push(this.originalName(k));
    for (const a of this.added) if (!a.deleted) out.push(a.name);
    return out;
  }

  /** Adds a field line at the end. */
  add(name: string, value: string): void {
    this.added.push({ name, value, deleted: false });
  }

  /** Removes every field named `name` whose value satisfies `which` (all when omitted). */
  del(name: string, which?: (value: string) => boolean): number {
    const lower = name.toLowerCase();
    let n = 0;
    for (let k = 0; k < this.head.fieldCount; k++) {
      if (!this.matches(k, lower)) continue;
      const e = this.fields.get(k);
      if (e === null) continue;
      const v = e === undefined ? this.originalValue(k) : e.slice(e.indexOf(':') + 1).trim();
      if (which && !which(v)) continue;
      this.fields.set(k, null);
      n++;
    }
    for (const a of this.added) {
      if (a.deleted || a.name.toLowerCase() !== lower || (which && !which(a.value))) continue;
      a.deleted = true;
      n++;
    }
    return n;
  }

  /** Replaces every field named `name` by one with `value`. */
  set(name: string, value: string): void {
    this.del(name);
    this.add(name, value);
  }

  /**
   * `replace-header`: each value of a field named `name` that `re` matches (anywhere) is
   * replaced as a whole by `replacement` with `$N` filled from the match (HAProxy's
   * exp_replace: `replace-header X-A old new` turns `a-old-b` into `new`).
   */
  replaceHeader(name: string, re: RegExp, replacement: string): void {
    this.mapValues(name, (v) => expandMatch(re, v, replacement) ?? v);
  }

  /**
   * `replace-value`: the same on each comma-separated value (commas inside a quoted string
   * do not split). A replaced value loses the blanks around it, the others keep theirs:
   * `two, three` with `^three$ 3` gives `two,3`, as HAProxy 2.6 writes it.
   */
  replaceValue(name: string, re: RegExp, replacement: string): void {
    this.mapValues(name, (v) => splitValues(v).map((p) => expandMatch(re, p.trim(), replacement) ?? p).join(','));
  }

  private mapValues(name: string, fn: (v: string) => string): void {
    const lower = name.toLowerCase();
    for (let k = 0; k < this.head.fieldCount; k++) {
      if (!this.matches(k, lower)) continue;
      const e = this.fields.get(k);
      if (e === null) continue;
      const v = e === undefined ? this.originalValue(k) : e.slice(e.indexOf(':') + 1).trim();
      const next = fn(v);
      if (next !== v) this.fields.set(k, `${this.originalName(k)}: ${next}`);
    }
    for (const a of this.added) if (!a.deleted && a.name.toLowerCase() === lower) a.value = fn(a.value);
  }

  /**
   * The fields as they are now, in the order the writer sends them (original fields not
   * deleted, rewritten ones in place, then the added ones): lower-case names and values.
   * For the sample engine's view of a rewritten head (acl/http-view.ts editedRequestView).
   */
  currentFields(): { names: string[]; values: string[] } {
    const names: string[] = [];
    const values: string[] = [];
    for (let k = 0; k < this.head.fieldCount; k++) {
      const e = this.fields.get(k);
      if (e === null) continue;
      names.push(this.originalName(k).toLowerCase());
      values.push(e === undefined ? this.originalValue(k) : e.slice(e.indexOf(':') + 1).trim());
    }
    for (const a of this.added) {
      if (a.deleted) continue;
      names.push(a.name.toLowerCase());
      values.push(a.value);
    }
    return { names, values };
  }

  /** The added field lines ("Name: value") still present, for the writer's `extra`. */
  addedLines(): string[] {
    const out: string[] = [];
    for (const a of this.added) if (!a.deleted) out.push(`${a.name}: ${a.value}`);
    return out;
  }
}
