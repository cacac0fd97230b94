/**
 * The NodeKind contract. Every node is a network namespace with its interfaces, routes,
 * sysctls and `exec` commands — that part is common and done by the lab core in bulk
 * (ops/up.ts), because doing it once for all nodes is what makes big labs fast. A kind
 * only adds (1) the topology keys it understands, validated in `resolveOptions` with no
 * system call, and (2) what runs in the node once its network is ready (`start`).
 * Everything a kind starts must go through `rt.spawn`, so it is logged, tagged and
 * stopped with the node; a kind never kills anything itself.
 */
import type { ErrorCode } from '../../shared/errors.ts';
import type { Path } from '../topo/load.ts';
import type { ResolvedNode, Topology } from '../topo/types.ts';
import type { ProcRecord } from '../sys/procs.ts';

export type OptionCtx = {
  nodeName: string;
  /** Directory of the topology file (relative paths such as `config_file` start here). */
  baseDir: string;
  /** Report a problem at `path` relative to this node's mapping. */
  error(code: ErrorCode, path: Path, message: string, part?: 'key' | 'value'): void;
};

export type SpawnOptions = {
  /** Extra environment (added to the node's `env`). */
  env?: Record<string, string>;
  /** Short name for the log file and status (`<node>.<label>.log`). */
  label: string;
};

/** What the lab core gives a kind at start. */
export type NodeRuntime = {
  lab: string;
  stateDir: string;
  topo: Topology;
  /** Directory for this node's generated files (configs), created on demand. */
  nodeDir(node: string): string;
  /** Start a supervised process in the node (own UTS namespace with the node's hostname,
   *  output to `<stateDir>/logs/<node>.<label>.log`, pid + start time recorded). */
  spawn(node: ResolvedNode, argv: readonly string[], opts: SpawnOptions): Promise<ProcRecord>;
  /** Resolve when something in the node listens on TCP `port`, or throw
   *  SY_ERR_LAB_PROCESS (with the log's last lines) if `proc` died or time ran out. */
  waitListening(node: ResolvedNode, port: number, proc: ProcRecord, timeoutMs?: number): Promise<void>;
};

export interface NodeKind {
  readonly name: string;
  readonly description: string;
  /** Topology keys this kind accepts on a node, beyond the common ones. */
  readonly optionKeys: readonly string[];
  /** A minimal valid node entry of this kind (for the conformance suite and docs). */
  readonly example: Record<string, unknown>;
  /** Validate kind-specific keys (no system calls) and return JSON-able options. */
  resolveOptions(raw: Record<string, unknown>, ctx: OptionCtx): Record<string, unknown>;
  /** Start the kind's processes; resolve once they are ready (e.g. listening). */
  start(rt: NodeRuntime, node: ResolvedNode): Promise<void>;
  /** One line for `status` (e.g. "http :80"). */
  summary(node: ResolvedNode): string;
}
