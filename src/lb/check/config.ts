/**
 * Parsed health-check settings (plain data). Per server: what `server … check inter …`
 * sets; per proxy: `option httpchk`, `http-check …`, `tcp-check …`. The config parser
 * fills them (src/lb/config/sections/check.ts and server-check.ts); src/lb/check runs them.
 *
 * Defaults are HAProxy 2.6's: inter 2s, rise 2, fall 3, fastinter and downinter equal to
 * inter when not set (0 here), error-limit 10, on-error fail-check, observe none.
 */

export type ObserveMode = 'none' | 'layer4' | 'layer7';
export type OnErrorAction = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';

export interface ServerCheckParams {
  /** `check` given (and not `no-check`). */
  enabled: boolean;
  /** ms between checks while the server is fully up. */
  inter: number;
  /** ms between checks while the state is changing (0 = inter). */
  fastinter: number;
  /** ms between checks while the server is fully down (0 = inter). */
  downinter: number;
  /** Consecutive successes that bring a DOWN server UP. */
  rise: number;
  /** Consecutive failures that take an UP server DOWN. */
  fall: number;
  /** Port the checks connect to (0 = the server's). */
  port: number;
  /** Address the checks connect to (IP literal; null = the server's). */
  addr: string | null;
  /** `agent-check` given (and not `no-agent-check`). */
  agent: boolean;
  agentPort: number;
  /** ms between agent checks (0 = inter). */
  agentInter: number;
  agentAddr: string | null;
  /** Sent to the agent after connecting (escapes already decoded by the tokenizer). */
  agentSend: string;
  observe: ObserveMode;
  /** Consecutive observed errors that trigger `onError`. */
  errorLimit: number;
  onError: OnErrorAction;
  /** `on-marked-down shutdown-sessions`. */
  shutdownOnDown: boolean;
  /** `on-marked-up shutdown-backup-sessions`. */
  shutdownBackupOnUp: boolean;
  /** `track [proxy/]server`: this server's health follows that one's (proxy null = own). */
  track: { proxy: string | null; server: string } | null;
}

/** One step of a check ruleset (`tcp-check …` / `http-check …` lines, in order). */
export type CheckRule =
  | { kind: 'connect'; port: number; addr: string | null }
  | { kind: 'send'; data: Buffer; text: string; binary: boolean }
  | { kind: 'http-send'; meth?: string; uri?: string; ver?: string; headers: [string, string][]; body?: string }
  | ExpectRule;

export type ExpectMatch = 'string' | 'rstring' | 'binary' | 'rbinary' | 'status' | 'rstatus';

export interface ExpectRule {
  kind: 'expect';
  match: ExpectMatch;
  inverse: boolean;
  /** The pattern as written (hex for binary, list for status). */
  pattern: string;
  /** Decoded `binary` bytes. */
  bytes?: Buffer;
  /** `status` ranges, inclusive. */
  ranges?: [number, number][];
}

export interface ProxyCheckConfig {
  /** Which probe the servers' `check` runs: connect only, `option httpchk`, `option tcp-check`. */
  kind: 'tcp' | 'http' | 'tcp-check';
  /** The request `option httpchk [METH] [URI] [VER]` asks for. */
  http: { meth: string; uri: string; ver: string; headers: [string, string][] };
  /** `http-check connect|send|expect` in order. */
  httpRules: CheckRule[];
  /** `tcp-check connect|send|send-binary|expect` in order. */
  tcpRules: CheckRule[];
  /** Rules were copied from a defaults section: the proxy's first rule line replaces them. */
  httpRulesInherited: boolean;
  tcpRulesInherited: boolean;
  disableOn404: boolean;
  logHealthChecks: boolean;
}

export function defaultServerCheck(): ServerCheckParams {
  return {
    enabled: false, inter: 2000, fastinter: 0, downinter: 0, rise: 2, fall: 3, port: 0, addr: null,
    agent: false, agentPort: 0, agentInter: 0, agentAddr: null, agentSend: '',
    observe: 'none', errorLimit: 10, onError: 'fail-check', shutdownOnDown: false, shutdownBackupOnUp: false,
    track: null,
  };
}

export function defaultProxyCheck(): ProxyCheckConfig {
  return {
    kind: 'tcp', http: { meth: 'OPTIONS', uri: '/', ver: 'HTTP/1.0', headers: [] },
    httpRules: [], tcpRules: [], httpRulesInherited: false, tcpRulesInherited: false,
    disableOn404: false, logHealthChecks: false,
  };
}

/** A proxy's copy of its defaults section's settings. */
export function cloneProxyCheck(c: ProxyCheckConfig): ProxyCheckConfig {
  const copy = structuredClone(c);
  // structuredClone turns Buffers into Uint8Arrays: give the rules real Buffers back.
  for (const r of [...copy.httpRules, ...copy.tcpRules]) {
    if (r.kind === 'send') r.data = Buffer.from(r.data);
    if (r.kind === 'expect' && r.bytes) r.bytes = Buffer.from(r.bytes);
  }
  copy.httpRulesInherited = copy.httpRules.length > 0;
  copy.tcpRulesInherited = copy.tcpRules.length > 0;
  return copy;
}

/**
 * `spread-checks` (global, 0–50 %) lives beside the parsed GlobalConfig until that type
 * carries it: global.ts records it here, the runtime passes it to startHealthChecks.
 */
const spread = new WeakMap<object, number>();
export function setSpreadChecks(global: object, percent: number): void { spread.set(global, percent); }
export function spreadChecksOf(global: object): number { return spread.get(global) ?? 0; }
