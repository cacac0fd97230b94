/**
 * Finding the object a command names, with HAProxy's answers when it does not exist:
 * `<backend>/<server>` → "Require 'backend/server'.", "No such backend.", "No such server.".
 */
import type { Runtime } from '../core/runtime.ts';
import type { Backend } from '../core/backend.ts';
import type { Server } from '../core/server.ts';

export type Found = { ok: true; be: Backend; s: Server } | { ok: false; error: string };

export function findServer(rt: Runtime, ref: string | undefined): Found {
  const slash = ref?.indexOf('/') ?? -1;
  if (ref === undefined || slash < 0) return { ok: false, error: `Require 'backend/server'.\n` };
  const be = findBackend(rt, ref.slice(0, slash));
  if (!be) return { ok: false, error: 'No such backend.\n' };
  const name = ref.slice(slash + 1);
  const s = be.servers.find((x) => x.name === name || (name.startsWith('#') && String(x.id) === name.slice(1)));
  if (!s) return { ok: false, error: 'No such server.\n' };
  return { ok: true, be, s };
}

/** A backend by name, or by `#<id>` as HAProxy also accepts. */
export function findBackend(rt: Runtime, name: string): Backend | undefined {
  if (name.startsWith('#')) {
    for (const be of rt.backends.values()) if (String(be.cfg.id) === name.slice(1)) return be;
    return undefined;
  }
  return rt.backends.get(name);
}

/**
 * Applies `N` (absolute, 0–256) or `N%` (of the configured weight) to a server, with
 * HAProxy's messages; '' on success.
 */
export function applyWeight(be: Backend, s: Server, text: string | undefined): string {
  if (text === undefined || text === '') return 'Require <weight> or <weight%>.\n';
  const m = /^(-?\d+)(%?)$/.exec(text);
  if (!m) return 'Empty weight string empty or preceded by garbage';
  const n = Number(m[1]);
  let w: number;
  if (m[2] === '%') {
    if (n < 0) return 'Relative weight must be positive.\n';
    w = Math.min(256, Math.floor((s.cfg.weight * n) / 100));
  } else {
    if (n < 0 || n > 256) return 'Absolute weight can only be between 0 and 256 inclusive.\n';
    w = n;
  }
  const refused = be.weightChangeError(s, w);
  if (refused) return `${refused}\n`;
  be.setWeight(s, w);
  return '';
}
