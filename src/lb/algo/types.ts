/**
 * The contract between a backend and its load-balancing algorithm (HAProxy's lb_ops).
 *
 * An algorithm is a declarative table: `init` builds its private state from the
 * servers, `pick` chooses one server for a request (or null), and the optional hooks keep
 * the state current when a server goes up/down or changes weight, and when a connection
 * is taken or dropped (for connection-counting algorithms). Algorithms never touch
 * sockets. `avoid` asks for another server than the one that just failed (redispatch); an
 * algorithm may return it anyway if it is the only usable one.
 *
 * Full servers. A server whose `hasRoom` is false has reached its maxconn (or already has
 * requests waiting in its own queue). Algorithms that choose freely (round-robin,
 * leastconn, first, random) skip such servers and return null when every usable server
 * is full: the backend then queues the request in the backend queue. Deterministic
 * algorithms (the hash family: source, uri, url_param, hdr, hash) return the server the
 * request maps to even when full: the request then waits in that server's own queue, as
 * in HAProxy. `deterministic` tells the backend which behaviour to expect.
 *
 * The backend gives an algorithm only one class of servers: it runs one instance over the
 * active servers and one over the backup servers.
 */
export interface LbServer {
  readonly id: number;
  readonly name: string;
  /** Current effective weight, 0–256 (slow start and agent scale it); 0 = no new traffic. */
  readonly weight: number;
  /** True when the server may receive traffic (not in maintenance, not down, not draining). */
  readonly usable: boolean;
  /** False while the server is at its (dynamic) maxconn or has requests in its own queue. */
  readonly hasRoom: boolean;
  /** Requests (HTTP) or connections (TCP) being served now. */
  readonly served: number;
  /** Configured maxconn, 0 = unlimited (`balance first` fills servers up to it). */
  readonly maxconn: number;
}

/** What an algorithm may read of the HTTP request being balanced. */
export interface HttpPickView {
  /** Method as received (case-sensitive). */
  readonly method: string;
  /** The request-target as received: origin-form `/path?query`, or absolute-form. */
  readonly target: string;
  /** Value of the first field named `name` (lower-case name), or undefined. */
  header(name: string): string | undefined;
  /**
   * Every field line named `name` (lower-case), in order. Optional: `hash req.hdr(x)`
   * needs it to see occurrences after the first line (HAProxy's default occurrence is the
   * last one); without it only the first line is seen.
   */
  headers?(name: string): readonly string[];
}

/** The request being balanced. */
export interface PickRequest {
  /** Client address as text (IPv4 dotted, IPv6, or '' for a UNIX socket client). */
  readonly srcAddr: string;
  /** The HTTP request in mode http; null in mode tcp (hash-on-request algorithms fall back to round-robin, as HAProxy). */
  readonly http: HttpPickView | null;
}

export interface LbAlgorithm<State> {
  /** The `balance` keyword. */
  readonly name: string;
  /** Which request data `pick` needs. */
  readonly needs: 'nothing' | 'source' | 'http';
  /** Whether weight changes at run time take effect (false for static-rr). */
  readonly dynamicWeights: boolean;
  /** True for the hash family: `pick` may return a full server (see above). */
  readonly deterministic: boolean;
  init(servers: readonly LbServer[], cfg: import('./config.ts').BalanceConfig): State;
  pick(state: State, req: PickRequest, avoid?: LbServer): LbServer | null;
  onServerUp?(state: State, server: LbServer): void;
  onServerDown?(state: State, server: LbServer): void;
  onWeight?(state: State, server: LbServer): void;
  onTake?(state: State, server: LbServer): void;
  onDrop?(state: State, server: LbServer): void;
}
