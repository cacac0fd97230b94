/**
 * Resolves server (and bind) host names once at start-up through the system resolver (HAProxy's
 * default `init-addr libc`). Every failure is collected with the server's file:line so
 * the operator sees all of them at once.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Config, Diagnostic } from '../config/types.ts';

/** Returns resolved addresses keyed by "backend/server", and diagnostics for failures. */
export async function resolveServers(config: Config): Promise<{ addresses: Map<string, string>; diagnostics: Diagnostic[] }> {
  const addresses = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const jobs: Promise<void>[] = [];
  for (const p of config.proxies) {
    for (const s of p.servers) {
      const a = s.address;
      if (a.kind !== 'inet') continue;
      const key = `${p.name}/${s.name}`;
      if (isIP(a.host)) { addresses.set(key, a.host); continue; }
      jobs.push(
        lookup(a.host, { family: a.family === 0 ? 0 : a.family }).then(
          (r) => { addresses.set(key, r.address); },
          () => {
            diagnostics.push({
              severity: 'alert', code: 'SY_ERR_CFG_ADDRESS', where: s.where,
              message: `'server ${key}' : could not resolve address '${a.host}'.`,
            });
          },
        ),
      );
    }
  }
  // Bind addresses given as names must resolve too (HAProxy resolves them while parsing).
  for (const p of config.proxies) {
    for (const b of p.binds) {
      for (const a of b.addresses) {
        if (a.kind !== 'inet' || a.host === '' || isIP(a.host) || /^[0-9.]+$/.test(a.host)) continue;
        jobs.push(lookup(a.host, { family: a.family === 0 ? 0 : a.family }).then(
          () => undefined,
          () => {
            diagnostics.push({
              severity: 'alert', code: 'SY_ERR_CFG_ADDRESS', where: b.where,
              message: `'bind' : invalid address: '${a.host}' in '${b.text}' (the name does not resolve).`,
            });
          },
        ));
      }
    }
  }
  await Promise.all(jobs);
  return { addresses, diagnostics };
}
