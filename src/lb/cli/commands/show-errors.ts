/**
 * `show errors [<iid>|<proxy>] [request|response]` (operator): the last invalid request
 * and response each proxy refused (core/error-capture.ts), in HAProxy 2.6's layout:
 *
 *   Total events captured on [date] : N
 *   (then, per capture, a line holding one space, and:)
 *   [date] frontend fe (#2): invalid request
 *     backend <NONE> (#-1), server <NONE> (#-1), event #0, src 127.0.0.1:48150
 *     buffer starts at 0 (including 0 out), 16212 free,
 *     len 172, wraps at 16384, error at position 28
 *     H1 parser error: space-before-colon :
 *   (a line holding two spaces, then the bytes, one input line per output line)
 *
 * HAProxy's three lines of internal H1 flags and states are replaced by the one line
 * naming our parser's reason; the buffer figures are those of a plain buffer of
 * tune.bufsize. Proxies are listed in configuration order, as HAProxy does; `-1` or no
 * argument means all of them.
 *
 * The dump: each line starts with the offset of its first byte (5 digits) and a space,
 * or '+' when it continues a longer input line; bytes are printed as they are when
 * printable ASCII, as \t \n \r \e \\ for those, else as \xNN; an output line stops
 * after an input line feed or before going past 79 columns.
 */
import type { CliCommand } from '../types.ts';
import type { ProxyConfig } from '../../config/types.ts';
import { capturedEvents, capturesOf, type ErrorCapture } from '../../core/error-capture.ts';
import { BUFSIZE } from '../../core/fast-io.ts';
import { logDateMs } from '../../log/dates.ts';

const WIDTH = 79;
const ESCAPES: Readonly<Record<number, string>> = { 9: '\\t', 10: '\\n', 13: '\\r', 27: '\\e', 92: '\\\\' };

/** Dumps `buf` as HAProxy prints captured messages. */
export function dumpText(buf: Buffer): string {
  let out = '';
  let pos = 0;
  let lineStart = 0;
  while (pos < buf.length) {
    let line = `  ${String(pos).padStart(5, '0')}${pos === lineStart ? ' ' : '+'} `;
    while (pos < buf.length) {
      const c = buf[pos]!;
      const text = ESCAPES[c] ?? (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`);
      if (line.length + text.length > WIDTH) break;
      line += text;
      pos++;
      if (c === 10) { lineStart = pos; break; }
    }
    out += `${line}\n`;
  }
  return out;
}

function entry(px: ProxyConfig, e: ErrorCapture): string {
  const side = e.dir === 'request' ? 'frontend' : 'backend';
  const other = e.dir === 'request' ? 'backend' : 'frontend';
  const o = e.other ? `${e.other.name} (#${e.other.id})` : '<NONE> (#-1)';
  const srv = e.server ? `${e.server.name} (#${e.server.id})` : '<NONE> (#-1)';
  return ' \n' +
    `[${logDateMs(e.when)}] ${side} ${px.name} (#${px.id}): invalid ${e.dir}\n` +
    `  ${other} ${o}, server ${srv}, event #${e.event}, src ${e.src}\n` +
    `  buffer starts at 0 (including 0 out), ${Math.max(0, BUFSIZE - e.len)} free,\n` +
    `  len ${e.len}, wraps at ${BUFSIZE}, error at position ${e.at}\n` +
    `  H1 parser error: ${e.reason} :\n` +
    '  \n' +
    dumpText(e.bytes);
}

export const showErrors: CliCommand = {
  words: ['show', 'errors'], usage: 'show errors [<px>] [request|response]', help: 'report last request and/or response errors for each proxy', level: 'operator',
  run(rt, args) {
    let proxies = rt.config.proxies;
    const sel = args[0];
    if (sel !== undefined && sel !== '-1') {
      const byId = /^\d+$/.test(sel) ? proxies.filter((p) => p.id === Number(sel)) : proxies.filter((p) => p.name === sel);
      if (byId.length === 0) return 'No such proxy.\n';
      proxies = byId;
    }
    // The direction is the second word only (HAProxy reads the first as a proxy, always).
    const dirWord = args[1];
    let out = `Total events captured on [${logDateMs(Date.now())}] : ${capturedEvents()}\n`;
    for (const px of proxies) {
      const c = capturesOf(px);
      if (c.request && dirWord !== 'response') out += entry(px, c.request);
      if (c.response && dirWord !== 'request') out += entry(px, c.response);
    }
    return out;
  },
};
