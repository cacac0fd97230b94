/**
 * Version facts in one place. Switchyard speaks HAProxy's configuration language at the
 * level of HAProxy COMPAT_VERSION: `.if version_atleast(X)` and `-cc` compare against it,
 * so a config written for that HAProxy takes the same conditional branches here.
 * FEATURES is what `feature(X)` answers true for: only what Switchyard really implements.
 */
export const VERSION = '0.1.0';
export const RELEASE_DATE = '2026/11/22';
export const COMPAT_VERSION = '2.6.0';
// PROMEX: `http-request use-service prometheus-exporter` (src/lb/stats/prometheus-service.ts).
export const FEATURES: ReadonlySet<string> = new Set(['SWITCHYARD', 'GETADDRINFO', 'POLL', 'EPOLL', 'PROMEX']);

/** C strtol(…, 10): leading blanks, an optional sign, digits; where it stopped. */
function strtol(s: string, at: number): { value: number; end: number } {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s.slice(at));
  if (!m) return { value: 0, end: at };
  // HAProxy stores the parts as unsigned ints: a negative number wraps around.
  return { value: Number(m[1]) >>> 0, end: at + m[0].length };
}

/**
 * HAProxy's split_version(): "a[.b[.c[.d]]][-{dev,rc,pre}e][-…][-g]" into
 * [a, b, c, d, tag, e, g] where tag is 1 for dev, 2 for rc/pre and 3 for a release;
 * missing numbers are 0 ("2.6" equals "2.6.0"). Returns null when unparsable.
 */
export function splitVersion(version: string): number[] | null {
  const v = [0, 0, 0, 0, 3, 0, 0];
  if (version === '') return null;
  let p = 0;
  let tagged = false;
  for (let k = 0; k < 4; k++) {
    const r = strtol(version, p);
    v[k] = r.value;
    const stop = version[r.end];
    p = r.end + 1;
    if (stop === undefined) return v;
    if (stop === '-') { tagged = true; break; }
    if (stop !== '.' || k === 3) return null;
  }
  if (!tagged) return null;
  // After the first '-': a tag (dev/rc/pre + number), then an optional "-<commit number>".
  let commitFrom = p;
  if (!/[0-9]/.test(version[p] ?? '')) {
    const tag = /^(dev|rc|pre)/.exec(version.slice(p));
    if (tag) {
      v[4] = tag[1] === 'dev' ? 1 : 2;
      const r = strtol(version, p + tag[1]!.length);
      v[5] = r.value;
      const stop = version[r.end];
      if (stop === undefined) return v;
      if (stop !== '-') return null;
      commitFrom = r.end + 1;
    }
  }
  const rest = version.slice(commitFrom);
  const dash = rest.lastIndexOf('-');
  const commit = dash >= 0 ? rest.slice(dash + 1) : rest;
  if (dash >= 0 && commit === '') return null;
  const r = strtol(commit, 0);
  v[6] = r.end === commit.length ? r.value : 0;
  return v;
}

/**
 * Compares HAProxy-style version strings ("2.6", "2.6.12", "2.5-dev3", "2.4-rc1"):
 * -1, 0 or 1, with HAProxy's split_version() rules (dev < rc = pre < release). An
 * unparsable version sorts before every parsable one, so that, as in HAProxy,
 * `version_atleast(garbage)` is true and `version_before(garbage)` false.
 */
export function compareVersions(a: string, b: string): number {
  const x = splitVersion(a);
  const y = splitVersion(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  }
  return 0;
}
