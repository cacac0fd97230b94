/**
 * The contract every load-balancing algorithm in ALGORITHMS must keep (see types.ts).
 * Each check runs over every registered algorithm; an algorithm that cannot meet a check
 * by design must skip it here with a written reason, never silently.
 *
 * Servers are plain objects the test mutates, then announces through the algorithm's
 * hooks, exactly as the backend does: state first, hook after.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALGORITHMS } from './registry.ts';
import type { LbAlgorithm } from './types.ts';
import { farm, NO_REQ, pickNames, tally, type TestServer } from './test-farm.ts';

const picks = pickNames;
const counts = tally;

function setUsable(algo: LbAlgorithm<unknown>, state: unknown, s: TestServer, usable: boolean): void {
  s.usable = usable;
  if (usable) algo.onServerUp?.(state, s);
  else algo.onServerDown?.(state, s);
}

/** Deterministic PRNG so a failure replays identically. */
function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    x = (x ^ (x >>> 13)) >>> 0;
    return x / 2 ** 32;
  };
}

test('the registry maps every balance keyword to an algorithm of that name', () => {
  const names = Object.keys(ALGORITHMS).sort();
  assert.deepEqual(names, ['roundrobin', 'static-rr']);
  for (const [kw, algo] of Object.entries(ALGORITHMS)) assert.equal(algo.name, kw);
});

