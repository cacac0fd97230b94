/**
 * Views of the HTTP layer's parsed heads (src/lb/http/types.ts) as the sample engine's
 * HttpRequestView / HttpResponseView, so the proxy does not have to write them: field
 * names and values are decoded from the receive buffer only when a fetch asks for them,
 * and each name and value is decoded (names lower-cased) at most once per view.
 * editedRequestView/editedResponseView expose a head as rules rewrote it (HeadEdits).
 */
import type { RequestHead, ResponseHead } from '../http/types.ts';
import type { HeadEdits } from '../http/head-edits.ts';
import type { HttpRequestView, HttpResponseView } from './types.ts';

class FieldCache {
  private readonly head: RequestHead | ResponseHead;
  private names: (string | undefined)[] | null = null;
  private values: (string | undefined)[] | null = null;
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
    // Cached like names: with N rules reading hdr(host), the value is decoded once, not N times.
    const values = (this.values ??= new Array<string | undefined>(this.head.fieldCount));
    const known = values[i];
    if (known !== undefined) return known;
    const f = this.head.fields;
    const v = this.head.buf.toString('latin1', f[4 * i + 2]!, f[4 * i + 3]!);
    values[i] = v;
    return v;
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

/**
 * The request as earlier rules left it (HAProxy's rules see the rewritten HTX message):
 * the start line and fields after `edits`, the body of `base`. Live: the target is read
 * from the edits at each use, the fields are listed again after invalidate(), which the
 * rule executor calls after each rule that rewrote the head (rules/http-request.ts
 * `refresh`) — a rewrite that no later sample reads costs no listing.
 */
export class EditedRequestView implements HttpRequestView {
  private readonly base: HttpRequestView;
  readonly edits: HeadEdits;
  private fields: { names: string[]; values: string[] } | null = null;
  constructor(base: HttpRequestView, edits: HeadEdits) {
    this.base = base;
    this.edits = edits;
  }
  // HAProxy 2.6's `method` keeps answering the method received after `set-method`
  // (measured: it reads the transaction's parsed method, which the rewrite leaves alone).
  get method(): string { return this.base.method; }
  get target(): string { return this.edits.target ?? this.base.target; }
  get version(): string { return this.base.version; }
  get fieldCount(): number { return (this.fields ??= this.edits.currentFields()).names.length; }
  fieldName(i: number): string { return (this.fields ??= this.edits.currentFields()).names[i]!; }
  fieldValue(i: number): string { return (this.fields ??= this.edits.currentFields()).values[i]!; }
  body(): Buffer | null { return this.base.body(); }
  invalidate(): void { this.fields = null; }
}

/** The same for a response rewritten by `http-response` / `http-after-response` rules. */
export class EditedResponseView implements HttpResponseView {
  private readonly base: HttpResponseView;
  readonly edits: HeadEdits;
  private fields: { names: string[]; values: string[] } | null = null;
  constructor(base: HttpResponseView, edits: HeadEdits) {
    this.base = base;
    this.edits = edits;
  }
  get status(): number { return this.edits.status ?? this.base.status; }
  get fieldCount(): number { return (this.fields ??= this.edits.currentFields()).names.length; }
  fieldName(i: number): string { return (this.fields ??= this.edits.currentFields()).names[i]!; }
  fieldValue(i: number): string { return (this.fields ??= this.edits.currentFields()).values[i]!; }
  invalidate(): void { this.fields = null; }
}

/** `view` as rewritten by `edits`: the same live view again (invalidated), or a new one over it. */
export function editedRequestView(view: HttpRequestView, edits: HeadEdits): EditedRequestView {
  if (view instanceof EditedRequestView && view.edits === edits) { view.invalidate(); return view; }
  return new EditedRequestView(view, edits);
}

export function editedResponseView(view: HttpResponseView, edits: HeadEdits): EditedResponseView {
  if (view instanceof EditedResponseView && view.edits === edits) { view.invalidate(); return view; }
  return new EditedResponseView(view, edits);
}
