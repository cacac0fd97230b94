/**
 * The HttpPickView of a parsed request head, for hash algorithms (`uri`, `url_param`,
 * `hdr`): strings are only built when an algorithm asks for them.
 */
import type { HttpPickView } from '../algo/types.ts';
import type { RequestHead } from './types.ts';
import { bytesEqualLower } from './h1-parse.ts';
import type { HeadEdits } from './head-edits.ts';

export class RequestPickView implements HttpPickView {
  private readonly head: RequestHead;
  constructor(head: RequestHead) { this.head = head; }
  get method(): string { return this.head.method; }
  get target(): string { return this.head.target; }

  /** Every field named `name`, in order (one entry per field line). */
  headers(name: string): string[] {
    const { buf, fields, fieldCount } = this.head;
    const out: string[] = [];
    for (let i = 0; i < fieldCount; i++) {
      if (bytesEqualLower(buf, fields[4 * i]!, fields[4 * i + 1]!, name)) out.push(buf.toString('latin1', fields[4 * i + 2]!, fields[4 * i + 3]!));
    }
    return out;
  }

  header(name: string): string | undefined {
    const { buf, fields, fieldCount } = this.head;
    for (let i = 0; i < fieldCount; i++) {
      const ns = fields[4 * i]!;
      const ne = fields[4 * i + 1]!;
      if (bytesEqualLower(buf, ns, ne, name)) {
        return buf.toString('latin1', fields[4 * i + 2]!, fields[4 * i + 3]!);
      }
    }
    return undefined;
  }
}

/**
 * The request as http-request rules left it (set-path, set-header …): HAProxy balances
 * on the rewritten message, so `balance uri` after `set-path /x` hashes "/x".
 */
export class EditedPickView implements HttpPickView {
  private readonly head: RequestHead;
  private readonly edits: HeadEdits;
  private fields: { names: string[]; values: string[] } | null = null;
  constructor(head: RequestHead, edits: HeadEdits) { this.head = head; this.edits = edits; }
  get method(): string { return this.edits.method ?? this.head.method; }
  get target(): string { return this.edits.target ?? this.head.target; }

  headers(name: string): string[] {
    const f = (this.fields ??= this.edits.currentFields());
    const out: string[] = [];
    for (let i = 0; i < f.names.length; i++) if (f.names[i] === name) out.push(f.values[i]!);
    return out;
  }

  header(name: string): string | undefined {
    const f = (this.fields ??= this.edits.currentFields());
    const i = f.names.indexOf(name);
    return i < 0 ? undefined : f.values[i];
  }
}
