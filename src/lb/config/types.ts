/**
 * The parsed configuration: plain data, no sockets. The section parsers fill it, the
 * finaliser checks cross-references, the runtime (src/lb/core) builds live objects from it.
 * Timeouts are milliseconds; `undefined` means "not set" (HAProxy: infinite, with a warning).
 */
import type { ListenAddress, ServerAddress } from './address.ts';
import type { BalanceConfig } from '../algo/config.ts';
import type { ProxyCheckConfig, ServerCheckParams } from '../check/config.ts';

export interface Where {
  file: string;
  line: number;
}

export type ProxyMode = 'tcp' | 'http';
export type { BalanceAlgorithm, BalanceConfig } from '../algo/config.ts';

export const TIMEOUT_NAMES = [
  'client', 'server', 'connect', 'client-fin', 'server-fin', 'queue', 'tunnel',
  'http-request', 'http-keep-alive', 'check', 'tarpit',
] as const;
export type TimeoutName = (typeof TIMEOUT_NAMES)[number];
export type Timeouts = Partial<Record<TimeoutName, number>>;

export interface BindConfig {
  where: Where;
  /** The address text as written, for messages ("[127.0.0.1:8080]"). */
  text: string;
  addresses: ListenAddress[];
  name?: string;
}

/** What `server` and `default-server` options set (src/lb/config/sections/server.ts). */
export interface ServerParams {
  /** 0–256; 0 = no new traffic from the algorithm. */
  weight: number;
  disabled: boolean;
  /** Concurrent requests/connections the server is given; 0 = unlimited. Beyond: queue. */
  maxconn: number;
  /** With `fullconn`: the dynamic limit's floor; 0 = fixed maxconn. */
  minconn: number;
  /** Requests that may wait in this server's own queue; 0 = unlimited. */
  maxqueue: number;
  /** Used only when no active server is usable. */
  backup: boolean;
  /** Weight ramps up over this many ms after the server comes up; 0 = at once. */
  slowstart: number;
  /** Health-check settings of this server. */
  check: ServerCheckParams;
  /** `cookie VALUE`: this server's persistence cookie value; '' when none. */
  cookie: string;
  /** Idle connections kept in this server's pool: -1 unlimited, 0 none. */
  poolMaxConn: number;
  /** ms an idle pooled connection is kept. */
  poolPurgeDelay: number;
  /** Times a connection may be reused: -1 unlimited. */
  maxReuse: number;
}

export type ServerDefaults = Partial<ServerParams>;

export interface ServerConfig extends ServerParams {
  where: Where;
  name: string;
  /** The address text as written. */
  text: string;
  address: ServerAddress;
  /** Numeric id (HAProxy `id`); when not given, the smallest free one in declaration order. */
  id: number;
  /** The id was written with `id N`. */
  idExplicit: boolean;
}

