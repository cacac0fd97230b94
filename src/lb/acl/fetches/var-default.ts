/**
 * The default of `var(name,default)`: HAProxy 2.6 parses it as a typed literal (an
 * integer when it reads as one, else a string).
 */
import type { Sample } from '../types.ts';

export function compileVarDefault(text: string): Sample {
  return /^[-+]?[0-9]+$/.test(text) ? { type: 'sint', v: Number(text) } : { type: 'str', v: text };
}
