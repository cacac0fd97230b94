/**
 * The contract between a backend and its load-balancing algorithm (HAProxy's lb_ops).
 *
 * An algorithm is a declarative table: `init` builds its private state from the
 * servers, `pick` chooses one usable server (or null when none is), and the optional
 * hooks keep the state current when a server goes up/down or changes weight, and when a
 * connection is taken or dropped (for connection-counting algorithms). Algorithms never
 * touch sockets. `avoid` lets the caller ask for another server than the one that just
 * failed (redispatch); an algorithm may return it anyway if it is the only usable one.
 */
export interface LbServer {
  readonly id: number;
  readonly name: string;
  /** Current effective weight, 0–256; 0 means "receives no new traffic". */
  readonly weight: number;
  /** True when the server may receive traffic (not in maintenance, not down). */
  readonly usable: boolean;
}

export interface LbAlgorithm<State> {
  /** The `balance` keyword. */
  readonly name: string;
  /** Which request data `pick` needs; 'nothing' for algorithms that ignore the request. */
  readonly needs: 'nothing';
  /** Whether weight changes at run time take effect (false for static-rr). */
  readonly dynamicWeights: boolean;
  init(servers: readonly LbServer[]): State;
  pick(state: State, avoid?: LbServer): LbServer | null;
  onServerUp?(state: State, server: LbServer): void;
  onServerDown?(state: State, server: LbServer): void;
  onWeight?(state: State, server: LbServer): void;
  onTake?(state: State, server: LbServer): void;
  onDrop?(state: State, server: LbServer): void;
}
