/**
 * JSON strings for log lines (RFC 8259 §7). Values reach the log as "byte strings": the
 * HTTP layer decodes wire bytes as latin1, one character per byte. A JSON consumer wants
 * text, so a byte string that is valid UTF-8 is decoded first (a path written in UTF-8
 * logs as the same characters); one that is not keeps one character per byte (U+0080–
 * U+00FF), which is still valid JSON and loses nothing. Quotes, backslashes and control
 * characters are escaped (JSON.stringify does exactly RFC 8259's escaping, and writes
 * lone surrogates as \uXXXX so the line stays valid UTF-8).
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `v` as a quoted, escaped JSON string. */
export function jsonString(v: string): string {
  return JSON.stringify(asText(v));
}

function asText(v: string): string {
  let high = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0xff) return v; // already Unicode text, not a byte string
    if (c >= 0x80) high = true;
  }
  if (!high) return v;
  try {
    return utf8.decode(Buffer.from(v, 'latin1'));
  } catch {
    return v;
  }
}
