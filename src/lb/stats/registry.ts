/**
 * Which live balancer a statistics page belongs to. The page is served from inside an
 * HTTP stream that only knows its proxy's StatsConfig; the runtime is attached once at
 * start-up (by the CLI server the runtime always builds), and each proxy's StatsConfig
 * object is mapped to it. A WeakMap: a stopped runtime's configuration is not kept alive.
 * Attaching also starts the once-a-second sampler (sampler.ts) that the CSV, the page
 * and the metrics read rates and state-change times from.
 */
import type { Runtime } from '../core/runtime.ts';
import type { ProxyConfig } from '../config/types.ts';
import type { StatsConfig } from './config.ts';
import { startSampler, stopSampler } from './sampler.ts';

const owners = new WeakMap<StatsConfig, { rt: Runtime; proxy: ProxyConfig }>();
/** Every proxy's runtime, for services started by rules (`use-service prometheus-exporter`). */
const runtimes = new WeakMap<ProxyConfig, Runtime>();

/** Makes the runtime's statistics reachable and starts measuring rates and state times. */
export function attachRuntime(rt: Runtime): void {
  for (const p of rt.config.proxies) {
    runtimes.set(p, rt);
    if (p.stats) owners.set(p.stats, { rt, proxy: p });
  }
  startSampler(rt);
}

export function detachRuntime(rt: Runtime): void {
  stopSampler(rt);
}

export function ownerOf(cfg: StatsConfig): { rt: Runtime; proxy: ProxyConfig } | undefined {
  return owners.get(cfg);
}

export function runtimeOf(proxy: ProxyConfig): Runtime | undefined {
  return runtimes.get(proxy);
}
