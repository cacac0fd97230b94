/**
 * The health of one server as its checks see it, and the one place that turns check
 * results into state changes on the live Backend.
 *
 * A server is up when every source that watches it says so: its own check (rise/fall
 * counter, health.ts), its agent (same rise/fall, but only the agent's up/down words
 * count — an unreachable agent changes nothing), and the server it tracks. Changes go
 * to backend.setHealth (which handles slow start, queues and algorithms), are logged in
 * HAProxy's words (messages.ts), and are passed on to the servers that track this one.
 *
 * Observed traffic (`observe layer4|layer7`) counts consecutive errors; at `error-limit`
 * the `on-error` action acts on the check's counter and brings the next check forward.
 * disable-on-404 maps HAProxy's NOLB state onto the admin state 'drain', and undoes only
 * a drain it set itself. Timers live here too; scheduler.ts creates, links and starts
 * the monitors.
 */
import type { Backend } from '../core/backend.ts';
import type { Server } from '../core/server.ts';
import type { ProxyCheckConfig, ServerCheckParams } from './config.ts';
import type { CheckResult, CheckStatus, ProbeTarget } from './types.ts';
import { HealthCounter } from './health.ts';
import { probeConnect } from './tcp.ts';
import { runHttpCheck } from './http.ts';
import { runTcpCheck } from './tcp-check.ts';
import { probeAgent, type AgentReply } from './agent.ts';
import { healthLine, noServerLine, stateLine, type Counts } from './messages.ts';
import { alert, warning } from '../../shared/log.ts';
import { proxyEvent, LOG_ALERT, LOG_EMERG, LOG_NOTICE } from '../log/events.ts';

/** What traffic tells about a server (calls from the streams, see observe.ts). */
export type ObservedEvent = 'l4-ok' | 'l4-fail' | 'l7-ok' | 'l7-fail';

const registry = new WeakMap<Server, ServerMonitor>();
export function monitorOf(server: Server): ServerMonitor | undefined { return registry.get(server); }

/**
 * What the statistics show of a server's checks (stats/collect.ts), read through
 * ServerMonitor.facts(): the last result of the health check and of the agent (null
 * before the first one: HAProxy's INI), whether a probe is running now, and the failed
 * checks that moved the rise/fall counter (HAProxy's chkfail: failures of an up or
 * going-down server; the failures of a server already down are not counted again).
 */
export interface CheckFacts {
  readonly check: CheckResult | null;
  readonly agent: CheckResult | null;
  readonly checkRunning: boolean;
  readonly failedChecks: number;
}

/** Optional core hook: close every session of a server (on-marked-down / on-marked-up). */
type SessionKiller = { shutdownSessions?: (server: Server) => unknown };

export class ServerMonitor {
  readonly server: Server;
  readonly backend: Backend;
  readonly cfg: ServerCheckParams;
  readonly hc: ProxyCheckConfig;
  readonly check: HealthCounter | null;
  readonly agent: HealthCounter | null;
  /** The monitor of the server this one tracks. */
  tracking: ServerMonitor | null = null;
  readonly trackers: ServerMonitor[] = [];
  /** Percent of the interval added or removed at random (global spread-checks). */
  spread = 0;
  /**
   * `enable|disable health|agent` (runtime API): a disabled source sends no probes and
   * later state changes no longer consult its last verdict. Checks of servers made by
   * `add server` start disabled, as in HAProxy.
   */
  checkEnabled = true;
  agentEnabled = true;
  private consecutiveErrors = 0;
  private drainedBy404 = false;
  private lastStatus: CheckStatus | null = null;
  private lastCheck: CheckResult | null = null;
  private lastAgent: CheckResult | null = null;
  private failedChecks = 0;
  private checkTimer: NodeJS.Timeout | null = null;
  private agentTimer: NodeJS.Timeout | null = null;
  private checkBusy = false;
  private stopped = false;

  constructor(backend: Backend, server: Server) {
    this.backend = backend;
    this.server = server;
    this.cfg = server.cfg.check;
    this.hc = backend.cfg.healthCheck;
    this.check = this.cfg.enabled ? new HealthCounter(this.cfg.rise, this.cfg.fall) : null;
    // The agent's own counter is rise 1 / fall 1: one "down" reply is enough (HAProxy 2.6).
    this.agent = this.cfg.agent && this.cfg.agentPort > 0 ? new HealthCounter(1, 1) : null;
    registry.set(server, this);
  }

