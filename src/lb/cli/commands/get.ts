/** `get weight <bk>/<srv>`: the weight set now and the configured one. */
import type { CliCommand } from '../types.ts';
import { findServer } from '../target.ts';

export const getWeight: CliCommand = {
  words: ['get', 'weight'], usage: 'get weight <bk>/<srv>', help: "a server's weight now and as configured",
  run(rt, args) {
    const t = findServer(rt, args[0]);
    if (!t.ok) return t.error;
    return `${t.s.userWeight} (initial ${t.s.cfg.weight})\n`;
  },
};
