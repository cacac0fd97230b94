/** Small checks shared by node kinds' `resolveOptions` (each reports and returns a default). */
import type { OptionCtx } from './types.ts';

export function optPort(raw: Record<string, unknown>, key: string, def: number, ctx: OptionCtx): number {
  const v = raw[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    ctx.error('SY_ERR_LAB_FIELD', [key], `'${key}' of node ${ctx.nodeName} must be a TCP port (1 to 65535), not ${JSON.stringify(v)}`);
    return def;
  }
  return v;
}

export function optInt(raw: Record<string, unknown>, key: string, def: number, min: number, max: number, ctx: OptionCtx, path: (string | number)[] = [key]): number {
  const v = raw[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    ctx.error('SY_ERR_LAB_FIELD', path, `'${key}' of node ${ctx.nodeName} must be an integer within ${min} and ${max}, not ${JSON.stringify(v)}`);
    return def;
  }
  return v;
}

export function optString(raw: Record<string, unknown>, key: string, ctx: OptionCtx, path: (string | number)[] = [key]): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') {
    ctx.error('SY_ERR_LAB_FIELD', path, `'${key}' of node ${ctx.nodeName} must be a non-empty string`);
    return undefined;
  }
  return v;
}
