/**
 * The contract every load-balancing algorithm in ALGORITHMS must keep (see types.ts).
 * Each check runs over every registered algorithm — and over the hash family a second
 * time with `hash-type consistent` — with the configuration HAProxy would default to.
 * A check that does not apply to a case by design is not registered for it; the case
 * table says why (its rrOrder / proportional reasons), so CI runs with nothing skipped.
 *
 * Servers are plain objects the test mutates, then announces through the algorithm's
 * hooks, exactly as the backend does: state first, hook after. Requests go through
 * serve() (pick, take a slot, finish), so connection-counting algorithms see the
 * onTake/onDrop traffic the backend would send.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALGORITHMS } from './registry.ts';
import type { LbAlgorithm, PickRequest } from './types.ts';
import { defaultBalance, type BalanceAlgorithm, type BalanceConfig } from './config.ts';
import { farm, tally, type TestServer } from './test-farm.ts';
import { request, serve } from './test-request.ts';

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

/** Request number i: a distinct key for every hash algorithm (path, parameter, header, address). */
function keyed(i: number): PickRequest {
  return request({ target: `/k${i}/x?id=${i}`, headers: { 'x-key': `k${i}` }, src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
}

const HASHED: readonly BalanceAlgorithm[] = ['source', 'uri', 'url_param', 'hdr', 'hash'];

interface Case {
  label: string;
  algo: LbAlgorithm<unknown>;
  cfg: BalanceConfig;
  /** Whether requests with a key are hashed (deterministic picks). */
  hashed: boolean;
  /** A request with nothing to hash: round-robin fallback (TCP mode; UNIX client for source). */
  plain: PickRequest;
  /** true, or why round-robin order checks do not apply. */
  rrOrder: true | string;
  /** true, or why exact weight proportions over a long run do not apply. */
  proportional: true | string;
}

function configFor(name: BalanceAlgorithm, consistent: boolean): BalanceConfig {
  const cfg: BalanceConfig = { ...defaultBalance(), algorithm: name };
  if (consistent) cfg.hashType = { method: 'consistent', fn: 'sdbm', avalanche: true };
  if (name === 'uri') cfg.uri = { whole: false, len: 0, depth: 0, pathOnly: false };
  if (name === 'url_param') cfg.urlParam = 'id';
  if (name === 'hdr') cfg.hdr = { name: 'x-key', useDomainOnly: false };
  if (name === 'hash') cfg.expr = { fetch: 'path' };
  if (name === 'random') cfg.draws = 2;
  return cfg;
}

const CASES: Case[] = [];
for (const [name, algo] of Object.entries(ALGORITHMS) as [BalanceAlgorithm, LbAlgorithm<unknown>][]) {
  const hashed = HASHED.includes(name);
  for (const consistent of hashed ? [false, true] : [false]) {
    const plain = name === 'source' ? request({ src: '' }) : request({ tcp: true });
    let rrOrder: true | string = true;
    let proportional: true | string = true;
    if (name === 'leastconn') proportional = 'leastconn weighs loads; with every request finished before the next, all servers are idle and take turns whatever their weight (HAProxy 2.6 does the same: see haproxy-orders.json)';
    if (name === 'first') rrOrder = proportional = 'first always takes the lowest id with room: no rotation by design';
    if (name === 'random') rrOrder = proportional = 'random draws; its shares are checked statistically in random.test.ts';
    if (consistent) rrOrder = 'the consistent ring\'s round-robin fallback walks ring points, whose order is pseudo-random (HAProxy\'s too)';
    CASES.push({ label: consistent ? `${name} (hash-type consistent)` : name, algo, cfg: configFor(name, consistent), hashed, plain, rrOrder, proportional });
  }
}

test('the registry maps every balance keyword to an algorithm of that name', () => {
  const names = Object.keys(ALGORITHMS).sort();
  assert.deepEqual(names, ['first', 'hash', 'hdr', 'leastconn', 'random', 'roundrobin', 'source', 'static-rr', 'uri', 'url_param']);
  for (const [kw, algo] of Object.entries(ALGORITHMS)) assert.equal(algo.name, kw);
  for (const name of HASHED) assert.equal(ALGORITHMS[name].deterministic, true, name);
  for (const name of ['roundrobin', 'static-rr', 'leastconn', 'first', 'random'] as const) assert.equal(ALGORITHMS[name].deterministic, false, name);
});

for (const c of CASES) {
  const { algo, cfg, plain } = c;
  const names = (st: unknown, n: number, req: (i: number) => PickRequest = () => plain): string[] =>
    Array.from({ length: n }, (_, i) => serve(algo, st, req(i)));
  const skipOrder = c.rrOrder === true ? false : c.rrOrder;
  const skipProp = c.proportional === true ? false : c.proportional;

  describe(`algorithm ${c.label}`, () => {
    test('returns null when there are no servers', () => {
      const st = algo.init([], cfg);
      assert.equal(algo.pick(st, plain), null);
      assert.equal(algo.pick(st, keyed(1)), null);
    });

    test('returns null when no server is usable, and recovers when one comes back', () => {
      const servers = farm([1, 2, 3]);
      const st = algo.init(servers, cfg);
      for (const s of servers) setUsable(algo, st, s, false);
      assert.deepEqual(names(st, 5, keyed), ['-', '-', '-', '-', '-']);
      setUsable(algo, st, servers[1]!, true);
      assert.deepEqual(names(st, 4, keyed), ['s2', 's2', 's2', 's2']);
      assert.deepEqual(names(st, 2), ['s2', 's2']);
    });

    test('returns null when every server has weight 0', () => {
      const st = algo.init(farm([0, 0]), cfg);
      assert.deepEqual(names(st, 3), ['-', '-', '-']);
      assert.deepEqual(names(st, 3, keyed), ['-', '-', '-']);
    });

    test('never picks a server configured with weight 0', () => {
      const st = algo.init(farm([0, 1, 0, 2]), cfg);
      for (const seq of [names(st, 300, keyed), names(st, 300)]) {
        const used = Object.keys(tally(seq)).sort();
        // `first` keeps to the first server with room: it only ever uses s2 here.
        assert.deepEqual(used, c.label === 'first' ? ['s2'] : ['s2', 's4']);
      }
    });

    test('never picks an unusable or weight-0 server while states change at random', () => {
      const servers = farm([1, 2, 3, 4, 5]);
      const st = algo.init(servers, cfg);
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
        const p = algo.pick(st, round % 2 ? keyed(round) : plain) as TestServer | null;
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

    test('a free choice never returns a full server, and returns null when all are full', () => {
      const servers = farm([1, 2, 3]);
      const st = algo.init(servers, cfg);
      servers[0]!.hasRoom = false;
      servers[2]!.hasRoom = false;
      const freeReq = c.hashed ? () => plain : keyed;
      assert.deepEqual(tally(names(st, 20, freeReq)), { s2: 20 });
      servers[1]!.hasRoom = false;
      assert.deepEqual(names(st, 3, freeReq), ['-', '-', '-']);
    });

    test(c.hashed ? 'a hashed request gets its server even when every server is full' : 'deterministic is false: picks are free choices', () => {
      const servers = farm([1, 2, 3]);
      const st = algo.init(servers, cfg);
      if (!c.hashed) return assert.equal(algo.deterministic, false);
      const before = names(st, 30, keyed);
      for (const s of servers) s.hasRoom = false;
      assert.deepEqual(names(st, 30, keyed), before);
    });

    if (c.hashed) test('the same request gets the same server while nothing changes (hashed requests)', () => {
      const st = algo.init(farm([1, 2, 3, 1]), cfg);
      const a = names(st, 50, keyed);
      names(st, 7);
      assert.deepEqual(names(st, 50, keyed), a);
      // (Raw sdbm of near-identical keys spreads poorly over a small map — HAProxy's too.)
      assert.ok(Object.keys(tally(a)).length >= 2, `50 keys went to only ${JSON.stringify(tally(a))}`);
    });

    test('honours avoid when another server is usable', () => {
      const servers = farm([1, 1, 1]);
      const st = algo.init(servers, cfg);
      for (let i = 0; i < 30; i++) {
        const avoid = servers[i % 3]!;
        for (const req of [plain, keyed(i)]) {
          const p = algo.pick(st, req, avoid);
          assert.ok(p !== null && p !== avoid, `pick ${i} returned the avoided ${avoid.name}`);
        }
      }
      // Still true when the avoided server is heavy and the only alternative is light.
      const heavy = farm([10, 1]);
      const st2 = algo.init(heavy, cfg);
      assert.deepEqual(Array.from({ length: 5 }, (_, i) => serve(algo, st2, keyed(i), false, heavy[0])), ['s2', 's2', 's2', 's2', 's2']);
    });

    test('returns the avoided server when it is the only usable one (as HAProxy does)', () => {
      const servers = farm([1, 1]);
      const st = algo.init(servers, cfg);
      setUsable(algo, st, servers[1]!, false);
      assert.equal(algo.pick(st, plain, servers[0]), servers[0]);
      assert.equal(algo.pick(st, keyed(3), servers[0]), servers[0]);
    });

    if (!skipOrder) test('equal weights give declaration order, starting with the first server', () => {
      const st = algo.init(farm([1, 1, 1]), cfg);
      assert.deepEqual(names(st, 7), ['s1', 's2', 's3', 's1', 's2', 's3', 's1']);
      const st2 = algo.init(farm([7, 7, 7, 7]), cfg);
      assert.deepEqual(names(st2, 8), ['s1', 's2', 's3', 's4', 's1', 's2', 's3', 's4']);
    });

    if (!skipOrder) test('a server that is down is skipped and the others keep their order', () => {
      const servers = farm([1, 1, 1]);
      const st = algo.init(servers, cfg);
      setUsable(algo, st, servers[1]!, false);
      assert.deepEqual(names(st, 4), ['s1', 's3', 's1', 's3']);
      setUsable(algo, st, servers[1]!, true);
      assert.deepEqual(tally(names(st, 30)), { s1: 10, s2: 10, s3: 10 });
    });

    if (!skipProp) test('weights are respected in proportion over a long run', () => {
      for (const weights of [[3, 2, 1], [2, 1], [5, 1, 1], [10, 1], [256, 1, 17], [1, 2, 3, 4, 5, 6, 7, 8]]) {
        // Whole cycles: the ring fallback cycles over 16 points per weight unit.
        const total = weights.reduce((a, b) => a + b, 0) * (c.cfg.hashType.method === 'consistent' ? 16 : 1);
        const cycles = Math.max(3, Math.ceil(3000 / total));
        const st = algo.init(farm(weights), cfg);
        const got = tally(names(st, total * cycles));
        const unit = (total * cycles) / weights.reduce((a, b) => a + b, 0);
        weights.forEach((w, i) => {
          const n = got[`s${i + 1}`] ?? 0;
          assert.ok(Math.abs(n - w * unit) <= 1, `weights ${weights}: s${i + 1} got ${n}, expected ${w * unit}`);
        });
      }
    });

    if (!skipOrder && !skipProp) test('spreads picks: weights 5,1,1 give no long bursts of the heavy server', () => {
      const st = algo.init(farm([5, 1, 1]), cfg);
      const seq = names(st, 700);
      let run = 0;
      let longest = 0;
      for (const p of seq) {
        run = p === 's1' ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
      // A naive "five times s1, then s2, then s3" schedule has runs of 5 (HAProxy's: 3).
      assert.ok(longest <= 4, `s1 was picked ${longest} times in a row`);
      const cnt: Record<string, number> = { s1: 0, s2: 0, s3: 0 };
      seq.forEach((p, k) => {
        cnt[p]!++;
        for (const [s, w] of [['s1', 5], ['s2', 1], ['s3', 1]] as const) {
          const share = ((k + 1) * w) / 7;
          assert.ok(Math.abs(cnt[s]! - share) < 1.5, `after ${k + 1} picks ${s} has ${cnt[s]}, its share is ${share.toFixed(2)}`);
        }
      });
    });

    test('the algorithm keeps no state outside the one init() returned', () => {
      // random draws from its own state's source: give each instance the same sequence.
      const fresh = (): unknown => {
        const st = algo.init(farm([2, 1]), cfg);
        if (c.label === 'random') {
          let x = 0;
          (st as { rand: () => number }).rand = () => (x = (x + 0x9e3779b9) >>> 0);
        }
        return st;
      };
      const stA = fresh();
      const stB = fresh();
      const seqA = names(stA, 2, keyed);
      const seqB = names(stB, 6, keyed);
      assert.deepEqual(seqA, names(fresh(), 2, keyed));
      assert.deepEqual(seqB.slice(0, 2), seqA);
    });
  });
}
