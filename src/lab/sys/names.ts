/**
 * Every name the lab gives to a kernel object or process, from one place.
 *
 * Contract (what `down`/`clean` rely on to remove what the lab made and only that):
 *  - each node lives in network namespace `sy-<lab>-<node>`;
 *  - each lab with switches has one fabric namespace `sy-<lab>.sw` holding its bridges
 *    (named after the lan) and their ports (`p.<N>`, ifalias `<node>:<if>` or `<lan>`);
 *    `.` is not allowed in lab/node/lan names, so no lab's names can collide with another
 *    lab's fabric or with a bridge;
 *  - node-side interfaces carry the names the topology gives (`eth1`), inside the node's
 *    namespace — nothing is ever created in the root namespace, so no kernel name needs
 *    a short lab id and the 15-character limit only applies to names the user writes;
 *  - processes started by the lab carry `SY_LAB=<lab>` and `SY_NODE=<node>` in their
 *    environment and run inside the lab's namespaces (found by namespace inode); capture
 *    helpers also carry `--sy-capture=<lab>` in argv.
 * Before `up` creates anything it checks that none of its namespace names exist, so two
 * labs never share an object, and it logs each object before creating it (sys/state.ts).
 */

/** Lab and node names: letters, digits, `_`, `-`; start with a letter or digit. */
export const LAB_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
export const NODE_NAME_RE = LAB_NAME_RE;
/** Lans name their bridge, so they are also kernel interface names (≤ 15 chars). */
export const LAN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,14}$/;
/** Interface names inside a node: ≤ 15 chars (IFNAMSIZ - 1), no `/`, `:` or spaces. */
export const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

export const NETNS_PREFIX = 'sy-';

export function nodeNetns(lab: string, node: string): string {
  return `${NETNS_PREFIX}${lab}-${node}`;
}

export function fabricNetns(lab: string): string {
  return `${NETNS_PREFIX}${lab}.sw`;
}

/** Name of the Nth switch port in the fabric namespace (N counts from 0 over the lab). */
export function portName(n: number): string {
  return `p.${n}`;
}

/** Environment tags of every process the lab starts. */
export const ENV_LAB = 'SY_LAB';
export const ENV_NODE = 'SY_NODE';

/** argv tag of a `lab capture` helper (it runs inside a node's namespace, so teardown
 *  also finds it by namespace; the tag names it in `ps`). */
export function captureTag(lab: string): string {
  return `--sy-capture=${lab}`;
}
