/**
 * The sample model of HAProxy's rule language (2.6): a fetch produces a typed sample from
 * the connection or the HTTP transaction, converters transform it, a matcher compares it
 * with patterns. Everything here is plain types; the code lives beside.
 *
 * Representation (one JS value per type, chosen so the hot paths allocate little):
 *  - bool: boolean; sint: number (HAProxy's int64; we keep JS safe integers, results are
 *    truncated to integers); ipv4: number (unsigned 32-bit, network order value);
 *    ipv6: Uint8Array(16); str: string with one char per byte (latin1, as request heads
 *    are decoded); bin: Buffer; meth: string (the method name as received).
 * A fetch or converter answers `null` when the sample does not exist (HAProxy: the
 * fetch "fails"); matching a missing sample is false (and `!` of it is true).
 */

export type SampleType = 'bool' | 'sint' | 'ipv4' | 'ipv6' | 'str' | 'bin' | 'meth';
/** What a fetch/converter declares it takes or returns; 'any' accepts every type, 'addr' ipv4 or ipv6. */
export type SampleTypeSpec = SampleType | 'any' | 'addr';

export type Sample =
  | { type: 'bool'; v: boolean }
  /** big: the exact int64 when v is beyond ±2^53 (64-bit hashes); text and binary casts use it. */
  | { type: 'sint'; v: number; big?: bigint }
  | { type: 'ipv4'; v: number }
  | { type: 'ipv6'; v: Uint8Array }
  | { type: 'str'; v: string }
  | { type: 'bin'; v: Buffer }
  | { type: 'meth'; v: string };

/**
 * Where a fetch has what it needs (HAProxy's SMP_USE_* collapsed to three stages). As in
 * HAProxy 2.6, the unqualified `hdr`, `hdr_cnt`, `cook` are request fetches.
 */
export type FetchStage = 'connection' | 'request' | 'response';

export type VarScope = 'proc' | 'sess' | 'txn' | 'req' | 'res';

/**
 * Read-only view of a request, implemented by the proxy per transaction. Every method is
 * called only when an expression needs it, so the proxy can keep raw buffers and decode on
 * demand. Field indices are 0-based in message order; names are lower-case.
 */
export interface HttpRequestView {
  readonly method: string;
  /** The request-target exactly as received (origin-form "/a?b", absolute-form, "*", authority). */
  readonly target: string;
  /** "1.0" or "1.1" (later "2.0"). */
  readonly version: string;
  readonly fieldCount: number;
  /** Lower-case field name of field i. */
  fieldName(i: number): string;
  /** Field value of field i, OWS trimmed, latin1. */
  fieldValue(i: number): string;
  /** The buffered body (`option http-buffer-request` / `wait-for-body`), or null when not buffered. */
  body(): Buffer | null;
}

/** Read-only view of a response, present in response-stage rules. */
export interface HttpResponseView {
  readonly status: number;
  readonly fieldCount: number;
  fieldName(i: number): string;
  fieldValue(i: number): string;
}

/** Variables (`set-var`/`var()`); the proxy decides the lifetime of each scope. */
export interface VarStore {
  get(scope: VarScope, name: string): Sample | undefined;
  set(scope: VarScope, name: string, value: Sample): void;
  unset(scope: VarScope, name: string): void;
}

/** What `nbsrv`, `be_conn`, `connslots`, `queue`, `avg_queue`, `srv_is_up` read of a backend. */
export interface BackendStats {
  /** Usable servers (up, not in maintenance; backups only when no active one is usable). */
  readonly usableServers: number;
  /** Current connections on the backend. */
  readonly currentConns: number;
  /** Queued requests (backend queue + all server queues). */
  readonly queued: number;
  /**
   * Free connection slots + free queue slots over usable servers; -1 when at least one
   * usable server has no maxconn (HAProxy then answers -1 for "unlimited").
   */
  readonly connSlots: number;
  /** Number of usable active servers used by avg_queue's division (0 → queued). */
  readonly activeServers: number;
  /** State of a server by name: true up, false down/maint, undefined when unknown. */
  serverUp(name: string): boolean | undefined;
}

export interface BackendLookup {
  /** A backend by name; null when unknown. */
  backend(name: string): BackendStats | null;
}

/**
 * Everything a fetch may read, implemented cheaply by the proxy (one object per stream,
 * fields filled at accept time, HTTP views attached when a head has been parsed).
 */
export interface SampleContext {
  /** Client address as text ("192.0.2.1", "2001:db8::1", "::ffff:1.2.3.4"), null if not IP. */
  readonly srcAddr: string | null;
  readonly srcPort: number;
  readonly dstAddr: string | null;
  readonly dstPort: number;
  readonly frontendName: string;
  /** The backend chosen so far (the frontend itself in a listen, or before use_backend: the frontend). */
  readonly backendName: string | null;
  readonly serverName: string | null;
  readonly req: HttpRequestView | null;
  readonly res: HttpResponseView | null;
  readonly vars: VarStore | null;
  readonly backends: BackendLookup | null;
  /** Backend of the current stream, used when `nbsrv`/`be_conn`/… have no argument. */
  readonly currentBackend: BackendStats | null;
  /** `unique-id-format` result, computed by the proxy; null when not configured. */
  uniqueId(): string | null;
  /** Stick counters this connection tracks (track-sc0..2), read by sc_* fetches; absent or null: none. */
  readonly stick?: import('../stick/track.ts').StreamTrackers | null;
  /** The request bytes `tcp-request content` rules inspect (req.len, req.payload…); absent or null: none. */
  readonly content?: ContentView | null;
}

/**
 * The client bytes buffered while `tcp-request content` rules wait (inspect-delay). Until
 * `final` (delay over, buffer full, client closed), a payload fetch that lacks bytes, or
 * whose answer may still grow (req.len), bumps `mayChange`: a condition that fails on
 * such a sample is "not yet known" and the rule waits for more (HAProxy's ACL_TEST_MISS).
 */
export interface ContentView {
  readonly data: Buffer;
  readonly final: boolean;
  mayChange: number;
}

/** Compile-time facts a fetch or converter can query (the proxy being configured). */
export interface CompileEnv {
  /** Directory relative pattern/map files are taken from (HAProxy: the current directory). */
  readonly baseDir: string;
  /** The proxy's mode: HTTP fetches in a tcp proxy are errors for some positions. */
  readonly mode?: 'tcp' | 'http';
  /** Names of known backends, when checks are wanted (null: do not check). */
  readonly backendNames?: ReadonlySet<string> | null;
  /** The proxy being configured: its stick table is the default of sc_/src_/table_ keywords. */
  readonly proxyName?: string;
  /**
   * Told of every stick table a keyword names (or defaults to), so that the configuration
   * can refuse names that are no table once every section is read (src/lb/stick/refs.ts).
   * `arg` is the 1-based argument position for fetches and converters; absent for actions.
   */
  readonly onTableRef?: (table: string, by: { keyword: string; arg?: number }) => void;
}

/** A compiled sample expression: null when the sample does not exist. */
export type SampleFn = (ctx: SampleContext) => Sample | null;

/** Error thrown at compile time only; message is HAProxy-like, without file:line. */
export class SampleError extends Error {
  readonly code: 'SY_ERR_CFG_ACL' | 'SY_ERR_CFG_SAMPLE' | 'SY_ERR_CFG_PATTERN_FILE';
  constructor(message: string, code: SampleError['code'] = 'SY_ERR_CFG_SAMPLE') {
    super(message);
    this.code = code;
  }
}
