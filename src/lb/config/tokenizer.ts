/**
 * Splits one configuration line into words, the way HAProxy's parse_line() does.
 *
 * Rules (HAProxy 2.6, verified against `haproxy -c`):
 *  - words are separated by blanks (space, tab, \v, \f); `#` outside quotes starts a
 *    comment, even mid-word; a CR or LF ends the line;
 *  - double quotes group blanks and enable `$VAR`, `${VAR}`, `${VAR-default}` and
 *    `${VAR[*]}` / `${VAR[*]-default}` (the value, or the default, split on blanks into
 *    several words) expansion; an undefined variable expands to the empty string;
 *    `${.LINE}`, `${.FILE}` and `${.SECTION}` are the current line, file and section
 *    name; variables are NOT expanded outside double quotes; inside double quotes a `$`
 *    must start a valid name (letter, `_` or `.`), else it is an error;
 *  - single quotes are literal (no escapes, no variables); a single quote inside double
 *    quotes is an ordinary character (`"it's"` is `it's`), and the reverse;
 *  - outside single quotes a backslash escapes a space, `#`, `\`, `'`, `"`, and `$`
 *    (the latter only inside double quotes); `\r \n \t \xHH` produce CR, LF, TAB and
 *    a byte; any other `\c` (including `\$` outside double quotes) stays as typed;
 *  - adjacent quoted and unquoted parts join into one word (`"a"'b'c` is `abc`);
 *  - an empty quoted string is a word, except at the end of the line, where an empty
 *    last word is dropped (`bind :80 ""` is two words; `"" x` starts with an empty word).
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

/** Where the line comes from, for the `${.LINE}`, `${.FILE}` and `${.SECTION}` pseudo-variables. */
export interface LineInfo {
  file?: string;
  line?: number;
  section?: string;
}

const BLANK = /[ \t\v\f]/;

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /[ \t\n\v\f\r]/.test(c);
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

export function tokenize(line: string, env: NodeJS.ProcessEnv = process.env, info: LineInfo = {}): Tokenized {
  const words: string[] = [];
  let cur = '';
  let quote: '"' | "'" | '' = '';
  let quoteStart = 0;
  const n = line.length;
  let i = 0;
  // HAProxy skips leading blanks before it splits the line.
  while (i < n && BLANK.test(line[i]!)) i++;
  while (i < n) {
    const c = line[i]!;
    // CR or LF ends the line wherever it appears, even inside quotes.
    if (c === '\r' || c === '\n') break;
    if (quote === "'") {
      if (c === "'") quote = '';
      else cur += c;
      i++;
      continue;
    }
    if (quote === '' && BLANK.test(c)) {
      // A run of blanks ends the word, even an empty one ("" then a blank is a word).
      words.push(cur);
      cur = '';
      while (i < n && BLANK.test(line[i]!)) i++;
      continue;
    }
    if (quote === '' && c === '#') break;
    if (c === '\\') {
      const d = line[i + 1];
      if (d === ' ' || d === '\\' || d === '#' || d === "'" || d === '"' || (d === '$' && quote === '"')) {
        cur += d;
        i += 2;
        continue;
      }
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
      // Not an escape sequence (a tab, `\$` outside double quotes, `\q`, end of line…).
      cur += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (quote === '"') quote = '';
      else { quote = '"'; quoteStart = i; }
      i++;
      continue;
    }
    if (c === "'" && quote === '') {
      quote = "'";
      quoteStart = i;
      i++;
      continue;
    }
    if (c === '$' && quote === '"') {
      const r = expandVar(line, i, env, info);
      if (r.split) {
        // "${VAR[*]}": every run of blanks in the value ends a word, as in parse_line.
        for (let k = 0; k < r.value.length;) {
          if (isSpace(r.value[k])) {
            words.push(cur);
            cur = '';
            while (isSpace(r.value[k])) k++;
          } else {
            cur += r.value[k++];
          }
        }
      } else {
        cur += r.value;
      }
      i = r.next;
      continue;
    }
    cur += c;
    i++;
  }
  if (quote !== '') throw new TokenizeError('unmatched quote', quoteStart + 1);
  // parse_line never counts an empty last word (trailing blanks, `x ""`, an unset "${V}").
  if (cur !== '') words.push(cur);
  return { words };
}

interface Expansion { value: string; next: number; split: boolean }

/**
 * Expands the variable reference starting at line[at] === '$' inside double quotes:
 * `$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}`, `${NAME[*]-default}`, in that
 * order of parts, as HAProxy's parse_line reads them.
 */
function expandVar(line: string, at: number, env: NodeJS.ProcessEnv, info: LineInfo): Expansion {
  let j = at + 1;
  const brace = line[j] === '{' ? j++ : -1;
  const first = line[j];
  if (first === undefined || !/[A-Za-z_.]/.test(first)) {
    throw new TokenizeError('forbidden first char in environment variable name', j + 1);
  }
  const nameStart = j;
  if (line[j] === '.') j++;
  while (isNameChar(line[j])) j++;
  const name = line.slice(nameStart, j);
  let value: string | undefined;
  if (name.startsWith('.')) {
    if (name === '.LINE') value = String(info.line ?? 0);
    else if (name === '.FILE') value = info.file ?? '';
    else if (name === '.SECTION') value = info.section ?? '';
    else throw new TokenizeError('forbidden first char in environment variable name', nameStart + 1);
  } else {
    value = env[name];
  }
  let split = false;
  if (brace >= 0 && line[j] === '[') {
    if (line[j + 1] !== '*' || line[j + 2] !== ']') throw new TokenizeError('truncated or invalid word expansion sequence', j + 1);
    split = true;
    j += 3;
  }
  if (brace >= 0) {
    if (line[j] === '-') {
      const close = line.indexOf('}', j);
      if (close < 0) throw new TokenizeError('unmatched brace in environment variable name', brace + 1);
      if (value === undefined) value = line.slice(j + 1, close);
      j = close;
    } else if (line[j] !== '}') {
      throw new TokenizeError('unmatched brace in environment variable name', brace + 1);
    }
    j++;
  }
  return { value: value ?? '', next: j, split };
}
