/**
 * Version facts in one place. Switchyard speaks HAProxy's configuration language at the
 * level of HAProxy COMPAT_VERSION: `.if version_atleast(X)` and `-cc` compare against it,
 * so a config written for that HAProxy takes the same conditional branches here.
 * FEATURES is what `feature(X)` answers true for: only what Switchyard really implements.
 */
export const VERSION = '0.1.0';
export const RELEASE_DATE = '2026/11/22';
export const COMPAT_VERSION = '2.6.0';
export const FEATURES: ReadonlySet<string> = new Set(['SWITCHYARD', 'GETADDRINFO', 'POLL', 'EPOLL']);

/**
 * Compares HAProxy-style version strings ("2.6", "2.6.12", "2.5-dev3"): -1, 0 or 1.
 * A "-devN" is before the release it leads to; unparsable parts count as 0, as in HAProxy.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => {
    const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-dev(\d+))?/.exec(v.trim());
    if (!m) return [0, 0, 0, 1, 0];
    const dev = m[4] !== undefined;
    return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), dev ? 0 : 1, Number(m[4] ?? 0)];
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < x.length; i++) {
    if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  }
  return 0;
}