  /** A read-only snapshot for the statistics (see CheckFacts). */
  facts(): CheckFacts {
    return { check: this.lastCheck, agent: this.lastAgent, checkRunning: this.checkBusy, failedChecks: this.failedChecks };
  }

  /** Up as far as every source is concerned. */
  get healthy(): boolean {
    const check = this.check && this.checkEnabled ? this.check.up : true;
    const agent = this.agent && this.agentEnabled ? this.agent.up : true;
    return check && agent && (this.tracking ? this.tracking.healthy : true);
  }

  // ---- scheduling ---------------------------------------------------------------

  /** The interval before the next check, with the spread-checks jitter. */
  private nextInterval(): number {
    const c = this.cfg;
    const iv = this.check ? this.check.interval(c.inter, c.fastinter, c.downinter) : c.inter;
    return this.jitter(iv);
  }

  private jitter(iv: number): number {
    if (this.spread <= 0) return iv;
    const rv = (iv * this.spread) / 100;
    return Math.max(1, Math.round(iv + rv * (Math.random() * 2 - 1)));
  }

  /** The first interval, before anything is known (HAProxy spreads first checks over it). */
  firstInterval(): number {
    const c = this.cfg;
    return this.check ? this.check.interval(c.inter, c.fastinter, c.downinter) : c.agentInter || c.inter;
  }

  start(checkDelay: number, agentDelay: number): void {
    if (this.check && this.checkEnabled) this.scheduleCheck(checkDelay);
    if (this.agent && this.agentEnabled) this.scheduleAgent(agentDelay);
  }

  /**
   * `enable|disable health`: a re-enabled check probes at once and the state follows
   * what the sources say. Disabling changes no state (HAProxy 2.6 only clears the
   * check's enabled bit): a server its check took down stays down until something else
   * brings it up (`set server … health up`, the agent, a tracked server).
   */
  setCheckEnabled(on: boolean): void {
    if (!this.check || this.checkEnabled === on) return;
    this.checkEnabled = on;
    if (on) { this.scheduleCheck(0); this.refresh(); }
    else if (this.checkTimer) { clearTimeout(this.checkTimer); this.checkTimer = null; }
  }

  /** `enable|disable agent`, the same way. */
  setAgentEnabled(on: boolean): void {
    if (!this.agent || this.agentEnabled === on) return;
    this.agentEnabled = on;
    if (on) { this.scheduleAgent(0); this.refresh(); }
    else if (this.agentTimer) { clearTimeout(this.agentTimer); this.agentTimer = null; }
  }

  /**
   * `set server … health|agent up|down` (and health `stopping`): the source's counter
   * jumps to the state, as if enough probes had agreed; the next probes go on from there.
   * `stopping` is HAProxy's NOLB, mapped onto the admin state drain as disable-on-404 does.
   */
  force(kind: 'check' | 'agent', state: 'up' | 'down' | 'stopping'): void {
    const c = kind === 'check' ? this.check : this.agent;
    if (c) c.health = state === 'down' ? 0 : c.max;
    this.refresh();
    if (state === 'stopping' && this.server.admin === 'ready') {
      this.backend.setAdmin(this.server, 'drain');
      this.drainedBy404 = true;
    } else if (state === 'up' && this.drainedBy404) {
      this.drainedBy404 = false;
      if (this.server.admin === 'drain') this.backend.setAdmin(this.server, 'ready');
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    if (this.agentTimer) clearTimeout(this.agentTimer);
    this.checkTimer = this.agentTimer = null;
    registry.delete(this.server);
  }

  private scheduleCheck(delay: number): void {
    if (this.stopped) return;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => { this.checkTimer = null; void this.runCheck(); }, delay);
    this.checkTimer.unref();
  }

  private scheduleAgent(delay: number): void {
    if (this.stopped) return;
    if (this.agentTimer) clearTimeout(this.agentTimer);
    this.agentTimer = setTimeout(() => { this.agentTimer = null; void this.runAgent(); }, delay);
    this.agentTimer.unref();
  }

