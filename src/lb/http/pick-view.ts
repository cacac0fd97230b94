/**
 * The HttpPickView of a parsed request head, for hash algorithms (`uri`, `url_param`,
 * `hdr`): strings are only built when an algorithm asks for them.
 */
import type { HttpPickView } from '../algo/types.ts';
import type { RequestHead } from './types.ts';
import { bytesEqualLower } from './h1-parse.ts';

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
