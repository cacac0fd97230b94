/**
 * Health-check checks that need a whole `server` line or the whole configuration, run
 * once every file was read (from the config finaliser): agent-check without a port,
 * check together with track, track targets that do not exist, have nothing to follow or
 * loop back, observe layer7 outside mode http, and rules without their option. Wording
 * is HAProxy 2.6's.
 */
import type { ParseContext } from '../config/context.ts';
import type { ProxyConfig, ServerConfig } from '../config/types.ts';

export function validateHealthChecks(ctx: ParseContext): void {
  const backends = new Map<string, ProxyConfig>();
  for (const p of ctx.config.proxies) if (p.cap.backend) backends.set(p.name, p);
  for (const p of backends.values()) {
    const hc = p.healthCheck;
    if (hc.httpRules.length > 0 && !hc.httpRulesInherited && hc.kind !== 'http') {
      ctx.warning(`${p.kind} '${p.name}' uses http-check rules without 'option httpchk', so the rules are ignored.`, p.where);
    }
    if (hc.tcpRules.length > 0 && !hc.tcpRulesInherited && hc.kind !== 'tcp-check') {
      ctx.warning(`${p.kind} '${p.name}' uses tcp-check rules without 'option tcp-check', so the rules are ignored.`, p.where);
    }
    for (const s of p.servers) {
      const c = s.check;
      const what = `'server ${p.name}/${s.name}'`;
      if (c.agent && c.agentPort === 0) {
        ctx.alert('SY_ERR_CFG_ARG', `${what} : server ${s.name} does not have agent port. Agent check has been disabled (set 'agent-port').`, s.where);
      }
      const portless = s.address.kind === 'inet' && s.address.port === null;
      const rulePort = hc.kind === 'http' ? hc.httpRules[0] : hc.kind === 'tcp-check' ? hc.tcpRules[0] : undefined;
      if (c.enabled && portless && c.port === 0 && !(rulePort?.kind === 'connect' && rulePort.port > 0)) {
        ctx.alert('SY_ERR_CFG_ADDRESS', `config: ${p.kind} '${p.name}': server '${s.name}' has neither service port nor check port (set 'port' for the checks).`, s.where);
      }
      if (c.enabled && c.track) {
        ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `${what} : unable to enable checks and tracking at the same time!`, s.where);
      }
      if (c.observe === 'layer7' && p.mode !== 'http') {
        ctx.warning(`${what} : 'layer7' can only be used in http proxies; 'observe' is ignored.`, s.where);
        c.observe = 'none';
      }
      if (c.track) validateTrack(ctx, backends, p, s, what);
    }
  }
}

function validateTrack(ctx: ParseContext, backends: Map<string, ProxyConfig>, p: ProxyConfig, s: ServerConfig, what: string): void {
  const target = findTracked(backends, p, s);
  if (typeof target === 'string') {
    ctx.alert('SY_ERR_CFG_REFERENCE', `${what} : ${target}.`, s.where);
    return;
  }
  const [tp, ts] = target;
  if (!ts.check.enabled && !ts.check.agent && !ts.check.track) {
    ctx.alert('SY_ERR_CFG_REFERENCE', `${what} : unable to use ${tp.name}/${ts.name} for tracking as it does not have any check nor agent enabled.`, s.where);
    return;
  }
  // Follow the chain; coming back to `s` is a loop (a chain ending elsewhere is fine).
  const seen = new Set<ServerConfig>([s]);
  let cur: [ProxyConfig, ServerConfig] | string = target;
  while (typeof cur !== 'string' && cur[1].check.track) {
    if (seen.has(cur[1])) break;
    seen.add(cur[1]);
    cur = findTracked(backends, cur[0], cur[1]);
    if (typeof cur !== 'string' && cur[1] === s) {
      ctx.alert('SY_ERR_CFG_REFERENCE', `${what} : unable to track ${tp.name}/${ts.name} as it belongs to a tracking chain looping back to ${p.name}/${s.name}.`, s.where);
      return;
    }
  }
  if (ts === s) {
    ctx.alert('SY_ERR_CFG_REFERENCE', `${what} : unable to track ${tp.name}/${ts.name} as it belongs to a tracking chain looping back to ${p.name}/${s.name}.`, s.where);
  }
}

/** The server `s` tracks, or why it cannot be found. */
export function findTracked(backends: Map<string, ProxyConfig>, p: ProxyConfig, s: ServerConfig): [ProxyConfig, ServerConfig] | string {
  const t = s.check.track!;
  const tp = t.proxy === null ? p : backends.get(t.proxy);
  if (!tp) return `unable to find required proxy '${t.proxy}' for tracking`;
  const ts = tp.servers.find((x) => x.name === t.server);
  if (!ts) return `unable to find required server '${t.server}' for tracking`;
  return [tp, ts];
}
