/**
 * Differential pin for the content-switching rules (tcp-request content/session,
 * http-after-response, captures, set-log-level, set-timeout, dynamic use_backend,
 * wait-for-body): the .vtc files that test them through bin/switchyard (run by
 * test/vtc/vtc.test.ts) are run here against the real HAProxy 2.6 with the same
 * configuration, requests and expected statuses, headers, bodies and log lines — so an
 * expectation that is not HAProxy's own fails here, not just in review.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VTC_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'vtc');
const HAPROXY = '/usr/sbin/haproxy';
const VARNISHTEST = '/usr/bin/varnishtest';
const missing = !existsSync(HAPROXY) ? 'haproxy is not installed' : !existsSync(VARNISHTEST) ? 'varnishtest (Debian varnish) is not installed' : false;

const FILES = [
  'tcp-request-content.vtc', 'tcp-request-content-stick.vtc', 'http-tcp-request-content.vtc',
  'http-after-response.vtc', 'http-capture-log.vtc', 'http-set-timeout-use-backend.vtc', 'http-wait-for-body.vtc',
  'http-normalize-uri-use-service.vtc',
];

for (const f of FILES) {
  test(`HAProxy 2.6 passes ${f}`, { skip: missing }, () => {
    const r = spawnSync(VARNISHTEST, ['-t', '20', '-j', '1', join(VTC_DIR, f)], {
      cwd: VTC_DIR, env: { ...process.env, HAPROXY_PROGRAM: HAPROXY }, encoding: 'utf8', timeout: 40_000,
    });
    const failing = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('----')).join('\n');
    assert.equal(r.status, 0, `varnishtest with haproxy failed:\n${failing}\n${(r.stdout ?? '').slice(-4000)}`);
  });
}
