/**
 * Our algorithms against HAProxy 2.6 itself: haproxy-orders.json holds, per scenario,
 * the server HAProxy picked for each request (recorded by record-haproxy-orders.ts with
 * the real haproxy on this machine, one request per connection). Each scenario is
 * replayed here — same configuration lines through our parser, same requests in the
 * same order, each finished before the next unless the scenario holds it open, same
 * run-time commands (weights, maintenance) — and must give the same servers, request
 * for request: round-robin and static-rr orders over several windows, leastconn's idle
 * rotation, and for the hash family the bit-exact hash functions, avalanche, the map,
 * the consistent ring, uri/url_param/hdr key extraction and the round-robin fallbacks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ParseContext } from '../config/context.ts';
import { parseText } from '../config/parser.ts';
import type { Config } from '../config/types.ts';
import { ALGORITHMS } from './registry.ts';
import type { LbAlgorithm } from './types.ts';
import { farm, type TestServer } from './test-farm.ts';
import { request, serve } from './test-request.ts';
import type { Scenario } from './haproxy-scenarios.ts';

const recorded = JSON.parse(readFileSync(new URL('./haproxy-orders.json', import.meta.url), 'utf8')) as {
  haproxy: string;
  scenarios: (Scenario & { expect: string[] })[];
};

function balanceOf(lines: string[]) {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const ctx = new ParseContext(config, {});
  parseText(ctx, 't.cfg', ['backend b', ...lines.map((l) => `  ${l}`)].join('\n') + '\n');
  assert.deepEqual(ctx.diagnostics.filter((d) => d.severity === 'alert'), []);
  return ctx.config.proxies[0]!.balance;
}

/** The farm, with `hasRoom` following served and maxconn as the backend's servers do. */
function limited(weights: number[], maxconn: string | undefined): TestServer[] {
  return farm(weights).map((s) => {
    const t = { ...s, maxconn: Number(maxconn ?? 0) };
    Object.defineProperty(t, 'hasRoom', { get: () => t.maxconn === 0 || t.served < t.maxconn });
    return t;
  });
}

/** Replays a runtime API command as the backend would: state first, then the hook. */
function apply(algo: LbAlgorithm<unknown>, st: unknown, servers: TestServer[], cmd: string): string {
  const m = /^(set weight|disable server|enable server) \$s\/s(\d+)(?: (\d+))?$/.exec(cmd);
  assert.ok(m, `unknown command ${cmd}`);
  const s = servers[Number(m[2]) - 1]!;
  if (m[1] === 'set weight') {
    s.weight = Number(m[3]);
    algo.onWeight?.(st, s);
  } else {
    s.usable = m[1] === 'enable server';
    if (s.usable) algo.onServerUp?.(st, s);
    else algo.onServerDown?.(st, s);
  }
  return 'cli';
}

test('the recording comes from HAProxy 2.6', () => {
  assert.match(recorded.haproxy, /^HAProxy version 2\.6\./);
  assert.ok(recorded.scenarios.length >= 40);
});

for (const sc of recorded.scenarios) {
  test(`same picks as HAProxy 2.6: ${sc.name} (${sc.requests.length} requests)`, () => {
    const cfg = balanceOf(sc.cfg);
    const algo = ALGORITHMS[cfg.algorithm] as LbAlgorithm<unknown>;
    const servers = limited(sc.weights, /maxconn (\d+)/.exec(sc.server ?? '')?.[1]);
    const st = algo.init(servers, cfg);
    const holding = new Map<string, TestServer>();
    const got = sc.requests.map((r) => {
      if (r.cli) return apply(algo, st, servers, r.cli);
      if (r.release) {
        const s = holding.get(r.release)!;
        s.served--;
        algo.onDrop?.(st, s);
        return 'release';
      }
      const name = serve(algo, st, request(r), r.hold !== undefined);
      if (r.hold) holding.set(r.hold, servers.find((s) => s.name === name)!);
      return name;
    });
    const firstDiff = got.findIndex((g, i) => g !== sc.expect[i]);
    assert.equal(firstDiff, -1, `request ${firstDiff} (${JSON.stringify(sc.requests[firstDiff])}): HAProxy ${sc.expect[firstDiff]}, we ${got[firstDiff]}\n` +
      `HAProxy: ${sc.expect.slice(Math.max(0, firstDiff - 5), firstDiff + 10).join(' ')}\nwe:      ${got.slice(Math.max(0, firstDiff - 5), firstDiff + 10).join(' ')}`);
  });
}
