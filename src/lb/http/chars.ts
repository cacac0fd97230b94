/**
 * Byte classes of RFC 9110 §5.6 as lookup tables (one array read per byte, no regex on
 * the hot path).
 */
function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** tchar: token characters (method names, field names, transfer-codings). */
export const TCHAR = table((c) => isAlnum(c) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)));

/** Bytes allowed inside a field value: VCHAR, obs-text, SP, HTAB. */
export const FIELD_VCHAR = table((c) => (c >= 0x21 && c <= 0x7e) || c >= 0x80 || c === 0x20 || c === 0x09);

/** Bytes allowed in a request-target: visible ASCII except '#' (fragments are never sent). */
export const TARGET_CHAR = table((c) => c >= 0x21 && c <= 0x7e && c !== 0x23);

/** Bytes allowed in a status line's reason phrase: HTAB, SP, VCHAR, obs-text. */
export const REASON_CHAR = FIELD_VCHAR;

export const HEX_VALUE = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0x30; c <= 0x39; c++) t[c] = c - 0x30;
  for (let c = 0x41; c <= 0x46; c++) t[c] = c - 0x41 + 10;
  for (let c = 0x61; c <= 0x66; c++) t[c] = c - 0x61 + 10;
  return t;
})();

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
