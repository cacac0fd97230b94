/**
 * What the counters alone cannot tell, measured once a second from them: session,
 * request and connection rates over the last second and their maximums, when each
 * server and backend last changed state (lastchg), how long it has been down in total
 * (downtime) and how often it went from up to down (chkdown), and when it last got a
 * session (lastsess). Sampling keeps the hot path untouched (streams only increment
 * counters); the price is a one-second resolution — a flap shorter than a second can
 * go unseen — which matches the seconds these columns are expressed in.
 *
 * One unref'd timer per runtime, started when the runtime attaches (registry.ts) and
 * stopped with the CLI server; objects are keyed weakly.
 */
import type { Runtime } from '../core/runtime.ts';
import type { Counters } from '../core/counters.ts';
import type { Backend } from '../core/backend.ts';
import type { Server } from '../core/server.ts';
import { MEASURES } from '../core/latency.ts';

export interface Sampled {
  rate: number;
  rateMax: number;
  reqRate: number;
  reqRateMax: number;
  /** Date.now() of the last state change (start-up counts as one). */
  lastChange: number;
  /** ms spent down before the current state; plus (now - downSince) while down. */
  downtime: number;
  downSince: number;
  /** up → down transitions. */
  chkdown: number;
  /** Date.now() of the last new session; 0: never. */
  lastSess: number;
  prevStot: number;
  prevReq: number;
  wasDown: boolean | null;
}

const samples = new WeakMap<object, Sampled>();
const timers = new WeakMap<Runtime, NodeJS.Timeout>();

function entry(key: object, c: Counters, now: number): Sampled {
  let s = samples.get(key);
  if (!s) {
    s = { rate: 0, rateMax: 0, reqRate: 0, reqRateMax: 0, lastChange: now, downtime: 0, downSince: 0, chkdown: 0, lastSess: 0, prevStot: c.stot, prevReq: c.req_tot, wasDown: null };
    samples.set(key, s);
  }
  return s;
}

function tickCounters(s: Sampled, c: Counters, now: number): void {
  // A counter reset (clear counters all) makes the delta negative: restart from it.
  const d = Math.max(0, c.stot - s.prevStot);
  const r = Math.max(0, c.req_tot - s.prevReq);
  s.rate = d;
  s.reqRate = r;
  if (d > s.rateMax) s.rateMax = d;
  if (r > s.reqRateMax) s.reqRateMax = r;
  if (d > 0) s.lastSess = now;
  s.prevStot = c.stot;
  s.prevReq = c.req_tot;
}

function tickState(s: Sampled, down: boolean, now: number): void {
  if (s.wasDown === null) {
    s.wasDown = down;
    if (down) s.downSince = now;
    return;
  }
  if (down === s.wasDown) return;
  s.lastChange = now;
  if (down) { s.chkdown++; s.downSince = now; } else { s.downtime += now - s.downSince; s.downSince = 0; }
  s.wasDown = down;
}

function serverDown(s: Server): boolean {
  return s.health === 'down' || s.admin === 'maint';
}

function backendDown(be: Backend): boolean {
  return be.servers.length > 0 && be.usableCount() === 0;
}

export function sampleOnce(rt: Runtime, now = Date.now()): void {
  for (const fe of rt.frontends) tickCounters(entry(fe.feCounters, fe.feCounters, rt.startedAt), fe.feCounters, now);
  for (const be of rt.backends.values()) {
    const b = entry(be.counters, be.counters, rt.startedAt);
    tickCounters(b, be.counters, now);
    tickState(b, backendDown(be), now);
    for (const s of be.servers) {
      const e = entry(s.counters, s.counters, rt.startedAt);
      tickCounters(e, s.counters, now);
      tickState(e, serverDown(s), now);
    }
  }
}

export function startSampler(rt: Runtime): void {
  if (timers.has(rt)) return;
  sampleOnce(rt);
  const t = setInterval(() => sampleOnce(rt), 1000);
  t.unref();
  timers.set(rt, t);
}

export function stopSampler(rt: Runtime): void {
  const t = timers.get(rt);
  if (t) clearInterval(t);
  timers.delete(rt);
}

/** The sampled facts of a counters object (frontend, backend or server); undefined before the first sample. */
export function sampled(c: Counters): Sampled | undefined {
  return samples.get(c);
}

/** Total downtime in ms up to `now`. */
export function downtimeMs(s: Sampled, now = Date.now()): number {
  return s.downtime + (s.wasDown && s.downSince > 0 ? now - s.downSince : 0);
}

/**
 * `clear counters`: rate maximums restart (and, with `all`, the state history too). The
 * latency maximums (qtime_max … ttime_max) restart as well, as HAProxy's do; with `all`
 * the caller has already given the counters fresh histograms.
 */
export function resetSamples(c: Counters, all: boolean): void {
  for (const m of MEASURES) c.lat[m].max = 0;
  const s = samples.get(c);
  if (!s) return;
  s.rateMax = s.rate;
  s.reqRateMax = s.reqRate;
  if (all) { s.chkdown = 0; s.downtime = 0; if (s.wasDown) s.downSince = Date.now(); s.prevStot = 0; s.prevReq = 0; }
}
