/**
 * Server persistence through stick tables: what a backend's `stick` rules (rules.ts) do
 * to one request (HTTP) or one session (TCP), with HAProxy 2.6's semantics.
 *
 * When the server is about to be chosen — after `use-server` and the persistence
 * cookie, which win when they chose (HAProxy's SF_ASSIGNED) — the request-side rules
 * run in order:
 *  - a match rule whose key has an entry naming (server_id) a server of the backend
 *    that is not stopped (up, or draining; down/maintenance only with `option persist`
 *    or a holding `force-persist`) sends the request there, unless an earlier rule
 *    already chose; the entry is touched (its expiry pushed back) either way;
 *  - a store rule remembers (table, key); only the first store rule per table counts,
 *    and a later `stick on` for a table already stored is skipped as a whole.
 * Nothing is written yet. When the response head arrives (HTTP) or the server connection
 * is established (TCP) — so after any redispatch — the store-response rules add their
 * keys (again one per table, next to a store-request one) and every remembered entry is
 * created if missing and given the server_id of the server that answered. A request
 * that never reaches a server records nothing. A key that cannot be read, or cannot be
 * cast to the table's type, is skipped.
 */
import type { HttpResponseView, SampleContext } from '../acl/index.ts';
import type { Assignment, Backend } from '../core/backend.ts';
import type { Server } from '../core/server.ts';
import type { Waiter } from '../core/queue.ts';
import type { StickRule } from './rules.ts';
import type { StickTable } from './table.ts';
import { stickTable } from './registry.ts';
import { stickKey } from './keys.ts';

/** A sample context whose response view the caller lets us set for store-response keys. */
export type StickContext = SampleContext & { res: HttpResponseView | null };

interface Store { table: StickTable; key: string }

/** The entries one request will record its server in (HAProxy's per-stream store list). */
export class StickStores {
  private readonly req: Store[] = [];
  private readonly rules: readonly StickRule[];

  constructor(rules: readonly StickRule[]) { this.rules = rules; }

  /** A store-request rule matched. */
  add(table: StickTable, key: string): void { this.req.push({ table, key }); }

  hasRequestStore(table: string): boolean { return this.req.some((s) => s.table.name === table); }

  /**
   * The server answered: store-response keys are read (with `res()` as the response the
   * fetches see), then every entry gets the server's id.
   */
  commit(server: Server, sc: StickContext | null, res: (() => HttpResponseView) | null): void {
    const resp: Store[] = [];
    if (sc !== null && this.rules.some((r) => r.onResponse)) {
      const prev = sc.res;
      if (res) sc.res = res();
      for (const r of this.rules) {
        if (!r.onResponse || resp.some((s) => s.table.name === r.table)) continue;
        const k = ruleKey(r, sc);
        if (k) resp.push(k);
      }
      sc.res = prev;
    }
    for (const s of [...this.req, ...resp]) {
      const e = s.table.getOrCreate(s.key);
      if (!e) continue; // full, nopurge
      s.table.set(e, 'server_id', server.id);
      s.table.serverKeys?.set(server.id, server.name);
    }
  }
}

/** The rule's table and the key it reads, or null (no table, no condition, no key). */
function ruleKey(r: StickRule, sc: SampleContext): Store | null {
  if (r.cond !== null && !r.cond.test(sc)) return null;
  const table = stickTable(r.table);
  if (!table) return null;
  const s = r.expr.eval(sc);
  const key = s === null ? null : stickKey(s, table.cfg.type, table.cfg.keyLen);
  return key === null ? null : { table, key };
}

/** Not stopped, in HAProxy's terms: up (ready or draining), not in maintenance. */
function running(s: Server): boolean {
  return s.health === 'up' && s.admin !== 'maint';
}

/**
 * Runs the request-side stick rules of `be` for a new request. `a` is the assignment
 * use-server or the cookie made (null: none). Returns the store list to commit later
 * (null when the backend has no stick rules) and the assignment, a direct one when a
 * match names a server that can take the request.
 */
export function stickDispatch(be: Backend, sc: SampleContext | null, waiter: Waiter, a: Assignment | null): { stick: StickStores | null; a: Assignment | null } {
  const rules = be.cfg.stickRules;
  if (rules.length === 0 || sc === null) return { stick: null, a };
  const stores = new StickStores(rules);
  let target: Server | null = null;
  let force = false;
  for (const r of rules) {
    if (r.onResponse) continue;
    if (r.store && stores.hasRequestStore(r.table)) continue;
    const k = ruleKey(r, sc);
    if (k === null) continue;
    if (r.match) {
      const e = k.table.lookup(k.key);
      if (e) {
        if (a === null && target === null) {
          const id = k.table.read(e, 'server_id');
          const srv = id ? be.servers.find((s) => s.id === id) : undefined;
          if (srv) {
            force = be.cfg.persistRules.find((p) => p.cond.test(sc))?.kind === 'force';
            if (running(srv) || be.cfg.options.persist || force) target = srv;
          }
        }
        k.table.touch(e);
      }
    }
    if (r.store) stores.add(k.table, k.key);
  }
  if (target !== null) a = be.assignDirect(target, waiter, force);
  return { stick: stores, a };
}
