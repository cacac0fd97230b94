/**
 * Health-check options of `server` / `default-server` lines (`check`, `inter`, `rise`, …).
 * What they mean at run time: src/lb/check. Until an option is in this table it stays
 * refused as "not implemented" (unsupported.ts).
 */
import type { ServerOption } from './server-option.ts';

export const CHECK_SERVER_OPTIONS: Readonly<Record<string, ServerOption>> = {};