for (const [name, algo] of Object.entries(ALGORITHMS) as [string, LbAlgorithm<unknown>][]) {
  describe(`algorithm ${name}`, () => {
    test('returns null when there are no servers', () => {
      const st = algo.init([], { algorithm: 'roundrobin' });
      assert.equal(algo.pick(st, NO_REQ), null);
    });

    test('returns null when no server is usable, and recovers when one comes back', () => {
      const servers = farm([1, 2, 3]);
      const st = algo.init(servers, { algorithm: 'roundrobin' });
      for (const s of servers) setUsable(algo, st, s, false);
      assert.deepEqual(picks(algo, st, 5), ['-', '-', '-', '-', '-']);
      setUsable(algo, st, servers[1]!, true);
      assert.deepEqual(picks(algo, st, 4), ['s2', 's2', 's2', 's2']);
    });

    test('returns null when every server has weight 0', () => {
      const st = algo.init(farm([0, 0]), { algorithm: 'roundrobin' });
      assert.deepEqual(picks(algo, st, 3), ['-', '-', '-']);
    });

    test('never picks a server configured with weight 0', () => {
      const st = algo.init(farm([0, 1, 0, 2]), { algorithm: 'roundrobin' });
      const c = counts(picks(algo, st, 300));
      assert.deepEqual(Object.keys(c).sort(), ['s2', 's4']);
    });

    test('never picks an unusable or weight-0 server while states change at random', () => {
      const servers = farm([1, 2, 3, 4, 5]);
      const st = algo.init(servers, { algorithm: 'roundrobin' });
      const rnd = prng(42);
      let nulls = 0;
      for (let round = 0; round < 2000; round++) {
        const s = servers[Math.floor(rnd() * servers.length)]!;
        if (rnd() < 0.5) {
          setUsable(algo, st, s, !s.usable);
        } else {
          s.weight = rnd() < 0.3 ? 0 : 1 + Math.floor(rnd() * 10);
          algo.onWeight?.(st, s);
        }
        const p = algo.pick(st, NO_REQ) as TestServer | null;
        const eligible = servers.filter((x) => x.usable && x.weight > 0);
        if (p === null) {
          nulls++;
          assert.deepEqual(eligible, [], `round ${round}: null although ${eligible.map((x) => x.name).join(',')} could serve`);
        } else {
          assert.ok(p.usable, `round ${round}: picked unusable ${p.name}`);
          assert.ok(p.weight > 0, `round ${round}: picked ${p.name} with weight 0`);
        }
      }
      assert.ok(nulls < 2000, 'the scenario never had a usable server');
    });

    test('honours avoid when another server is usable', () => {
      const servers = farm([1, 1, 1]);
      const st = algo.init(servers, { algorithm: 'roundrobin' });
      for (let i = 0; i < 30; i++) {
        const avoid = servers[i % 3]!;
        const p = algo.pick(st, NO_REQ, avoid);
        assert.ok(p !== null && p !== avoid, `pick ${i} returned the avoided ${avoid.name}`);
      }
      // Still true when the avoided server is heavy and the only alternative is light.
      const heavy = farm([10, 1]);
      const st2 = algo.init(heavy, { algorithm: 'roundrobin' });
      assert.deepEqual(picks(algo, st2, 5, heavy[0]), ['s2', 's2', 's2', 's2', 's2']);
    });

    test('returns the avoided server when it is the only usable one (as HAProxy does)', () => {
      const servers = farm([1, 1]);
      const st = algo.init(servers, { algorithm: 'roundrobin' });
      setUsable(algo, st, servers[1]!, false);
      assert.equal(algo.pick(st, NO_REQ, servers[0]), servers[0]);
    });

    test('equal weights give declaration order, starting with the first server', () => {
      const st = algo.init(farm([1, 1, 1]), { algorithm: 'roundrobin' });
      assert.deepEqual(picks(algo, st, 7), ['s1', 's2', 's3', 's1', 's2', 's3', 's1']);
      const st2 = algo.init(farm([7, 7, 7, 7]), { algorithm: 'roundrobin' });
      assert.deepEqual(picks(algo, st2, 8), ['s1', 's2', 's3', 's4', 's1', 's2', 's3', 's4']);
    });

    test('a server that is down is skipped and the others keep their order', () => {
      const servers = farm([1, 1, 1]);
      const st = algo.init(servers, { algorithm: 'roundrobin' });
      setUsable(algo, st, servers[1]!, false);
      assert.deepEqual(picks(algo, st, 4), ['s1', 's3', 's1', 's3']);
      setUsable(algo, st, servers[1]!, true);
      const c = counts(picks(algo, st, 30));
      assert.deepEqual(c, { s1: 10, s2: 10, s3: 10 });
    });

    test('weights are respected in proportion over a long run', () => {
      for (const weights of [[3, 2, 1], [2, 1], [5, 1, 1], [10, 1], [256, 1, 17], [1, 2, 3, 4, 5, 6, 7, 8]]) {
        const total = weights.reduce((a, b) => a + b, 0);
        const cycles = Math.max(3, Math.ceil(3000 / total));
        const st = algo.init(farm(weights), { algorithm: 'roundrobin' });
        const c = counts(picks(algo, st, total * cycles));
        weights.forEach((w, i) => {
          const got = c[`s${i + 1}`] ?? 0;
          assert.ok(Math.abs(got - w * cycles) <= 1, `weights ${weights}: s${i + 1} got ${got}, expected ${w * cycles}`);
        });
      }
    });

    test('spreads picks: weights 5,1,1 give no long bursts of the heavy server', () => {
      const st = algo.init(farm([5, 1, 1]), { algorithm: 'roundrobin' });
      const seq = picks(algo, st, 700);
      let run = 0;
      let longest = 0;
      for (const p of seq) {
        run = p === 's1' ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
      // A naive "five times s1, then s2, then s3" schedule has runs of 5 (HAProxy's: 3).
      assert.ok(longest <= 4, `s1 was picked ${longest} times in a row`);
      // At every point each server is within one pick of its share (naive: 1.43 off).
      const c: Record<string, number> = { s1: 0, s2: 0, s3: 0 };
      seq.forEach((p, k) => {
        c[p]!++;
        for (const [s, w] of [['s1', 5], ['s2', 1], ['s3', 1]] as const) {
          const share = ((k + 1) * w) / 7;
          assert.ok(Math.abs(c[s]! - share) < 1, `after ${k + 1} picks ${s} has ${c[s]}, its share is ${share.toFixed(2)}`);
        }
      });
    });

    test('the algorithm keeps no state outside the one init() returned', () => {
      const a = farm([2, 1]);
      const b = farm([2, 1]);
      const stA = algo.init(a, { algorithm: 'roundrobin' });
      const stB = algo.init(b, { algorithm: 'roundrobin' });
      const seqA = picks(algo, stA, 2);
      const seqB = picks(algo, stB, 6);
      assert.deepEqual(seqA, picks(algo, algo.init(farm([2, 1]), { algorithm: 'roundrobin' }), 2));
      assert.deepEqual(seqB.slice(0, 2), seqA);
    });
  });
}
