/**
 * Types of a lab topology after `resolve()`: plain JSON-able data, every default filled
 * in, every reference checked. This is what the lab saves to its state directory
 * (`topology.json`) and what every later CLI invocation reads back, so it must stay
 * serialisable (no functions, no Maps, no class instances).
 */
import type { ErrorCode } from '../../shared/errors.ts';

/** Where something was written: 1-based line and column. */
export type SourcePos = { file: string; line: number; col: number };

/** One problem found while loading or resolving a topology. */
export type Diagnostic = SourcePos & { code: ErrorCode; message: string };

/** Impairment of one direction — the one definition for the lab and the sock cable
 *  (links/sock/types.ts re-exports it): delay/jitter in ms, loss/duplicate/corrupt in
 *  percent (0–100), rate in bit/s, queue in bytes (the rate stage's tail-drop bound).
 *  Missing = off. */
export type Impairment = {
  delay?: number;
  jitter?: number;
  loss?: number;
  duplicate?: number;
  corrupt?: number;
  rate?: number;
  queue?: number;
};
export type ImpairmentKey = keyof Impairment;

/** Impairment per direction: `ab` = frames sent by end a towards end b. */
export type LinkImpairment = { ab: Impairment; ba: Impairment };

export type Route = { to: string; via?: string; dev?: string };

export type Iface = {
  name: string;
  /** Addresses with prefix length, IPv4 and IPv6 mixed ("10.0.0.1/24", "fd00::1/64"). */
  addresses: string[];
  mac?: string;
  mtu?: number;
};

export type ResolvedNode = {
  name: string;
  kind: string;
  /** Network namespace holding the node (`sy-<lab>-<node>`). */
  netns: string;
  interfaces: Iface[];
  routes: Route[];
  sysctls: Record<string, string>;
  env: Record<string, string>;
  /** Shell commands run in order at start (each `sh -c`), before the kind's processes. */
  exec: string[];
  dependsOn: string[];
  /** Kind-specific options, already validated by the kind. */
  options: Record<string, unknown>;
  pos: SourcePos;
};

/** One end of a link, already placed: the interface `ifname` in namespace `netns`.
 *  `node` is set for a node's interface, `lan` for a switch port (then the core plugs
 *  the interface into bridge `master` of the fabric namespace after creation). */
export type LinkEnd = {
  node: string | null;
  lan: string | null;
  netns: string;
  ifname: string;
  /** Bridge to enslave this end to (lan ports only). */
  master: string | null;
  mac?: string;
  mtu?: number;
};

export type ResolvedLink = {
  /** Stable id, unique in the lab: `<a>~<b>` of the endpoint spellings ("h1:eth1~sw1"). */
  id: string;
  kind: string;
  a: LinkEnd;
  b: LinkEnd;
  impairment: LinkImpairment;
  options: Record<string, unknown>;
  pos: SourcePos;
};

export type ResolvedLan = {
  name: string;
  kind: string;
  /** Bridge interface name in the fabric namespace. */
  bridge: string;
  pos: SourcePos;
};

export type Topology = {
  name: string;
  /** Absolute path of the topology file (for relative `config_file`s and messages). */
  file: string;
  /** Namespace that holds the lab's switches (bridges and their ports); null without lans. */
  fabric: string | null;
  nodes: ResolvedNode[];
  lans: ResolvedLan[];
  links: ResolvedLink[];
  /** Node names grouped in start order: every node's dependencies are in earlier groups. */
  startOrder: string[][];
};
