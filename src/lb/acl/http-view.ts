/**
 * Views of the HTTP layer's parsed heads (src/lb/http/types.ts) as the sample engine's
 * HttpRequestView / HttpResponseView, so the proxy does not have to write them: field
 * names and values are decoded from the receive buffer only when a fetch asks for them,
 * and each name is decoded (and lower-cased) at most once per view.
 * `edits` lets rules that rewrote the head expose the current fields instead.
 */
import type { RequestHead, ResponseHead } from '../http/types.ts';
import type { HttpRequestView, HttpResponseView } from './types.ts';

class FieldCache {
  private readonly head: RequestHead | ResponseHead;
  private names: (string | undefined)[] | null = null;
  constructor(head: RequestHead | ResponseHead) {
    this.head = head;
  }
  name(i: number): string {
    const names = (this.names ??= new Array<string | undefined>(this.head.fieldCount));
    const known = names[i];
    if (known !== undefined) return known;
    const f = this.head.fields;
    const n = this.head.buf.toString('latin1', f[4 * i]!, f[4 * i + 1]!).toLowerCase();
    names[i] = n;
    return n;
  }
  value(i: number): string {
    const f = this.head.fields;
    return this.head.buf.toString('latin1', f[4 * i + 2]!, f[4 * i + 3]!);
  }
}

/** A request view over a parsed head; `body` answers the buffered body or null. */
export function requestView(head: RequestHead, body: () => Buffer | null = () => null): HttpRequestView {
  const c = new FieldCache(head);
  return {
    method: head.method,
    target: head.target,
    version: head.minor === 1 ? '1.1' : '1.0',
    fieldCount: head.fieldCount,
    fieldName: (i) => c.name(i),
    fieldValue: (i) => c.value(i),
    body,
  };
}

export function responseView(head: ResponseHead): HttpResponseView {
  const c = new FieldCache(head);
  return {
    status: head.status,
    fieldCount: head.fieldCount,
    fieldName: (i) => c.name(i),
    fieldValue: (i) => c.value(i),
  };
}
