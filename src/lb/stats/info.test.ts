// show info: DroppedLogs (HAProxy 2.6's field 58, MGP:u32) counts the log lines the sinks dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { infoFields } from './info.ts';
import { logCounters } from '../log/sinks.ts';
import type { Runtime } from '../core/runtime.ts';

test('DroppedLogs is the sinks\' drop counter, at HAProxy\'s position and type', () => {
  const rate = { rate: () => 0, peak: 0 };
  const rt = { config: { global: {} }, frontends: [], startedAt: Date.now(), maxconn: 100, cur: 0, connRate: rate, sessRate: rate, connRateLimit: 0, sessRateLimit: 0, sessionCount: 0 } as unknown as Runtime;
  const before = logCounters.dropped;
  logCounters.dropped += 3;
  try {
    const f = infoFields(rt).find((x) => x.name === 'DroppedLogs');
    assert.deepEqual(f, { pos: 58, name: 'DroppedLogs', tags: 'MGP', type: 'u32', value: before + 3 });
  } finally {
    logCounters.dropped = before;
  }
});
