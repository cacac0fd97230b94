/**
 * Checks that need the whole configuration, after every file was read (HAProxy's
 * check_config_validity): backend references, loops, features not served yet, and the
 * warnings operators expect (missing timeouts, frontends without bind).
 */
import type { ParseContext } from './context.ts';
import type { ProxyConfig } from './types.ts';
import { assignServerIds } from './sections/server.ts';
import { effectiveBalance } from '../algo/config.ts';
import { validateHealthChecks } from '../check/validate.ts';
import { finalizeProxyLog } from './sections/log.ts';
import { checkInspectDelay } from './sections/tcp-request.ts';
import { checkCaptureIds } from './sections/capture.ts';
import { checkTableRefs } from '../stick/refs.ts';
import { prepareStickTables } from '../stick/rules.ts';

export function finalize(ctx: ParseContext): void {
  const { proxies } = ctx.config;
  const backends = new Map<string, ProxyConfig>();
  for (const p of proxies) if (p.cap.backend) backends.set(p.name, p);

  for (const p of proxies) {
    assignServerIds(ctx, p);
    finalizeProxyLog(ctx, p);
    checkInspectDelay(ctx, p);
    checkCaptureIds(ctx, p);
    for (const u of p.useServers) {
      if (!p.servers.some((s) => s.name === u.name)) ctx.alert('SY_ERR_CFG_REFERENCE', `${p.kind} '${p.name}' : unable to find server '${u.name}' referenced in a 'use-server' rule.`, u.where);
    }
    // `errorfiles NAME [CODE…]`: the section's files for those codes (all when none), except
    // codes the proxy sets itself with `errorfile`.
    for (const ref of p.errorfilesRefs) {
      const sec = ctx.config.httpErrors?.get(ref.name);
      if (!sec) { ctx.alert('SY_ERR_CFG_REFERENCE', `${p.kind} '${p.name}': unable to find http-errors section '${ref.name}'.`, ref.where); continue; }
      for (const [code, body] of Object.entries(sec.files)) {
        const c = Number(code);
        if (ref.codes.length > 0 && !ref.codes.includes(c)) continue;
        if (!(c in p.errorfiles)) p.errorfiles[c] = body;
      }
    }
    // In mode tcp, HTTP rules are ignored with a warning (HAProxy); a tcp frontend with an
    // http backend still runs the backend's rules (the stream is HTTP then).
    if (p.mode === 'tcp' && p.httpRequestRules.length > 0) {
      ctx.warning(`'http-request' rules ignored for ${p.kind} '${p.name}' as they require HTTP mode.`, null);
      p.httpRequestRules = [];
    }
    if (p.mode === 'tcp' && p.httpResponseRules.length > 0) {
      ctx.warning(`'http-response' rules ignored for ${p.kind} '${p.name}' as they require HTTP mode.`, null);
      p.httpResponseRules = [];
    }
    if (p.cap.backend) {
      const eff = effectiveBalance(p.balance, p.mode);
      if (eff !== p.balance) {
        ctx.warning(`${p.kind} '${p.name}' : 'balance ${p.balance.algorithm}' hashes the HTTP request, which needs 'mode http'; using 'roundrobin' instead.`, p.where);
        p.balance = eff;
      }
    }
    if (p.cap.frontend) {
      // A dynamic use_backend name is resolved per request (an unknown one falls back to default_backend).
      const refs = [...p.useBackends.filter((u) => !u.dynamic).map((u) => ({ ...u, kw: 'use_backend' })), ...(p.defaultBackend ? [{ ...p.defaultBackend, kw: 'default_backend' }] : [])];
      for (const r of refs) {
        const be = backends.get(r.name);
        if (!be) {
          ctx.alert('SY_ERR_CFG_REFERENCE', `Proxy '${p.name}': unable to find required ${r.kw}: '${r.name}'.`, r.where);
        } else if (p.mode === 'http' && be.mode === 'tcp') {
          ctx.alert('SY_ERR_CFG_REFERENCE', `Proxy '${p.name}': unable to use backend '${r.name}' in 'mode tcp' from a 'mode http' frontend.`, r.where);
        } else if (be === p) {
          ctx.alert('SY_ERR_CFG_REFERENCE', `Proxy '${p.name}': loop detected for ${r.kw}: '${r.name}'.`, r.where);
        }
      }
      if (p.binds.length === 0) {
        ctx.warning(`${p.kind} '${p.name}' has no 'bind' directive. Please declare it as a backend if this was intended.`, p.where);
      }
    }
    const missing: string[] = [];
    if (p.cap.frontend && !p.timeouts.client) missing.push('client');
    if (p.cap.backend && !p.timeouts.connect) missing.push('connect');
    if (p.cap.backend && !p.timeouts.server) missing.push('server');
    if (missing.length > 0) {
      ctx.warning(`missing timeouts for ${p.kind} '${p.name}'.\n   | While not properly invalid, you will certainly encounter various problems\n   | with such a configuration. To fix this, please ensure that all following\n   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.`, null);
    }
  }
  validateHealthChecks(ctx);
  // Stick tables named by track-sc*, stick rules, sc_/src_/table_ keywords must exist.
  checkTableRefs(ctx);
  prepareStickTables(ctx, proxies);
  const tune = ctx.config.global.tune ?? {};
  const bufsize = tune.bufsize ?? 16_384;
  const maxrewrite = tune.maxrewrite ?? Math.min(1024, bufsize / 2);
  if (maxrewrite >= bufsize - 512) {
    ctx.alert('SY_ERR_CFG_ARG', `'tune.maxrewrite' (${maxrewrite}) leaves less than 512 bytes of 'tune.bufsize' (${bufsize}) for a message head.`, null);
  }
}

/** True if at least one frontend would listen: HAProxy refuses to start otherwise (exit 2). */
export function hasListeners(ctx: { config: { proxies: ProxyConfig[] } }): boolean {
  return ctx.config.proxies.some((p) => p.cap.frontend && p.binds.length > 0);
}
