/**
 * tokenize() against HAProxy 2.6's parse_line(). Every expectation below was checked
 * with `haproxy -c` (haproxy 2.6.12) by printing the words with `.notice` and counting
 * them with its "Unexpected argument" error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize, TokenizeError } from './tokenizer.ts';

const ENV: NodeJS.ProcessEnv = { HOME: '/root', X: 'p  q', LEAD: ' a', TRAIL: 'a ', EMPTY: '', PORT: '8443' };
const words = (line: string, env: NodeJS.ProcessEnv = ENV): string[] => tokenize(line, env).words;

/** Runs tokenize and returns the TokenizeError's column, failing if it did not throw. */
function errorColumn(line: string, env: NodeJS.ProcessEnv = ENV): number {
  try {
    tokenize(line, env);
  } catch (e) {
    assert.ok(e instanceof TokenizeError, `expected a TokenizeError, got ${String(e)}`);
    return e.column;
  }
  assert.fail(`tokenize(${JSON.stringify(line)}) did not throw`);
}

test('blanks separate words; runs of blanks, leading and trailing blanks make no words', () => {
  assert.deepEqual(words('bind  :80\tname  x'), ['bind', ':80', 'name', 'x']);
  assert.deepEqual(words('   server s1 1.2.3.4   '), ['server', 's1', '1.2.3.4']);
  assert.deepEqual(words(''), []);
  assert.deepEqual(words(' \t '), []);
});

test('# starts a comment outside quotes, even in the middle of a word', () => {
  assert.deepEqual(words('mode tcp # comment'), ['mode', 'tcp']);
  assert.deepEqual(words('a#b c'), ['a']);
  assert.deepEqual(words('# whole line'), []);
  assert.deepEqual(words('"a#b" \'c#d\''), ['a#b', 'c#d']);
  assert.deepEqual(words('a\\#b'), ['a#b']);
});

test('double quotes group blanks; adjacent quoted and bare parts join into one word', () => {
  assert.deepEqual(words('.notice "a b"'), ['.notice', 'a b']);
  assert.deepEqual(words('"a"\'b\'c'), ['abc']);
  assert.deepEqual(words('x"  "y'), ['x  y']);
});

test('an empty quoted word counts in the middle of a line but not at its end', () => {
  assert.deepEqual(words('"" foo'), ['', 'foo']);
  assert.deepEqual(words('a "" b'), ['a', '', 'b']);
  assert.deepEqual(words('a ""'), ['a']);
  assert.deepEqual(words('""'), []);
  assert.deepEqual(words("a ''"), ['a']);
});

test('single quotes are literal: no escapes, no variables, double quotes kept', () => {
  assert.deepEqual(words("'x$HOME'"), ['x$HOME']);
  assert.deepEqual(words("'${HOME}'"), ['${HOME}']);
  assert.deepEqual(words("'a\\nb'"), ['a\\nb']);
  assert.deepEqual(words("'say \"hi\"'"), ['say "hi"']);
});

test('a single quote inside double quotes is an ordinary character (haproxy -c 2.6)', () => {
  assert.deepEqual(words('"it\'s"'), ["it's"]);
  assert.deepEqual(words('"%[str(a),regsub(\'^(a)\',\\1)]" x'), ["%[str(a),regsub('^(a)',\\1)]", 'x']);
  assert.deepEqual(words('"\'y\'" \'"z"\''), ["'y'", '"z"']);
});

test('backslash escapes: space, backslash, #, quotes, and \\r \\n \\t \\xHH', () => {
  assert.deepEqual(words('a\\ b'), ['a b']);
  assert.deepEqual(words('a\\\\b'), ['a\\b']);
  assert.deepEqual(words('\\"q\\"'), ['"q"']);
  assert.deepEqual(words("\\'q\\'"), ["'q'"]);
  assert.deepEqual(words('"it\\\'s"'), ["it's"]);
  assert.deepEqual(words('"\\x41\\n"'), ['A\n']);
  assert.deepEqual(words('a\\tb\\rc'), ['a\tb\rc']);
  assert.deepEqual(words('\\x4a\\x4B'), ['JK']);
});

test('a backslash before anything else stays as typed', () => {
  assert.deepEqual(words('a\\qb'), ['a\\qb']);
  assert.deepEqual(words('a\\'), ['a\\']);
  // A backslash does not escape a tab: the tab still separates words.
  assert.deepEqual(words('a\\\tb'), ['a\\', 'b']);
  // \$ is an escape only inside double quotes.
  assert.deepEqual(words('a\\$b'), ['a\\$b']);
  assert.deepEqual(words('"a\\$b"'), ['a$b']);
  assert.deepEqual(words('"\\${HOME}"'), ['${HOME}']);
});

