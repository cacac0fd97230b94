/**
 * Splits one configuration line into words, the way HAProxy's parse_line() does.
 *
 * Rules (HAProxy 2.6, verified against `haproxy -c`):
 *  - words are separated by blanks; `#` outside quotes starts a comment, even mid-word;
 *  - double quotes group blanks and enable `$VAR`, `${VAR}`, `${VAR-default}` and
 *    `${VAR[*]}` (split into several words) expansion; an undefined variable expands
 *    to the empty string; variables are NOT expanded outside double quotes;
 *  - single quotes are literal (no escapes, no variables);
 *  - outside single quotes a backslash escapes blank, `#`, `\`, `'`, `"`, `$`, and
 *    `\r \n \t \xHH` produce CR, LF, TAB and a byte; any other `\c` stays as typed;
 *  - adjacent quoted and unquoted parts join into one word (`"a"'b'c` is `abc`);
 *  - an empty quoted string is still a word.
 * Errors carry the column (1-based) so the caller can point at it.
 */

export interface Tokenized {
  words: string[];
}

export class TokenizeError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.column = column;
  }
}

const ESCAPABLE = new Set([' ', '\t', '#', '\\', "'", '"', '$']);

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isVarChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

export function tokenize(line: string, env: NodeJS.ProcessEnv = process.env): Tokenized {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | '' = '';
  let quoteStart = 0;
  let i = 0;
  const n = line.length;
  const endWord = (): void => {
    if (inWord) words.push(cur);
    cur = '';
    inWord = false;
  };
  while (i < n) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = '';
      else cur += c;
      i++;
      continue;
    }
    if (quote === '' && isBlank(c)) {
      endWord();
      i++;
      continue;
    }
    if (quote === '' && c === '#') break;
    if (c === '\\') {
      const d = line[i + 1];
      if (d === undefined) {
        cur += c;
        inWord = true;
        i++;
        continue;
      }
      inWord = true;
      if (ESCAPABLE.has(d)) { cur += d; i += 2; continue; }
      if (d === 'r') { cur += '\r'; i += 2; continue; }
      if (d === 'n') { cur += '\n'; i += 2; continue; }
      if (d === 't') { cur += '\t'; i += 2; continue; }
      if (d === 'x') {
        const hex = line.slice(i + 2, i + 4);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new TokenizeError('truncated or invalid hexadecimal sequence', i + 1);
        cur += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        continue;
      }
      cur += c;
      i++;
      continue;
    }
    if (c === '"') {
      inWord = true;
      if (quote === '"') quote = '';
      else { quote = '"'; quoteStart = i; }
      i++;
      continue;
    }
    if (c === "'" && quote === '') {
      inWord = true;
      quote = "'";
      quoteStart = i;
      i++;
      continue;
    }
    if (c === '$' && quote === '"') {
      const r = expandVar(line, i, env);
      if (r) {
        if (r.split) {
          // "${VAR[*]}" splits the value on blanks into separate words.
          const parts = r.value.split(/[ \t]+/).filter((p) => p !== '');
          parts.forEach((p, k) => {
            if (k > 0) { words.push(cur); cur = ''; }
            cur += p;
          });
        } else {
          cur += r.value;
        }
        inWord = true;
        i = r.next;
        continue;
      }
    }
    cur += c;
    inWord = true;
    i++;
  }
  if (quote !== '') throw new TokenizeError('unmatched quote', quoteStart + 1);
  endWord();
  return { words };
}

interface Expansion { value: string; next: number; split: boolean }

/** Expands the variable reference starting at line[at] === '$', or returns null if none. */
function expandVar(line: string, at: number, env: NodeJS.ProcessEnv): Expansion | null {
  if (line[at + 1] === '{') {
    const close = line.indexOf('}', at + 2);
    if (close < 0) throw new TokenizeError('unmatched brace in environment variable name', at + 2);
    let body = line.slice(at + 2, close);
    let split = false;
    if (body.endsWith('[*]')) { split = true; body = body.slice(0, -3); }
    let name = body;
    let dflt: string | undefined;
    const dash = body.indexOf('-');
    if (dash >= 0) { name = body.slice(0, dash); dflt = body.slice(dash + 1); }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TokenizeError(`invalid environment variable name '${name}'`, at + 3);
    }
    const v = env[name];
    const value = v !== undefined ? v : (dflt ?? '');
    return { value, next: close + 1, split };
  }
  if (!isVarChar(line[at + 1]) || /[0-9]/.test(line[at + 1]!)) return null;
  let j = at + 1;
  while (isVarChar(line[j])) j++;
  const name = line.slice(at + 1, j);
  return { value: env[name] ?? '', next: j, split: false };
}
