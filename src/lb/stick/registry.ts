/**
 * Stick tables of the running configuration, by name (one per proxy, named after it).
 * Tables are created while the configuration is parsed; parsing a new configuration in
 * the same process replaces a table of the same name. Rules and fetches resolve their
 * table by name at run time through `stickTable()`, so a rule may name a table declared
 * in a later section.
 */
import { StickTable } from './table.ts';
import type { StickTableConfig } from './types.ts';

const TABLES = new Map<string, StickTable>();

export function defineStickTable(cfg: StickTableConfig, clock?: () => number): StickTable {
  TABLES.get(cfg.name)?.close();
  const t = new StickTable(cfg, clock);
  TABLES.set(cfg.name, t);
  return t;
}

export function stickTable(name: string): StickTable | null {
  return TABLES.get(name) ?? null;
}

export function stickTables(): IterableIterator<StickTable> {
  return TABLES.values();
}