  /** Where probes go and their time bounds (HAProxy: timeout check, else inter). */
  private target(host: string, port: number, inter: number): ProbeTarget {
    const t = this.backend.cfg.timeouts;
    if (t.check) {
      const connectTimeout = Math.min(t.connect || inter, inter);
      return { host, port, connectTimeout, totalTimeout: connectTimeout + t.check, readTimeout: t.check };
    }
    return { host, port, connectTimeout: inter, totalTimeout: inter };
  }

  private async runCheck(): Promise<void> {
    if (this.checkBusy || this.stopped) return;
    this.checkBusy = true;
    let result: CheckResult;
    try {
      const target = this.target(this.cfg.addr ?? this.server.host, this.cfg.port || this.server.portFor(0), this.cfg.inter);
      result = this.hc.kind === 'http' ? await runHttpCheck(target, this.hc)
        : this.hc.kind === 'tcp-check' ? await runTcpCheck(target, this.hc.tcpRules)
          : await probeConnect(target);
    } catch (e) {
      result = { outcome: 'failed', status: 'SOCKERR', info: (e as Error).message, durationMs: 0 };
    } finally {
      this.checkBusy = false;
    }
    if (this.stopped || !this.checkEnabled) return;
    this.onCheckResult(result);
    if (!this.checkTimer) this.scheduleCheck(this.nextInterval());
  }

  private async runAgent(): Promise<void> {
    const c = this.cfg;
    const inter = c.agentInter || c.inter;
    let out: Awaited<ReturnType<typeof probeAgent>>;
    try {
      out = await probeAgent(this.target(c.agentAddr ?? this.server.host, c.agentPort, inter), c.agentSend);
    } catch {
      out = { result: { outcome: 'neutral', status: 'SOCKERR', durationMs: 0 }, reply: null };
    }
    if (this.stopped || !this.agentEnabled) return;
    this.onAgentResult(out.result, out.reply);
    this.scheduleAgent(this.jitter(inter));
  }

  // ---- results --------------------------------------------------------------------

  onCheckResult(r: CheckResult): void {
    const c = this.check!;
    const moved = r.outcome === 'failed' ? c.failure() : r.outcome === 'neutral' ? false : c.success();
    this.lastCheck = r;
    if (r.outcome === 'failed' && moved) this.failedChecks++;
    if (r.outcome === 'passed' || r.outcome === 'condpass') this.consecutiveErrors = 0;
    this.logHealth('Health', r, c, moved);
    this.refresh(r);
    if (r.outcome === 'condpass' && this.server.health === 'up' && this.server.admin === 'ready') {
      this.backend.setAdmin(this.server, 'drain');
      this.drainedBy404 = true;
      this.logChange('stopping', r, undefined, 0);
    } else if (r.outcome === 'passed' && this.drainedBy404) {
      this.drainedBy404 = false;
      if (this.server.admin === 'drain') {
        this.backend.setAdmin(this.server, 'ready');
        this.logChange('UP', r, undefined, 0);
      }
    }
  }

  onAgentResult(r: CheckResult, reply: AgentReply | null): void {
    if (reply) this.applyAgentReply(reply);
    this.lastAgent = r;
    const a = this.agent!;
    const moved = r.outcome === 'failed' ? a.failure() : r.outcome === 'passed' ? a.success() : false;
    this.logHealth('Agent', r, a, moved);
    this.refresh(r);
  }

  private applyAgentReply(reply: AgentReply): void {
    const { backend, server } = this;
    if (reply.weightPercent !== undefined) backend.setAgentWeight(server, reply.weightPercent);
    if (reply.maxconn !== undefined) backend.setServerMaxconn(server, reply.maxconn);
    if (reply.admin && reply.admin !== server.admin) {
      const before = this.anyUsable();
      const change = backend.setAdmin(server, reply.admin);
      if (reply.admin === 'maint' && change.changed) {
        const counts = this.counts();
        warning(`${server.backup ? 'Backup ' : ''}Server ${backend.name}/${server.name} is going DOWN for maintenance. ${counts.active} active and ${counts.backup} backup servers left. ${server.served} sessions active, ${change.requeued} requeued, ${server.queue.length} remaining in queue.`);
        if (before > 0 && this.anyUsable() === 0) alert(noServerLine(backend.name));
      }
    }
  }

  private logHealth(kind: 'Health' | 'Agent', r: CheckResult, c: HealthCounter, moved: boolean): void {
    const changed = r.status !== this.lastStatus;
    this.lastStatus = r.status;
    if (!this.hc.logHealthChecks || (!moved && !changed) || r.outcome === 'neutral') return;
    const line = healthLine(kind, this.backend.name, this.server.name, this.server.backup, r, c.describe(this.server.weight));
    warning(line);
    proxyEvent(this.backend.name, LOG_NOTICE, line);
  }

