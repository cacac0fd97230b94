/**
 * Admin actions posted from the statistics page (HAProxy's form: `b` the backend, `s`
 * the servers — repeated —, `action`), applied through the same Backend methods as the
 * runtime API. Actions: ready, drain, maint (HAProxy's), and weight with a `weight`
 * field (Switchyard's addition: absolute 0–256 or N% of the configured weight).
 * The answer is HAProxy's result code for the `;st=` redirect: DONE, PART, NONE, ERRP.
 */
import type { Runtime } from '../core/runtime.ts';
import { applyWeight, findBackend } from '../cli/target.ts';

export type ActionResult = 'DONE' | 'PART' | 'NONE' | 'ERRP';

export function applyAdminForm(rt: Runtime, body: string): ActionResult {
  const form = new URLSearchParams(body);
  const b = form.get('b');
  const action = form.get('action');
  const names = form.getAll('s');
  if (!b || !action) return 'ERRP';
  const be = findBackend(rt, b);
  if (!be) return 'ERRP';
  if (names.length === 0) return 'NONE';
  let done = 0;
  for (const n of names) {
    const s = be.servers.find((x) => x.name === n);
    if (!s) continue;
    if (action === 'ready' || action === 'drain' || action === 'maint') {
      be.setAdmin(s, action);
      done++;
    } else if (action === 'weight') {
      if (applyWeight(be, s, form.get('weight') ?? undefined) === '') done++;
    } else {
      return 'ERRP';
    }
  }
  if (done === 0) return 'NONE';
  return done === names.length ? 'DONE' : 'PART';
}