export interface ForwardFor {
  /** Lower-case field name (default x-forwarded-for). */
  header: string;
  /** Client network that does not get the field, as "addr/prefix". */
  except: { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null;
  /** Only add the field when the request does not carry one already. */
  ifNone: boolean;
}

/** `cookie NAME insert|rewrite|prefix [options]`: cookie-based server persistence. */
export interface CookieConfig {
  name: string;
  mode: 'insert' | 'rewrite' | 'prefix';
  indirect: boolean;
  nocache: boolean;
  postonly: boolean;
  preserve: boolean;
  httponly: boolean;
  secure: boolean;
  domains: string[];
  /** `attr` values appended to the inserted cookie. */
  attrs: string[];
  /** `maxidle T` / `maxlife T` (ms, 0 = none): insert mode stamps the cookie with dates and expires it. */
  maxidle: number;
  maxlife: number;
}

/** `retry-on`: which failures of a sent request are retried (HAProxy's L7 retries). */
export interface RetryOn {
  connFailure: boolean;
  emptyResponse: boolean;
  junkResponse: boolean;
  responseTimeout: boolean;
  /** Response statuses that are retried (the response is discarded). */
  statuses: number[];
}

/** `option forwarded` (RFC 7239): which parameters the added field carries. */
export interface Rfc7239 {
  proto: boolean;
  host: boolean;
  by: boolean;
  byPort: boolean;
  for: boolean;
  forPort: boolean;
}

export interface ProxyOptions {
  tcplog: boolean;
  dontlognull: boolean;
  /** `option forwardfor [except NET] [header NAME] [if-none]`; null when not set. */
  forwardfor: ForwardFor | null;
  /** `option originalto [except NET] [header NAME]` (ifNone unused); null when not set. */
  originalto: ForwardFor | null;
  /** `option forwarded [proto] [host] [by] [by_port] [for] [for_port]`; null when not set. */
  forwarded: Rfc7239 | null;
  /** option http-keep-alive (default) | http-server-close | httpclose. */
  httpConnMode: 'keep-alive' | 'server-close' | 'close';
  /** `option redispatch` is set (even with interval 0). */
  redispatchOn: boolean;
  /** option redispatch interval: 0 = none, -1 = last retry, P > 0 every P-th retry, -N N-th before last. */
  redispatch: number;
  /** `option persist`: a persistence cookie still selects a server that is down. */
  persist: boolean;
  /** `option abortonclose`: a client that closes drops its request if not answered yet (queued or sent). */
  abortonclose: boolean;
  /** `option allbackups`: spread over all usable backup servers, not only the first. */
  allbackups: boolean;
  /** `option http-buffer-request`: wait for the request body (or a full buffer) before the http-request rules. */
  httpBufferRequest?: boolean;
}

/** Settings a defaults section passes on; proxies start from a copy of their defaults. */
export interface ProxySettings {
  mode: ProxyMode;
  maxconn?: number;
  timeouts: Timeouts;
  balance: BalanceConfig;
  /** Backend `fullconn`: the load at which servers reach maxconn (with minconn). */
  fullconn?: number;
  /** `http-reuse`: how idle server connections are shared between client sessions. */
  httpReuse: import('../core/server-pool.ts').ReuseMode;
  /** Health-check probe settings shared by the servers. */
  healthCheck: ProxyCheckConfig;
  retries: number;
  /** `stats …`: the statistics page served by this proxy; null when not set. */
  stats: import('../stats/config.ts').StatsConfig | null;
  /** `errorfiles NAME [CODE…]` references, resolved after parsing (finalize.ts). */
  errorfilesRefs: { name: string; codes: number[]; where: Where }[];
  /** `monitor-uri`: a request for exactly this URI is answered 200 by the proxy itself. */
  monitorUri?: string;
  /** `cookie …` persistence; null when not set. */
  cookie: CookieConfig | null;
  /** `retry-on` (default: conn-failure only). */
  retryOn: RetryOn;
  options: ProxyOptions;
  serverDefaults: ServerDefaults;
  defaultBackend?: { name: string; where: Where };
  /** `errorfile CODE FILE`: the raw responses to send instead of the built-in ones. */
  errorfiles: Record<number, Buffer>;
  /** `log`, `log-format`, `log-tag`, logging options (src/lb/config/sections/log.ts). */
  log: import('../log/types.ts').ProxyLogSettings;
  /** `tcp-request inspect-delay` (ms): how long content rules may wait for bytes; unset = 0, decide on what is there. */
  tcpInspectDelay?: number;
  /** `acl NAME …` lines of this proxy by name (src/lb/acl); never inherited from defaults. */
  acls: import('../acl/acl.ts').AclTable;
}

export type ProxyKind = 'frontend' | 'backend' | 'listen' | 'defaults';

export interface ProxyConfig extends ProxySettings {
  kind: Exclude<ProxyKind, 'defaults'>;
  name: string;
  where: Where;
  id: number;
  binds: BindConfig[];
  /** `use_backend NAME [if|unless COND]` in order; the first whose condition holds wins. */
  useBackends: { name: string; where: Where; cond: import('../acl/index.ts').CompiledCondition | null; dynamic?: import('../rules/types.ts').Value }[];
  servers: ServerConfig[];
  /** `http-request` rules in order (src/lb/rules). */
  httpRequestRules: import('../rules/types.ts').HttpRequestRule[];
  /** `use-server NAME if|unless COND` in order: the first that holds sends the request to that server. */
  useServers: { name: string; where: Where; cond: import('../acl/index.ts').CompiledCondition }[];
  /** `stick on|match|store-request|store-response …` rules in order (src/lb/stick/rules.ts). */
  stickRules: import('../stick/rules.ts').StickRule[];
  /** `force-persist` / `ignore-persist if|unless COND`, in order (the first that holds decides). */
  persistRules: { kind: 'force' | 'ignore'; cond: import('../acl/index.ts').CompiledCondition }[];
  /** `monitor fail if|unless COND`: the monitor-uri answers 503 while one holds. */
  monitorFail: import('../acl/index.ts').CompiledCondition[];
  /** `tcp-request connection` rules in order (src/lb/config/sections/tcp-request.ts). */
  tcpConnectionRules: import('./sections/tcp-request.ts').TcpRule[];
  /** `http-response` rules in order. */
  httpResponseRules: import('../rules/types.ts').HttpRequestRule[];
  /** `http-after-response` rules in order: every response the client gets, generated ones too. */
  httpAfterResponseRules: import('../rules/types.ts').HttpRequestRule[];
  /** `tcp-request session` / `content` rules in order (src/lb/config/sections/tcp-request.ts). */
  tcpSessionRules: import('./sections/tcp-request.ts').TcpRule[];
  tcpContentRules: import('./sections/tcp-request.ts').TcpRule[];
  /** Capture slots (sections/capture.ts), numbered from 0 per side in declaration order. */
  captures: { request: CaptureSlot[]; response: CaptureSlot[] };
  /** Whether this proxy accepts connections (frontend/listen) and/or has servers (backend/listen). */
  cap: { frontend: boolean; backend: boolean };
}

/** One capture slot: a header (lower-case) filled from the head, or null for a declared slot. */
export interface CaptureSlot {
  header: string | null;
  len: number;
}

export interface DefaultsConfig extends ProxySettings {
  name: string;
  where: Where;
}

export interface StatsSocketConfig {
  where: Where;
  address: ListenAddress;
  level: 'user' | 'operator' | 'admin';
  mode?: number;
  /** `expose-fd listeners`: `_getsocks` may take this process's listening sockets (-x). */
  exposeFd?: boolean;
}

export interface GlobalConfig {
  maxconn?: number;
  /** `expose-experimental-directives`: HAProxy's experimental keywords (normalize-uri) are allowed. */
  exposeExperimental?: boolean;
  /** `maxconnrate` / `maxsessrate`: accepts per second, process-wide (unset: no limit). */
  maxconnrate?: number;
  maxsessrate?: number;
  nbthread?: number;
  daemon: boolean;
  quiet: boolean;
  pidfile?: string;
  /** Identity to drop to after binding: a name or a numeric id. */
  user?: string | number;
  group?: string | number;
  statsSockets: StatsSocketConfig[];
  /** `stats timeout` for CLI sessions, ms. */
  statsTimeout: number;
  /** `tune.bufsize`, `tune.maxrewrite`, `tune.http.maxhdr` (set only when given). */
  tune?: { bufsize?: number; maxrewrite?: number; maxhdr?: number };
  /** Global `log` targets, `log-tag`, `log-send-hostname`; unset when none was written. */
  log?: import('../log/types.ts').GlobalLogSettings;
  /** `master-worker [no-exit-on-failure]` (as -W); see src/lb/mworker. */
  masterWorker?: { noExitOnFailure: boolean };
  /** `hard-stop-after T` (ms): a soft-stopping process is stopped hard after T. */
  hardStopAfter?: number;
  /** `mworker-max-reloads N`: an old worker that has survived more than N reloads is killed. */
  mworkerMaxReloads?: number;
}

export interface Config {
  files: string[];
  /** `http-errors NAME` sections: their errorfiles by status. */
  httpErrors?: Map<string, { where: Where; files: Record<number, Buffer> }>;
  /** `userlist NAME` sections (src/lb/auth). */
  userlists?: Map<string, import('../auth/userlist.ts').Userlist>;
  global: GlobalConfig;
  proxies: ProxyConfig[];
}

export interface Diagnostic {
  severity: 'alert' | 'warning' | 'notice' | 'diag';
  code?: import('../../shared/errors.ts').ErrorCode;
  where?: Where;
  message: string;
}
