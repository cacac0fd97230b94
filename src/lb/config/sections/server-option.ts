/**
 * The shape of one `server` / `default-server` option (HAProxy's srv_kw). Each option
 * module exports a table of these; sections/server.ts merges the tables and walks the
 * words of a line through them.
 */
import type { ParseContext } from '../context.ts';
import type { ServerDefaults } from '../types.ts';

export interface ServerOption {
  /** Argument words after the keyword (HAProxy options take 0 or 1). */
  readonly args: 0 | 1;
  /** False for options HAProxy refuses on `default-server` lines (e.g. `id`). */
  readonly inDefaults: boolean;
  /**
   * Stores the option into `into`. `value` is the argument (undefined when args is 0, ''
   * when missing). `what` names the line for messages ("server be/s1"). Returns false
   * after reporting an error.
   */
  apply(ctx: ParseContext, into: ServerDefaults, value: string | undefined, what: string): boolean;
}
