/**
 * Capture slots of a frontend (HAProxy 2.6): `capture request header NAME len N`,
 * `capture response header NAME len N`, `declare capture request|response len N`, and
 * the slots `http-request capture SAMPLE len N` / `tcp-request content capture` add.
 * Request and response slots are two lists numbered from 0 in declaration order; the
 * access log prints them in that order (`%hr` = `{v0|v1…}`, `%hs` likewise). Header
 * slots fill themselves from the head (the last occurrence wins, cut to N bytes);
 * declared slots are filled by `http-request|http-response capture … id N`.
 * Frontend and listen only: elsewhere `capture` is ignored with a warning and
 * `declare` is an error, as HAProxy does.
 */
import type { ParseContext } from '../context.ts';
import type { CaptureSlot, ProxyConfig } from '../types.ts';
import { parseUint } from '../units.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Adds a slot and returns its id. */
export function addCaptureSlot(p: ProxyConfig, side: 'request' | 'response', header: string | null, len: number): number {
  const list = side === 'request' ? p.captures.request : p.captures.response;
  const slot: CaptureSlot = { header: header === null ? null : header.toLowerCase(), len };
  list.push(slot);
  return list.length - 1;
}

function length(ctx: ParseContext, kw: string, words: string[], i: number): number | null {
  if (words[i] !== 'len') { ctx.alert('SY_ERR_CFG_ARG', `'${kw}' expects 'len' <length>${words[i] ? `, not '${words[i]}'` : ''}.`); return null; }
  const n = parseUint(words[i + 1], 1, 65535);
  if (!n.ok) { ctx.alert('SY_ERR_CFG_ARG', `'${kw} len' ${n.reason} (1 to 65535).`); return null; }
  if (words.length > i + 2) { ctx.alert('SY_ERR_CFG_ARG', `'${kw}' : unexpected argument '${words[i + 2]}'.`); return null; }
  return n.value;
}

/** `capture request|response header NAME len N` (`capture cookie` is not implemented yet). */
export function parseCapture(ctx: ParseContext, p: ProxyConfig, args: string[]): void {
  const what = args[1];
  if (what === 'cookie') return ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'capture cookie' is not implemented yet in Switchyard; supported: 'capture request|response header NAME len N'.`);
  if ((what !== 'request' && what !== 'response') || args[2] !== 'header') {
    return ctx.alert('SY_ERR_CFG_ARG', `'capture' expects 'request header <name> len <length>', 'response header <name> len <length>' or 'cookie'.`);
  }
  const name = args[3];
  if (!name || !TOKEN.test(name)) return ctx.alert('SY_ERR_CFG_ARG', `'capture ${what} header' expects a header field name.`);
  if (!p.cap.frontend) return ctx.warning(`'capture' ignored because ${p.kind} '${p.name}' has no frontend capability.`);
  const len = length(ctx, `capture ${what} header ${name}`, args, 4);
  if (len !== null) addCaptureSlot(p, what, name, len);
}

/** `declare capture request|response len N`. */
export function parseDeclare(ctx: ParseContext, p: ProxyConfig, args: string[]): void {
  if (args[1] !== 'capture') return ctx.alert('SY_ERR_CFG_ARG', `'declare' expects 'capture'${args[1] ? `, not '${args[1]}'` : ''}.`);
  if (!p.cap.frontend) return ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `'declare capture' is only allowed in frontend or listen sections.`);
  const side = args[2];
  if (side !== 'request' && side !== 'response') return ctx.alert('SY_ERR_CFG_ARG', `'declare capture' expects 'request' or 'response'${side ? `, not '${side}'` : ''}.`);
  const len = length(ctx, `declare capture ${side}`, args, 3);
  if (len !== null) addCaptureSlot(p, side, null, len);
}

/**
 * After parsing: `http-request|http-response capture … id N` in a frontend must name a
 * slot it has (declared anywhere in the section, as HAProxy checks at the end). In a
 * backend the slot is the frontend's of each request, and a missing one captures nothing.
 */
export function checkCaptureIds(ctx: ParseContext, p: ProxyConfig): void {
  if (!p.cap.frontend) return;
  for (const [rules, side] of [[p.httpRequestRules, 'request'], [p.httpResponseRules, 'response']] as const) {
    const slots = side === 'request' ? p.captures.request : p.captures.response;
    for (const r of rules) {
      const a = r.action;
      if (a.kind !== 'capture' || a.len >= 0 || a.slot < slots.length) continue;
      ctx.alert('SY_ERR_CFG_REFERENCE', `'http-${side} capture … id ${a.slot}' : ${p.kind} '${p.name}' has no ${side} capture slot ${a.slot} (${slots.length} declared with 'capture ${side} header' / 'declare capture ${side}').`, r.where);
    }
  }
}