test('variables expand inside double quotes only', () => {
  assert.deepEqual(words('"x$HOME"'), ['x/root']);
  assert.deepEqual(words('x$HOME'), ['x$HOME']);
  assert.deepEqual(words('x${HOME}'), ['x${HOME}']);
  assert.deepEqual(words('"${HOME}/x"'), ['/root/x']);
  assert.deepEqual(words('"$HOME[*]"'), ['/root[*]'], '[*] needs braces');
  assert.deepEqual(words('":$PORT"'), [':8443']);
});

test('an unset variable is empty; an empty-but-set one too, and neither adds a word at the end', () => {
  assert.deepEqual(words('"${NOPE}x"'), ['x']);
  assert.deepEqual(words('bind :80 "${NOPE}"'), ['bind', ':80']);
  assert.deepEqual(words('"${EMPTY}:8081"'), [':8081']);
  assert.deepEqual(words('"${NOPE}" a b'), ['', 'a', 'b']);
});

test('${VAR-default} uses the default only when VAR is unset', () => {
  assert.deepEqual(words('"${NOPE-dflt}"'), ['dflt']);
  assert.deepEqual(words('"${HOME-a}x"'), ['/rootx']);
  assert.deepEqual(words('"${EMPTY-dflt}"'), [], 'set but empty: no default, and an empty last word is dropped');
  assert.deepEqual(words('"${NOPE-a b}"'), ['a b']);
  assert.deepEqual(words('"${NOPE-}"'), []);
  assert.deepEqual(words('"${NOPE-a$b}"'), ['a$b'], 'the default is literal');
  assert.deepEqual(words('"${NOPE-a[*]}"'), ['a[*]'], '[*] after the dash belongs to the default');
});

test('${VAR[*]} splits the value on blanks into words, joined to what surrounds it', () => {
  assert.deepEqual(words('"${X[*]}"'), ['p', 'q']);
  assert.deepEqual(words('"x${X[*]}y" z'), ['xp', 'qy', 'z']);
  assert.deepEqual(words('"${X}"'), ['p  q'], 'without [*] the value stays one word');
  assert.deepEqual(words('"${X[*]-d}"'), ['p', 'q']);
  assert.deepEqual(words('"${NOPE[*]-a b}"'), ['a', 'b'], 'the default is split too');
  assert.deepEqual(words('"${NOPE[*]}"'), []);
});

test('${VAR[*]} keeps the word boundaries of leading and trailing blanks, like parse_line', () => {
  assert.deepEqual(words('"${LEAD[*]}"'), ['', 'a']);
  assert.deepEqual(words('"${TRAIL[*]}"'), ['a']);
  assert.deepEqual(words('"${TRAIL[*]}" b'), ['a', '', 'b']);
});

test('${.LINE}, ${.FILE} and ${.SECTION} come from the line information', () => {
  const info = { file: '/etc/x.cfg', line: 12, section: 'fe1' };
  assert.deepEqual(tokenize('"${.LINE}:${.FILE}" "$.SECTION"', {}, info).words, ['12:/etc/x.cfg', 'fe1']);
  assert.deepEqual(tokenize('"${.SECTION}"', {}).words, []);
});

test('unmatched quotes are errors pointing at the opening quote', () => {
  assert.equal(errorColumn('.notice "abc'), 9);
  assert.equal(errorColumn("   .notice 'abc"), 12);
  assert.equal(errorColumn('a "b" "c'), 7);
});

test('a bad variable reference inside double quotes is an error with its column', () => {
  // forbidden first char: the column of the character after '$' (or after '${')
  assert.equal(errorColumn('.notice "a$"'), 12);
  assert.equal(errorColumn('.notice "$1"'), 11);
  assert.equal(errorColumn('.notice "a$ b"'), 12);
  assert.equal(errorColumn('.notice "${}"'), 12);
  assert.equal(errorColumn('.notice "${1}"'), 12);
  assert.equal(errorColumn('.notice "${.FOO}"'), 12);
  // unmatched brace: the column of '{'
  assert.equal(errorColumn('.notice "${HOME"'), 11);
  assert.equal(errorColumn('.notice "${X:-a}"'), 11);
  assert.equal(errorColumn('.notice "${NOPE-abc'), 11);
  // bad word expansion: the column of '['
  assert.equal(errorColumn('.notice "${X[1]}"'), 13);
  // outside double quotes '$' is an ordinary character
  assert.deepEqual(words('a$ $1 ${}'), ['a$', '$1', '${}']);
});

test('a truncated or invalid \\x sequence is an error at the backslash', () => {
  assert.equal(errorColumn('a\\x4'), 2);
  assert.equal(errorColumn('ab \\xZZ'), 4);
});

test('a CR or LF ends the line, even inside quotes', () => {
  assert.deepEqual(words('a b\r'), ['a', 'b']);
  assert.deepEqual(words('a\rb c'), ['a']);
  assert.equal(errorColumn('"a\rb"'), 1);
});
