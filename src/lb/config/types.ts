/**
 * The parsed configuration: plain data, no sockets. The section parsers fill it, the
 * finaliser checks cross-references, the runtime (src/lb/core) builds live objects from it.
 * Timeouts are milliseconds; `undefined` means "not set" (HAProxy: infinite, with a warning).
 */
import type { ListenAddress, ServerAddress } from './address.ts';

export interface Where {
  file: string;
  line: number;
}

export type ProxyMode = 'tcp' | 'http';
export type BalanceAlgorithm = 'roundrobin' | 'static-rr';

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

export interface ServerDefaults {
  weight?: number;
  disabled?: boolean;
}

export interface ServerConfig {
  where: Where;
  name: string;
  /** The address text as written. */
  text: string;
  address: ServerAddress;
  weight: number;
  disabled: boolean;
  /** Numeric id (HAProxy `id`), assigned in declaration order from 1 when not given. */
  id: number;
}

export interface ForwardFor {
  /** Lower-case field name (default x-forwarded-for). */
  header: string;
  /** Client network that does not get the field, as "addr/prefix". */
  except: { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null;
  /** Only add the field when the request does not carry one already. */
  ifNone: boolean;
}

export interface ProxyOptions {
  tcplog: boolean;
  dontlognull: boolean;
  /** `option forwardfor [except NET] [header NAME] [if-none]`; null when not set. */
  forwardfor: ForwardFor | null;
  /** option http-keep-alive (default) | http-server-close | httpclose. */
  httpConnMode: 'keep-alive' | 'server-close' | 'close';
  /** `option redispatch` is set (even with interval 0). */
  redispatchOn: boolean;
  /** option redispatch interval: 0 = none, -1 = last retry, P > 0 every P-th retry, -N N-th before last. */
  redispatch: number;
}

/** Settings a defaults section passes on; proxies start from a copy of their defaults. */
export interface ProxySettings {
  mode: ProxyMode;
  maxconn?: number;
  timeouts: Timeouts;
  balance: BalanceAlgorithm;
  retries: number;
  options: ProxyOptions;
  serverDefaults: ServerDefaults;
  defaultBackend?: { name: string; where: Where };
  /** `errorfile CODE FILE`: the raw responses to send instead of the built-in ones. */
  errorfiles: Record<number, Buffer>;
}

export type ProxyKind = 'frontend' | 'backend' | 'listen' | 'defaults';

export interface ProxyConfig extends ProxySettings {
  kind: Exclude<ProxyKind, 'defaults'>;
  name: string;
  where: Where;
  id: number;
  binds: BindConfig[];
  useBackends: { name: string; where: Where }[];
  servers: ServerConfig[];
  /** Whether this proxy accepts connections (frontend/listen) and/or has servers (backend/listen). */
  cap: { frontend: boolean; backend: boolean };
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
}

export interface GlobalConfig {
  maxconn?: number;
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
}

export interface Config {
  files: string[];
  global: GlobalConfig;
  proxies: ProxyConfig[];
}

export interface Diagnostic {
  severity: 'alert' | 'warning' | 'notice' | 'diag';
  code?: import('../../shared/errors.ts').ErrorCode;
  where?: Where;
  message: string;
}