  /** Servers that can take traffic at all (for "has no server available!"). */
  private anyUsable(): number {
    let n = 0;
    for (const s of this.backend.servers) if (s.usable) n++;
    return n;
  }

  /**
   * Brings the live server in line with `healthy`. `via` names the tracked server when
   * the change comes from it; `depth` guards against a tracking loop that escaped
   * configuration checks.
   */
  refresh(r?: CheckResult, via?: string, depth = 0): void {
    if (depth > 32) return;
    const up = this.healthy;
    if ((this.server.health === 'up') === up) return;
    const before = this.anyUsable();
    const change = this.backend.setHealth(this.server, up, r ? reasonOf(r) : `via ${via ?? ''}`);
    if (!change.changed) return;
    if (this.server.admin !== 'maint') this.logChange(up ? 'UP' : 'DOWN', this.hc.logHealthChecks ? undefined : r, via, change.requeued);
    if (!up && before > 0 && this.anyUsable() === 0) {
      alert(noServerLine(this.backend.name));
      // The log line names the backend without quotes (HAProxy 2.6).
      proxyEvent(this.backend.name, LOG_EMERG, `backend ${this.backend.name} has no server available!`);
    }
    const killer = this.backend as Backend & SessionKiller;
    if (!up && this.cfg.shutdownOnDown) killer.shutdownSessions?.(this.server);
    if (up && this.cfg.shutdownBackupOnUp && !this.server.backup) {
      for (const s of this.backend.servers) if (s.backup) killer.shutdownSessions?.(s);
    }
    if (!up) this.drainedBy404 = false;
    const name = `${this.backend.name}/${this.server.name}`;
    for (const t of this.trackers) t.refresh(undefined, name, depth + 1);
  }

  private logChange(state: 'UP' | 'DOWN' | 'stopping', r: CheckResult | undefined, via: string | undefined, requeued: number): void {
    const s = this.server;
    const line = stateLine({
      backend: this.backend.name, server: s.name, backup: s.backup, state, result: r, via,
      counts: this.counts(), sessions: s.served, requeued, queued: s.queue.length,
    });
    warning(line);
    proxyEvent(this.backend.name, state === 'DOWN' ? LOG_ALERT : LOG_NOTICE, line);
  }

  private counts(): Counts {
    let active = 0;
    let backup = 0;
    // HAProxy counts servers that can take traffic: usable and with a weight.
    for (const s of this.backend.servers) if (s.usable && s.weight > 0) s.backup ? backup++ : active++;
    return { active, backup };
  }


  // ---- observed traffic -------------------------------------------------------------

  observed(ev: ObservedEvent, detail?: string): void {
    if (!this.check || this.cfg.observe === 'none' || this.stopped) return;
    if (ev.startsWith('l7') && this.cfg.observe !== 'layer7') return;
    if (ev.endsWith('-ok')) { this.consecutiveErrors = 0; return; }
    if (++this.consecutiveErrors < this.cfg.errorLimit) return;
    const n = this.consecutiveErrors;
    this.consecutiveErrors = 0;
    const last = detail ?? (ev === 'l4-fail' ? 'L4 unsuccessful connection' : 'Wrong http response');
    const r: CheckResult = { outcome: 'failed', status: 'HANA', info: `Detected ${n} consecutive errors, last one was: ${last}`, durationMs: 0 };
    const c = this.check;
    let moved = false;
    if (this.cfg.onError === 'fail-check') moved = c.failure();
    else if (this.cfg.onError === 'sudden-death') moved = c.suddenDeath();
    else if (this.cfg.onError === 'mark-down') moved = c.markDown();
    if (this.cfg.onError !== 'fastinter') {
      this.lastCheck = r;
      if (moved) this.failedChecks++;
      this.logHealth('Health', r, c, moved);
      this.refresh(r);
    }
    // Every action brings the next check forward to fastinter.
    if (!this.checkBusy) this.scheduleCheck(this.cfg.fastinter || this.cfg.inter);
  }
}

function reasonOf(r: CheckResult): string {
  return r.info ? `${r.status}: ${r.info}` : r.status;
}
