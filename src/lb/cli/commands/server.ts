/**
 * `add server <backend>/<name> <addr>[:port] [options]` and `del server <backend>/<name>`
 * (admin), HAProxy 2.6's dynamic servers.
 *
 * add: only in a backend whose algorithm follows weight changes (Backend.
 * acceptsDynamicServers); the options are read by the configuration's server parser
 * (config/sections/server-dynamic.ts). The server starts in maintenance unless
 * `enabled` is given; its checks (`check`, `agent-check`) are built but stay off until
 * `enable health` / `enable agent`; `track` may follow a configured server that has a
 * check or an agent, not another dynamic one (deleting it would break the chain). A
 * host name is kept as written and resolved when connecting (HAProxy resolves nothing
 * for dynamic servers and leaves them without address).
 *
 * del: the server must be in maintenance, unreferenced (no tracker, no use-server rule),
 * and have nothing in progress (no session on it, nothing queued); idle pooled
 * connections went when it entered maintenance.
 *
 * HAProxy ends some of these answers without the empty line; bare() keeps that.
 */
import type { CliCommand } from '../types.ts';
import { bare } from '../types.ts';
import type { Runtime } from '../../core/runtime.ts';
import type { Backend } from '../../core/backend.ts';
import { Server } from '../../core/server.ts';
import { findBackend } from '../target.ts';
import { parseDynamicServer } from '../../config/sections/server-dynamic.ts';
import { ServerMonitor, monitorOf } from '../../check/monitor.ts';

type Ref = { ok: true; be: Backend; name: string } | { ok: false; error: string };

function parseRef(rt: Runtime, ref: string | undefined): Ref {
  const slash = ref?.indexOf('/') ?? -1;
  if (ref === undefined || slash < 0) return { ok: false, error: "Require 'backend/server'.\n" };
  const be = findBackend(rt, ref.slice(0, slash));
  if (!be) return { ok: false, error: 'No such backend.\n' };
  return { ok: true, be, name: ref.slice(slash + 1) };
}

/** The monitor a new server tracks, or the refusal. */
function trackTarget(rt: Runtime, be: Backend, track: { proxy: string | null; server: string }): ServerMonitor | string {
  const pxName = track.proxy ?? be.name;
  const px = rt.backends.get(pxName);
  const target = px?.servers.find((s) => s.name === track.server);
  if (!px || !target) return `unable to find required server '${pxName}/${track.server}' for tracking.\n`;
  if (target.dynamic) return `unable to use ${pxName}/${target.name} for tracking as it is a dynamic server.\n`;
  const m = monitorOf(target);
  if (!m || (!m.check && !m.agent)) return `unable to use ${pxName}/${target.name} for tracking as it does not have any check nor agent enabled.\n`;
  return m;
}

export const addServer: CliCommand = {
  words: ['add', 'server'], usage: 'add server <bk>/<srv>', help: 'create a new server', level: 'admin',
  run(rt, args) {
    const ref = parseRef(rt, args[0]);
    if (!ref.ok) return bare(ref.error);
    const { be, name } = ref;
    if (!be.acceptsDynamicServers()) return bare('Backend must use a dynamic load balancing to support dynamic servers.\n');
    const parsed = parseDynamicServer(rt.config, be.cfg, be.servers.map((s) => s.cfg), name, args.slice(1));
    if (!parsed.ok) return `${parsed.error}\n`;
    if (be.servers.some((s) => s.name === name)) return 'Already exists a server with the same name in backend.\n';
    const cfg = parsed.cfg;
    let target: ServerMonitor | null = null;
    if (cfg.check.track) {
      const t = trackTarget(rt, be, cfg.check.track);
      if (typeof t === 'string') return t;
      target = t;
    }
    // Maintenance unless the last of `enabled` / `disabled` is `enabled`.
    cfg.disabled = args.slice(2).reverse().find((w) => w === 'enabled' || w === 'disabled') !== 'enabled';
    const s = new Server(cfg);
    s.dynamic = true;
    be.addServer(s);
    if (cfg.check.enabled || cfg.check.agent || target) {
      const m = new ServerMonitor(be, s);
      m.checkEnabled = false;
      m.agentEnabled = false;
      // Unlike a configured server, a dynamic one is not presumed healthy: once its
      // check is enabled it needs `rise` successes (HAProxy 2.6 starts it at 0 too).
      if (m.check) m.check.health = 0;
      if (target) { m.tracking = target; target.trackers.push(m); }
      rt.dynamicMonitors.add(m);
      m.refresh();
    }
    return 'New server registered.\n';
  },
};

/** Whether a stream of any frontend is attached to `s` (a session on it, even between requests). */
function attached(rt: Runtime, s: Server): boolean {
  for (const fe of rt.frontends) for (const st of fe.streams) if (st.server === s) return true;
  return false;
}

export const delServer: CliCommand = {
  words: ['del', 'server'], usage: 'del server <bk>/<srv>', help: 'remove a server', level: 'admin',
  run(rt, args) {
    const ref = parseRef(rt, args[0]);
    if (!ref.ok) return bare(ref.error);
    const { be, name } = ref;
    const s = be.servers.find((x) => x.name === name);
    if (!s) return bare('No such server.\n');
    if (s.admin !== 'maint') return bare('Only servers in maintenance mode can be deleted.\n');
    const m = monitorOf(s);
    if ((m && m.trackers.length > 0) || be.cfg.useServers.some((u) => u.name === name)) {
      return bare('This server cannot be removed at runtime due to other configuration elements pointing to it.\n');
    }
    if (s.served > 0 || s.queue.length > 0 || attached(rt, s)) return bare('Server still has connections attached to it, cannot remove it.\n');
    if (m) {
      m.stop();
      rt.dynamicMonitors.delete(m);
      const list = m.tracking?.trackers;
      if (list && list.includes(m)) list.splice(list.indexOf(m), 1);
    }
    be.removeServer(s);
    return bare('Server deleted.\n');
  },
};
