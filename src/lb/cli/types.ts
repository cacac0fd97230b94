/**
 * The contract of a runtime API command (HAProxy's CLI keyword): the words that name it,
 * its usage and help line, the least level allowed to run it, and run(), which returns
 * the whole answer text (the session adds the empty line that ends every answer).
 * A command that needs more than the session's level answers "Permission denied."
 * before run() is called, as HAProxy does.
 */
import type { Runtime } from '../core/runtime.ts';

export type Level = 'user' | 'operator' | 'admin';

export const LEVEL_RANK: Readonly<Record<Level, number>> = { user: 0, operator: 1, admin: 2 };

/** Per-connection state a command may read or change. */
export interface CliSession {
  level: Level;
  interactive: boolean;
}

export interface CliCommand {
  readonly words: readonly string[];
  readonly usage: string;
  readonly help: string;
  /** Least level allowed (default user). */
  readonly level?: Level;
  run(rt: Runtime, args: string[], session: CliSession): string | BareAnswer;
}

/**
 * An answer written as is, without the empty line that normally ends one: HAProxy 2.6
 * answers a few commands that way (`del server`, the early errors of `add server`, some
 * `set server` errors), and scripts that read up to the empty line depend on it.
 */
export interface BareAnswer {
  readonly bare: string;
}

export function bare(text: string): BareAnswer {
  return { bare: text };
}

export const PERMISSION_DENIED = 'Permission denied\n';
