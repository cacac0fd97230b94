/**
 * The server line of the runtime API's `add server <backend>/<name> <addr> [options]`,
 * read by the configuration's own `server` parser so that options mean, and errors
 * read, the same as in a file.
 *
 * What differs from a configuration line, as in HAProxy 2.6: `default-server` settings
 * are not applied; only the options HAProxy accepts on a dynamic server may be used
 * (others answer "'KW' option is not accepted for dynamic server"); an `id` already
 * used in the backend is refused; without `id` the smallest free one is taken. Whether
 * the server starts in maintenance (the default), and what `track` may follow, is the
 * command's business (cli/commands/server.ts): it needs the live backends.
 */
import type { Config, ProxyConfig, ServerConfig } from '../types.ts';
import { ParseContext } from '../context.ts';
import { parseServer, SERVER_OPTIONS } from './server.ts';

/** Options of ours that HAProxy 2.6 accepts on `add server` (its list, intersected with what we serve). */
const DYNAMIC_OPTIONS = new Set([
  'agent-addr', 'agent-check', 'agent-inter', 'agent-port', 'agent-send', 'addr', 'backup', 'no-backup', 'check',
  'disabled', 'downinter', 'enabled', 'error-limit', 'fall', 'fastinter', 'id', 'inter', 'maxconn', 'maxqueue',
  'minconn', 'observe', 'on-error', 'on-marked-down', 'on-marked-up', 'pool-max-conn', 'pool-purge-delay', 'port',
  'rise', 'slowstart', 'track', 'weight',
]);

export type DynamicServer = { ok: true; cfg: ServerConfig } | { ok: false; error: string };

/** `existing`: the backend's servers now (configured and dynamic), for ids and the scratch list. */
export function parseDynamicServer(config: Config, be: ProxyConfig, existing: readonly ServerConfig[], name: string, words: readonly string[]): DynamicServer {
  // Refused options first, walking arguments the way the parser will.
  for (let i = 1; i < words.length; i++) {
    const k = words[i]!;
    if (!DYNAMIC_OPTIONS.has(k) && SERVER_OPTIONS[k] !== undefined) return { ok: false, error: `'${k}' option is not accepted for dynamic server` };
    if (k === 'id' || SERVER_OPTIONS[k]?.args === 1) i++;
  }
  const ctx = new ParseContext(config, process.env);
  ctx.where = { file: '(cli)', line: 0 };
  // A scratch copy of the backend: the parser appends to its list and reads no defaults.
  // (A server of the same name is left out: the command reports it after option errors, as HAProxy.)
  const scratch: ProxyConfig = { ...be, servers: existing.filter((s) => s.name !== name), serverDefaults: {} };
  parseServer(ctx, scratch, ['server', name, ...words]);
  const alert = ctx.diagnostics.find((d) => d.severity === 'alert');
  if (alert) return { ok: false, error: alert.message };
  const cfg = scratch.servers[scratch.servers.length - 1]!;
  // The per-server rules the configuration checks once every file is read (check/validate.ts), same words.
  const what = `'server ${be.name}/${name}'`;
  const c = cfg.check;
  if (c.agent && c.agentPort === 0) return { ok: false, error: `${what} : server ${name} does not have agent port. Agent check has been disabled (set 'agent-port').` };
  if (c.enabled && c.track) return { ok: false, error: `${what} : unable to enable checks and tracking at the same time!` };
  if (c.enabled && cfg.address.kind === 'inet' && cfg.address.port === null && c.port === 0) {
    return { ok: false, error: `config: ${be.kind} '${be.name}': server '${name}' has neither service port nor check port (set 'port' for the checks).` };
  }
  const used = new Map(existing.map((s) => [s.id, s]));
  if (cfg.idExplicit) {
    const other = used.get(cfg.id);
    if (other) return { ok: false, error: `'id' : custom id ${cfg.id} already used at ${other.where.file}:${other.where.line} ('server ${other.name}').` };
  } else {
    let id = 1;
    while (used.has(id)) id++;
    cfg.id = id;
  }
  return { ok: true, cfg };
}
