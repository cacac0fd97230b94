/**
 * The balancer's life: command line → configuration → checks → (daemon) → bind → run,
 * with HAProxy's exit codes (0 ok, 1 error, 2 for `-c` on a config with no listener).
 * runBalancer() returns an exit code, or -1 while the balancer keeps running (signals end it).
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseCmdLine, USAGE, type CmdLine } from './cmdline.ts';
import { parseConfigFiles } from './config/parser.ts';
import { hasListeners } from './config/finalize.ts';
import { evaluateCondition, ConditionError } from './config/conditions.ts';
import { tokenize, TokenizeError } from './config/tokenizer.ts';
import { resolveServers } from './core/resolve.ts';
import { Runtime } from './core/runtime.ts';
import { reportDiagnostics, reportFatal } from './report.ts';
import { versionText } from './version-text.ts';
import { runMaster } from './mworker/master.ts';
import { adoptListeners, isWorker, serveMaster } from './mworker/worker.ts';
import { takeOverListeners, takeOverNotice } from './mworker/takeover.ts';
import { setInheritedListeners } from './core/bind.ts';
import { SyError } from '../shared/errors.ts';
import { alert, notice, setDiag, setQuiet, setSink } from '../shared/log.ts';
import type { Config } from './config/types.ts';

const DAEMON_CHILD_ENV = 'SWITCHYARD_DAEMON_CHILD';

export async function runBalancer(argv: string[]): Promise<number> {
  const cmd = parseCmdLine(argv);
  switch (cmd.action) {
    case 'help': process.stdout.write(USAGE); return 0;
    case 'version': process.stdout.write(versionText(false)); return 0;
    case 'version-verbose': process.stdout.write(versionText(true)); return 0;
    case 'check-condition':
      try {
        // As in HAProxy, the expression is tokenized first (quotes, "${VAR}" expansion).
        return evaluateCondition(tokenize(cmd.condition!).words.join(' ')) ? 0 : 1;
      } catch (e) {
        if (e instanceof ConditionError || e instanceof TokenizeError) { alert(`failed to evaluate condition '${cmd.condition}': ${e.message}`); return 2; }
        throw e;
      }
  }
  setQuiet(cmd.quiet && !cmd.verbose);
  setDiag(cmd.diag);
  if (cmd.chdir) {
    try { process.chdir(cmd.chdir); } catch (e) { throw new SyError('SY_ERR_CLI_USAGE', `-C: cannot change to directory '${cmd.chdir}': ${(e as Error).message}`); }
  }
  if (isWorker()) asWorker(cmd);
  const loaded = await loadConfig(cmd);
  if (!loaded.ok) return loaded.code;
  const { config, addresses } = loaded;
  if (cmd.action === 'check') {
    if (!loaded.listens) {
      process.stdout.write('Configuration file has no error but will not start (no listener) => exit(2).\n');
      return 2;
    }
    if (loaded.warnings > 0) process.stdout.write('Warnings were found.\n');
    process.stdout.write('Configuration file is valid\n');
    return 0;
  }
  if (!loaded.listens) {
    alert('[switchyard.main()] No enabled listener found (check for \'bind\' directives) ! Exiting.');
    return 1;
  }
  return run(config, addresses, cmd);
}

export type LoadResult =
  | { ok: true; config: Config; addresses: Map<string, string>; warnings: number; listens: boolean }
  | { ok: false; code: number };

/**
 * Reads, resolves and checks the configuration, printing every diagnostic; not ok means
 * it must not run (the exit code is 1). The master-worker master calls it again on reload.
 */
export async function loadConfig(cmd: CmdLine): Promise<LoadResult> {
  const parsed = parseConfigFiles(cmd.files);
  const config = parsed.config;
  applyCommandLineOverrides(config, cmd);
  const diags = [...parsed.diagnostics];
  if (!parsed.ok) {
    reportDiagnostics(diags);
    reportFatal(config.files);
    return { ok: false, code: 1 };
  }
  const resolved = await resolveServers(config);
  for (const d of resolved.diagnostics) {
    if (cmd.ignoreResolveFailures) diags.push({ ...d, severity: 'warning', message: `${d.message} Ignored (-dr): the server starts in maintenance.` });
    else diags.push(d);
  }
  if (cmd.ignoreResolveFailures) markUnresolvedInMaint(config, resolved.addresses);
  const counts = reportDiagnostics(diags);
  if (counts.alerts > 0) { reportFatal(config.files); return { ok: false, code: 1 }; }
  if (cmd.zeroWarning && counts.warnings > 0) {
    alert('Some warnings were found and \'zero-warning\' is set. Aborting.');
    return { ok: false, code: 1 };
  }
  return { ok: true, config, addresses: resolved.addresses, warnings: counts.warnings, listens: hasListeners(parsed) };
}

function applyCommandLineOverrides(config: Config, cmd: CmdLine): void {
  if (cmd.maxconn !== undefined) config.global.maxconn = cmd.maxconn;
  if (cmd.proxyMaxconn !== undefined) {
    for (const p of config.proxies) if (p.maxconn === undefined) p.maxconn = cmd.proxyMaxconn;
  }
  if (cmd.pidfile) config.global.pidfile = cmd.pidfile;
  if (cmd.quiet) config.global.quiet = true;
  if (config.global.quiet && !cmd.verbose) setQuiet(true);
}

function markUnresolvedInMaint(config: Config, addresses: Map<string, string>): void {
  for (const p of config.proxies) {
    for (const s of p.servers) {
      if (s.address.kind === 'inet' && !addresses.has(`${p.name}/${s.name}`)) s.disabled = true;
    }
  }
}

