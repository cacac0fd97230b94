/**
 * evaluateCondition() against HAProxy 2.6's `.if` evaluation. Each row of TABLE was run
 * through `haproxy -c` (2.6.12) as `.if EXPR` with the tokenizer's output joined by
 * spaces, which is exactly what our parser hands to evaluateCondition().
 * The version predicates use different reference versions (HAProxy 2.6.12, Switchyard
 * COMPAT_VERSION 2.6.0), so their rows avoid 2.6.1–2.6.12.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateCondition, ConditionError } from './conditions.ts';
import { tokenize } from './tokenizer.ts';

const ENV: NodeJS.ProcessEnv = { HOME: '/root', EMPTY: '' };

/** What `.if EXPR` evaluates to, going through the tokenizer as the parser does. */
function ifLine(expr: string): boolean | 'error' {
  const text = tokenize(expr, ENV).words.join(' ');
  try {
    return evaluateCondition(text, ENV);
  } catch (e) {
    if (e instanceof ConditionError) return 'error';
    throw e;
  }
}

const TABLE: [string, boolean | 'error'][] = [
  // integers: C strtol, base 0
  ['', false], ['1', true], ['0', false], ['-1', true], ['2', true], ['01', true],
  ['0x1', true], ['0x0', false], ['-0', false], ['+1', true], ['+0', false],
  ['9999999999999999999', true], ['08', 'error'], ['1a', 'error'], ['0b1', 'error'],
  ['-', 'error'], ['- 1', 'error'],
  // operators and grouping
  ['!0', true], ['!1', false], ['! 0', true], ['!!1', true], ['!(0)', true],
  ['1 && 0', false], ['1 || 0', true], ['1&&0', false], ['1||0', true],
  ['0 || 1 && 0', false], ['(0 || 1) && 0', false], ['1 && 1 && 1 || 0', true],
  ['((1))', true], ['(1) || (0)', true], ['1 && ( 0 || 1 )', true],
  // malformed
  ['foo', 'error'], ['!', 'error'], ['1 &&', 'error'], ['1 ||', 'error'], ['&& 1', 'error'],
  ['1 && !', 'error'], ['1 & 1', 'error'], ['1 | 0', 'error'], ['1 1', 'error'],
  ['1 &&& 1', 'error'], ['1 ||| 1', 'error'], ['()', 'error'], ['(1', 'error'], ['1)', 'error'],
  ['!(1', 'error'], ['(1)(1)', 'error'],
  // predicates
  ['defined(HOME)', true], ['defined(NOPE)', false], ['defined(EMPTY)', true], ['defined()', false],
  ['defined( HOME )', false], ['defined(HOME )', false], ['defined(HOME,x)', 'error'],
  ['defined (HOME)', 'error'], ['nope(1)', 'error'],
  ['defined(HOME) && !defined(NOPE)', true],
  ['feature(SWITCHYARD)', true], ['feature(NOT_A_FEATURE)', false],
  ['streq(a,a)', true], ['streq(a,b)', false], ['strneq(a,b)', true], ['strneq(a,a)', false],
  ['streq(,)', true], ['strneq(,)', false], ['streq(a,)', false],
  ['streq(a, a)', false], ['streq( a,a)', false], ['streq(a ,a)', false], ['streq(a,a )', false],
  ['streq("a b","a b")', true], ['streq("a",a)', true], ["streq('a',a)", true],
  ['streq(${HOME},/root)', false], ['streq("${HOME}",/root)', true],
  ['streq(a)', 'error'], ['streq(a)b', 'error'], ['streq(a,a)x', 'error'], ['streq(a\\,b,a\\,b)', 'error'],
  // versions (HAProxy: split_version; unparsable versions make version_atleast true)
  ['version_atleast(2.6)', true], ['version_atleast(2.7)', false], ['version_atleast(2)', true],
  ['version_atleast(3)', false], ['version_atleast(2.6-dev1)', true], ['version_before(2.7)', true],
  ['version_before(2.6)', false], ['version_atleast()', true], ['version_atleast(abc)', true],
  ['version_atleast(3x)', true], ['version_before(3x)', false], ['version_before(abc)', false],
  ['version_before()', false], ['version_atleast(2.6.)', true], ['version_atleast(2..6)', true],
];

test('.if expressions evaluate as in HAProxy 2.6', () => {
  for (const [expr, expected] of TABLE) {
    assert.equal(ifLine(expr), expected, `.if ${expr}`);
  }
});

test('a blank expression is false, not an error', () => {
  assert.equal(evaluateCondition('', ENV), false);
  assert.equal(evaluateCondition('   ', ENV), false);
});

test('errors carry the 1-based position HAProxy reports', () => {
  const positions: [string, number][] = [
    ['foo', 1], ['nope(1)', 1], ['1)', 2], ['&& 1', 1], ['1 & 1', 3], ['1 1', 3], ['()', 2],
    ['08', 2], ['1a', 2], ['streq(a,a)x', 11], ['1 &&& 1', 5], ['(1)(1)', 4], ['-', 1],
  ];
  for (const [expr, pos] of positions) {
    assert.throws(() => evaluateCondition(expr, ENV), (e: unknown) => e instanceof ConditionError && e.position === pos, `position for '${expr}'`);
  }
});

test('raw text (as `-cc` passes it) may double-quote arguments, blanks and commas included', () => {
  assert.equal(evaluateCondition('streq("a b","a b")', ENV), true);
  assert.equal(evaluateCondition('streq("a,b","a,b")', ENV), true);
  assert.equal(evaluateCondition('streq("a)","a)")', ENV), true);
  assert.equal(evaluateCondition('streq("a",b)', ENV), false);
  assert.throws(() => evaluateCondition('streq("a,b)', ENV), ConditionError);
});

test('defined() looks in the environment it is given, not process.env', () => {
  assert.equal(evaluateCondition('defined(ONLY_HERE)', { ONLY_HERE: '1' }), true);
  assert.equal(evaluateCondition('defined(HOME)', {}), false);
});

test('operands are evaluated left to right without short-circuiting errors away', () => {
  // HAProxy parses the whole expression: a bad right operand is an error even when the
  // left one decides the result.
  assert.throws(() => evaluateCondition('1 || nope(1)', ENV), ConditionError);
  assert.throws(() => evaluateCondition('0 && foo', ENV), ConditionError);
});
