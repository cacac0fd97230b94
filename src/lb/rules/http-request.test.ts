/** Reason phrases of rule-built responses: HAProxy 2.6's http_get_reason (checked for 100…599 against 2.6.12). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reasonOf } from './http-request.ts';

test('reasonOf: HAProxy 2.6 names, then a per-class default', () => {
  assert.equal(reasonOf(203), 'Non-Authoritative Information');
  assert.equal(reasonOf(302), 'Moved Temporarily'); // a redirect says "Found"; return/set-status say this
  assert.equal(reasonOf(502), 'Bad Gateway or Proxy Error');
  assert.equal(reasonOf(418), "I'm a teapot");
  assert.equal(reasonOf(103), 'Informational');
  assert.equal(reasonOf(299), 'Success');
  assert.equal(reasonOf(399), 'Redirection');
  assert.equal(reasonOf(419), 'Client Error');
  assert.equal(reasonOf(599), 'Server Error');
  assert.equal(reasonOf(600), 'Other');
});
