/**
 * Commands about the CLI session itself: `prompt`, `quit`, and `operator` /
 * `user`, which lower the session's level (a level can never be raised).
 * The socket handles prompt and quit's effect on the connection (socket.ts).
 */
import type { CliCommand } from '../types.ts';
import { LEVEL_RANK } from '../types.ts';

export const prompt: CliCommand = {
  words: ['prompt'], usage: 'prompt', help: 'switch interactive mode (a prompt after each answer) on or off',
  run: (_rt, _args, session) => { session.interactive = !session.interactive; return ''; },
};

export const quit: CliCommand = {
  words: ['quit'], usage: 'quit', help: 'disconnect',
  run: () => '',
};

export const operator: CliCommand = {
  words: ['operator'], usage: 'operator', help: 'drop this session to the operator level', level: 'operator',
  run: (_rt, _args, session) => {
    if (LEVEL_RANK[session.level] > LEVEL_RANK.operator) session.level = 'operator';
    return '';
  },
};

export const user: CliCommand = {
  words: ['user'], usage: 'user', help: 'drop this session to the user level',
  run: (_rt, _args, session) => { session.level = 'user'; return ''; },
};
