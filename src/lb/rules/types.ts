/**
 * HTTP rules (`http-request` / `http-response ACTION … [if|unless COND]`) as plain data compiled
 * from the configuration. A rule's condition and its dynamic values are functions of the
 * transaction (`RuleContext`), supplied by the sample/ACL engine; literal values are
 * functions returning the literal. Rules run in order; a final action (allow, deny,
 * return, redirect, tarpit, auth, reject) stops the list.
 */
export interface RuleContext {
  /** The head being rewritten by earlier rules (current view). */
  readonly edits: import('../http/head-edits.ts').HeadEdits;
  /** The request as received (method, target, version). */
  readonly method: string;
  readonly target: string;
  readonly minor: 0 | 1;
  /** Sample/ACL engine context, opaque here. */
  readonly sample: unknown;
  /** What actions change in the transaction beyond the head (captures, log level, timeouts); absent: ignored. */
  readonly txn?: TxnHooks;
  /**
   * Called after each rule that rewrote the head, so that the conditions and samples of
   * the rules after it see the message as rewritten (HAProxy evaluates every rule on the
   * current HTX message: after `set-path`, `path` is the new path). Absent: no sample view.
   */
  readonly refresh?: () => void;
}

/** The transaction's side effects some actions have, implemented by the stream. */
export interface TxnHooks {
  /** Stores `value` in capture slot `slot` of `side` (cut to `len`, or to the slot's length when len < 0). */
  capture(side: 'request' | 'response', slot: number, len: number, value: string): void;
  /** `set-log-level`: a syslog level 0–7, or -1 for silent (not logged). */
  setLogLevel(level: number): void;
  /** `set-timeout server|tunnel`: the timeout for this transaction, ms. */
  setTimeout(which: 'server' | 'tunnel', ms: number): void;
}

/** A compiled condition: `if` (negate false) or `unless` (negate true) an ACL expression. */
export type Condition = (ctx: RuleContext) => boolean;
/** A compiled value (literal or log-format with %[…]). */
export type Value = (ctx: RuleContext) => string;

export type HeaderMatch = 'str' | 'beg' | 'end' | 'sub' | 'reg' | 'found';

export type HttpRequestAction =
  | { kind: 'allow' }
  | { kind: 'deny'; status: number; contentType: string | null; body: Value | null; headers: [string, Value][]; errorfile?: boolean }
  | { kind: 'tarpit'; status: number }
  /** silent: silent-drop (the client is not told; core/silent-drop.ts). */
  | { kind: 'reject'; silent?: boolean }
  /** errorfile: `default-errorfiles` with no payload — the proxy's error message for the status, as deny. */
  | { kind: 'return'; status: number; contentType: string | null; body: Value | null; headers: [string, Value][]; errorfile?: boolean }
  /** cookie: the Set-Cookie value of set-cookie / clear-cookie, or null. */
  | { kind: 'redirect'; type: 'location' | 'prefix' | 'scheme'; value: Value; code: number; dropQuery: boolean; appendSlash: boolean; cookie?: string | null }
  | { kind: 'auth'; realm: string }
  | { kind: 'add-header' | 'set-header'; name: string; value: Value }
  | { kind: 'del-header'; name: string; match: HeaderMatch | null; pattern: string | null }
  | { kind: 'replace-header' | 'replace-value'; name: string; re: RegExp; replacement: Value }
  | { kind: 'set-method' | 'set-path' | 'set-pathq' | 'set-query' | 'set-uri'; value: Value }
  /** track-sc*, sc-inc-gpc0/1, sc-set-gpt0 (src/lb/stick/actions.ts); runs over the sample context. */
  | { kind: 'stick'; run: (sample: unknown) => void }
  /** http-response only. */
  | { kind: 'set-status'; status: number; reason: string | null }
  /** `set-var(scope.name) EXPR` / `unset-var(scope.name)`: the expression's sample, in the stream's variables. */
  | { kind: 'set-var'; scope: import('../acl/index.ts').VarScope; name: string; expr: import('../acl/index.ts').CompiledExpr }
  | { kind: 'unset-var'; scope: import('../acl/index.ts').VarScope; name: string }
  /** `capture SAMPLE len N` (a slot of its own) or `… id N` (a declared slot: len -1). */
  | { kind: 'capture'; side: 'request' | 'response'; expr: import('../acl/index.ts').CompiledExpr; slot: number; len: number }
  /** `set-log-level LEVEL|silent`: 0–7, -1 silent. */
  | { kind: 'set-log-level'; level: number }
  /** `set-timeout server|tunnel T|EXPR`: a literal (ms) or an expression read as ms. */
  | { kind: 'set-timeout'; which: 'server' | 'tunnel'; ms: number | null; expr: import('../acl/index.ts').CompiledExpr | null }
  /** `wait-for-body time T [at-least N]`: the rules pause until the body (or N bytes) is here, 408 after T. */
  | { kind: 'wait-for-body'; time: number; atLeast: number }
  /** `normalize-uri OP [full|strict]` (normalize-uri.ts); `option` is the full/strict word. */
  | { kind: 'normalize-uri'; op: import('./normalize-uri.ts').NormalizeOp; option: boolean }
  /** `use-service NAME`: a service inside the proxy answers the request (final). */
  | { kind: 'use-service'; service: ServiceName };

/** Services `use-service` can start (HAProxy 2.6 built with USE_PROMEX has this one). */
export type ServiceName = 'prometheus-exporter';

export interface HttpRequestRule {
  where: { file: string; line: number };
  action: HttpRequestAction;
  cond: Condition | null;
}

/** What the stream does after the rules ran. */
export type RuleVerdict =
  | { kind: 'continue' }
  | { kind: 'respond'; response: Buffer; close: boolean }
  /** The proxy's own error response for `status` (errorfile or built-in), as for deny. */
  | { kind: 'error'; status: number }
  | { kind: 'tarpit'; status: number }
  | { kind: 'reject'; silent?: boolean }
  /** use-service: the stream hands the request to a service (its body is read, then it answers). */
  | { kind: 'service'; service: ServiceName }
  /** wait-for-body: collect the body, then resume the same list at rule `next`. */
  | { kind: 'wait-body'; next: number; time: number; atLeast: number };
