/**
 * Parsed health-check settings (plain data). Per server: what `server … check inter …`
 * sets; per proxy: `option httpchk`, `http-check …`, `tcp-check …`. The config parser
 * fills them (src/lb/config/sections/check.ts and server-check.ts); src/lb/check runs them.
 */
export interface ServerCheckParams {
  /** `check` given (and not `no-check`). */
  enabled: boolean;
}

export interface ProxyCheckConfig {
  /** Which probe the servers' `check` runs. */
  kind: 'tcp';
}

export function defaultServerCheck(): ServerCheckParams {
  return { enabled: false };
}

export function defaultProxyCheck(): ProxyCheckConfig {
  return { kind: 'tcp' };
}

export function cloneProxyCheck(c: ProxyCheckConfig): ProxyCheckConfig {
  return structuredClone(c);
}
