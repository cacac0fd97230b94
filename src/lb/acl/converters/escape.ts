/**
 * Escaping converters: json, url_dec, url_enc — byte-exact with HAProxy 2.6 (checked by
 * the oracle test, including every json input mode on invalid UTF-8).
 */
import { defineConverter } from '../registry.ts';
import type { Sample } from '../types.ts';
import { SampleError } from '../types.ts';
import { intArg } from '../args.ts';

const asStr = (s: Sample): string => (s as Extract<Sample, { type: 'str' }>).v;
const str = (v: string): Sample => ({ type: 'str', v });

defineConverter({
  name: 'json', minArgs: 0, maxArgs: 1, in: 'str', out: 'str',
  compile: (args) => {
    const mode = args[0] || 'ascii';
    if (!['ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps'].includes(mode)) {
      throw new SampleError(`'json' : unexpected input code type '${mode}'. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'`);
    }
    const utf8 = mode !== 'ascii';
    const skip = mode.endsWith('s');
    const permissive = mode.startsWith('utf8p');
    return (s) => { const v = jsonEscape(asStr(s), utf8, skip, permissive); return v === null ? null : str(v); };
  },
});

function escapeCode(c: number): string {
  switch (c) {
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
    case 0x2f: return '\\/';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
  }
  return c < 0x20 || c >= 0x7f ? '\\u' + c.toString(16).padStart(4, '0') : String.fromCharCode(c);
}

/**
 * HAProxy's json converter (checked byte by byte against 2.6): ", \\, / and controls are
 * escaped, every code >= 0x7f becomes \\uXXXX. In ascii mode each byte is a code; in utf8
 * modes sequences of 2 or 3 bytes are decoded (4-byte sequences and surrogates are
 * invalid, overlong forms are invalid unless permissive 'p'); an invalid sequence makes
 * the sample fail, or is dropped whole with 's'.
 */
function jsonEscape(v: string, utf8: boolean, skip: boolean, permissive: boolean): string | null {
  let out = '';
  for (let i = 0; i < v.length; ) {
    const c = v.charCodeAt(i);
    if (!utf8 || c < 0x80) { out += escapeCode(c); i++; continue; }
    const need = c >= 0xc0 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf8 ? 3 : 0;
    let n = 0;
    let cp = need === 1 ? c & 0x1f : need === 2 ? c & 0x0f : c & 0x07;
    while (n < need && i + 1 + n < v.length && (v.charCodeAt(i + 1 + n) & 0xc0) === 0x80) {
      cp = (cp << 6) | (v.charCodeAt(i + 1 + n) & 0x3f);
      n++;
    }
    let ok = need > 0 && need < 3 && n === need && !(cp >= 0xd800 && cp <= 0xdfff);
    if (ok && !permissive && ((need === 1 && cp < 0x80) || (need === 2 && cp < 0x800))) ok = false;
    if (!ok) {
      if (!skip) return null;
      i += 1 + n;
      continue;
    }
    out += escapeCode(cp);
    i += 1 + n;
  }
  return out;
}

/** HAProxy's url_decode: %XX decoded; '+' becomes a space after the first '?', or everywhere in form mode. */
export function urlDecode(v: string, inForm: boolean): string | null {
  let out = '';
  let form = inForm;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '?' && !form) { form = true; out += c; continue; }
    if (c === '+' && form) { out += ' '; continue; }
    if (c === '%') {
      const h = v.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
      out += String.fromCharCode(parseInt(h, 16));
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

defineConverter({
  name: 'url_dec', minArgs: 0, maxArgs: 1, in: 'str', out: 'str',
  compile: (args) => {
    const form = args[0] !== undefined && args[0] !== '' && intArg('url_dec', args[0]) !== 0;
    return (s) => { const v = urlDecode(asStr(s), form); return v === null ? null : str(v); };
  },
});

/** Bytes url_enc(query) keeps as they are: RFC 3986 unreserved (checked against HAProxy 2.6). */
const QUERY_SAFE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') QUERY_SAFE[c.charCodeAt(0)] = 1;

defineConverter({
  name: 'url_enc', minArgs: 0, maxArgs: 1, in: 'str', out: 'str',
  compile: (args) => {
    if (args[0] !== undefined && args[0] !== 'query') throw new SampleError(`'url_enc' : unexpected encoding type '${args[0]}', only 'query' is supported`);
    return (s) => {
      const v = asStr(s);
      let out = '';
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i) & 0xff;
        out += QUERY_SAFE[c] ? v[i] : '%' + c.toString(16).toUpperCase().padStart(2, '0');
      }
      return str(out);
    };
  },
});