async function run(config: Config, addresses: Map<string, string>, cmd: CmdLine): Promise<number> {
  const daemon = (cmd.daemon || config.global.daemon) && !cmd.foreground;
  if (daemon && process.env[DAEMON_CHILD_ENV] === undefined) return forkDaemon();
  const isDaemonChild = process.env[DAEMON_CHILD_ENV] !== undefined && typeof process.send === 'function';
  if (isDaemonChild) {
    // Until we are up, messages go to the parent, which prints them and exits accordingly.
    setSink((line) => process.send!({ line }));
  }
  const detach = (): void => {
    if (!isDaemonChild) return;
    process.send!({ ready: true }, () => {
      setSink(() => { /* detached: no terminal to write to */ });
      process.disconnect();
    });
  };
  if ((cmd.masterWorker || config.global.masterWorker) && !isWorker()) {
    return runMaster({
      cmd, config, load: () => loadConfig(cmd), argv: process.argv.slice(2), ready: detach,
      failed: (code) => { if (isDaemonChild) process.send!({ failed: true }, () => process.exit(code)); else process.exit(code); },
    });
  }
  const rt = new Runtime(config, addresses);
  try {
    if (isWorker()) adoptListeners();
    else if (cmd.oldSocket !== undefined) takeOver(config, cmd.oldSocket);
    await rt.start();
    dropPrivileges(config);
    if (config.global.pidfile && !isWorker()) {
      try {
        writeFileSync(config.global.pidfile, `${process.pid}\n`);
      } catch (e) {
        throw new SyError('SY_ERR_RUN_PIDFILE', `[switchyard.main()] Cannot create pidfile ${config.global.pidfile}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    rt.stop();
    if (e instanceof SyError) {
      alert(e.message);
      if (isDaemonChild) process.send!({ failed: true }, () => process.exit(1));
      else process.exitCode = 1;
      return -1;
    }
    throw e;
  }
  signalOldProcesses(cmd);
  installSignals(rt);
  if (isWorker()) serveMaster(rt);
  detach();
  return -1;
}

/** -x: listen on the old process's sockets where they match (src/lb/mworker/takeover.ts). */
function takeOver(config: Config, path: string): void {
  const { adopted, received } = takeOverListeners(config, path);
  setInheritedListeners(adopted);
  notice(takeOverNotice(adopted.size, received, path));
}

/**
 * A master-worker worker runs the master's command line as a plain balancer: in the
 * foreground, without pidfile, daemon, old-process signals or a master of its own (the
 * master did those), in the directory the master already changed to.
 */
function asWorker(cmd: CmdLine): void {
  cmd.foreground = true;
  cmd.daemon = false;
  cmd.masterWorker = false;
  cmd.masterCli = [];
  cmd.pidfile = undefined;
  cmd.chdir = undefined;
  cmd.softStopPids = [];
  cmd.hardStopPids = [];
}

function dropPrivileges(config: Config): void {
  const { user, group } = config.global;
  try {
    if (group !== undefined) process.setgid!(group);
    if (user !== undefined) process.setuid!(user);
  } catch (e) {
    throw new SyError('SY_ERR_CLI_USAGE', `[switchyard.main()] Cannot set ${user !== undefined ? `uid '${user}'` : ''}${group !== undefined ? ` gid '${group}'` : ''}: ${(e as Error).message}`);
  }
}

function signalOldProcesses(cmd: CmdLine): void {
  const send = (pids: number[], sig: NodeJS.Signals): void => {
    for (const pid of pids) {
      try { process.kill(pid, sig); } catch (e) {
        notice(`[switchyard.main()] cannot send ${sig} to old process ${pid}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
    }
  };
  send(cmd.softStopPids, 'SIGUSR1');
  send(cmd.hardStopPids, 'SIGTERM');
}

function installSignals(rt: Runtime): void {
  // A worker reports the signal in its status (128 + number) as if it had died of it:
  // its master tells an operator's SIGINT (exit 130) from its own SIGTERM (normal).
  const hard = (sig: NodeJS.Signals): void => {
    rt.stop();
    process.exit(isWorker() ? 128 + osConstants.signals[sig] : 0);
  };
  process.on('SIGINT', hard);
  process.on('SIGTERM', hard);
  // SIGUSR2 and SIGHUP ask a master to reload; a worker must never die of them.
  if (isWorker()) process.on('SIGUSR2', () => { /* the master's signal */ });
  process.on('SIGUSR1', () => {
    notice('Stopping frontends (soft stop): existing sessions will finish.');
    void rt.softStop().then(() => process.exit(0));
  });
  // HAProxy uses SIGHUP/SIGTTOU/SIGTTIN/SIGQUIT for dumps and listener pauses; never die on them.
  for (const sig of ['SIGHUP', 'SIGTTOU', 'SIGTTIN', 'SIGQUIT'] as const) {
    process.on(sig, () => notice(`${sig} received: not implemented yet, ignored.`));
  }
}

/** Re-runs ourselves detached; waits for the child to report that it is listening. */
function forkDaemon(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: { ...process.env, [DAEMON_CHILD_ENV]: '1' },
    });
    let settled = false;
    child.on('message', (m: { line?: string; ready?: boolean; failed?: boolean }) => {
      if (m.line) process.stderr.write(m.line);
      if (m.ready && !settled) { settled = true; child.unref(); child.channel?.unref(); resolve(0); }
      if (m.failed && !settled) { settled = true; resolve(1); }
    });
    child.on('exit', (code) => { if (!settled) { settled = true; resolve(code ?? 1); } });
  });
}
