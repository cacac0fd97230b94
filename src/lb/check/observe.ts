/**
 * Passive health from live traffic (`observe layer4|layer7`): the streams report what
 * they saw on each server connection or response; a server whose check has `observe`
 * counts consecutive errors and applies `on-error` at `error-limit` (monitor.ts).
 * Calls for servers without checks cost one WeakMap lookup.
 *
 * What counts (HAProxy): layer4 — a connection to the server failed (l4-fail) or opened
 * (l4-ok); layer7 also judges responses — 5xx other than 501 and 505, an invalid
 * response, a read timeout or a close before the response is an error (l7-fail), any
 * other response is fine (l7-ok).
 */
import type { Server } from '../core/server.ts';
import { monitorOf, type ObservedEvent } from './monitor.ts';

export type { ObservedEvent } from './monitor.ts';

export function observe(server: Server, event: ObservedEvent, detail?: string): void {
  monitorOf(server)?.observed(event, detail);
}

/** For HTTP streams: the status of a response the server sent. */
export function observeHttpStatus(server: Server, status: number): void {
  const m = monitorOf(server);
  if (!m) return;
  if (status >= 500 && status !== 501 && status !== 505) m.observed('l7-fail', 'Wrong http response');
  else m.observed('l7-ok');
}
