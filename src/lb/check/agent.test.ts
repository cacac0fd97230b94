/** Agent replies as HAProxy reads them (words split on space, tab, comma; '#' starts a description). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentResult, parseAgentReply } from './agent.ts';

test('agent reply words', () => {
  assert.deepEqual(parseAgentReply('75%,maxconn:30,maint,down\n'), { weightPercent: 75, maxconn: 30, admin: 'maint', state: 'down' });
  assert.deepEqual(parseAgentReply('up 50%\r\n'), { state: 'up', weightPercent: 50 });
  assert.deepEqual(parseAgentReply('down #maintenance by ops\n'), { state: 'down', description: 'maintenance by ops' });
  assert.deepEqual(parseAgentReply('down#x'), {}, "'#' inside a word is part of the word (an unknown word)");
  assert.deepEqual(parseAgentReply('READY\tDRAIN'), { admin: 'drain' }, 'the last admin word wins');
  assert.deepEqual(parseAgentReply('failed stopped'), { state: 'stopped' });
  assert.deepEqual(parseAgentReply('hello world'), {});
  assert.deepEqual(parseAgentReply('0%\nup'), { weightPercent: 0 }, 'only the first line counts');
});

test('agent states become check results in HAProxy words', () => {
  assert.deepEqual(agentResult({ state: 'down', description: 'x' }, 3), { outcome: 'failed', status: 'L7STS', code: 0, info: 'via agent : down (x)', durationMs: 3 });
  assert.deepEqual(agentResult({ state: 'up' }, 1), { outcome: 'passed', status: 'L7OK', code: 0, info: 'via agent : up', durationMs: 1 });
  assert.equal(agentResult({ weightPercent: 10 }, 1).outcome, 'neutral');
});
