// bench/e2e/harness.ts — the pieces every e2e bench script shares.
// Contract: probe() sends one GET and checks nginx's body; runWrk() runs one pinned
// `wrk --latency` and parses it; startNginx() starts the nginx backend (configs.ts) pinned to
// a CPU and waits until it answers; startProxy() runs haproxy or bin/switchyard with `-db -f`
// on a config text, pinned, and waits until it listens and answers; benchMain() owns a
// script's lifetime: a temp dir, SIGINT/SIGTERM (stop everything by PID, remove the dir,
// exit 130/143) and the final cleanup; benchArgs/intOpt/onlyOpt/cliOptions read and check
// the options (a bad one: the message and the usage on stderr, exit 2). Used by run.ts,
// rules-cost.ts, rate-limit-drill.ts, log-cost.ts; reload-drill.ts and failure-drill.ts
// take the options part only (they manage their own processes and temp dirs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BODY, nginxConf } from './configs.ts';
import { clkTck, loadMark, otherLoadPct, treeCpu } from './cpu.ts';
import { describeExit, freePort, killAllSync, logTail, type Proc, runToEnd, start, stop, stopAll, waitReady } from './procs.ts';
import { findTools, type Tools } from './tools.ts';
import { parseWrk, type WrkResult } from './wrk.ts';

export type ProxyName = 'haproxy' | 'switchyard';

export const SWITCHYARD_BIN = fileURLToPath(new URL('../../bin/switchyard', import.meta.url));

export function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** One GET through `port`; null if the answer is nginx's body, else what went wrong. */
export function probe(port: number, path = '/'): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c.length < 4096 ? c : ''));
      res.on('end', () =>
        resolve(res.statusCode === 200 && body === BODY ? null : `unexpected answer: HTTP ${res.statusCode} ${JSON.stringify(body.slice(0, 80))}`),
      );
      res.on('error', (e) => resolve(`response error: ${e.message}`));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 3 s')));
    req.on('error', (e) => resolve(`request failed: ${e.message}`));
  });
}

export interface WrkRun {
  readonly tools: Tools;
  readonly dir: string;
  /** CPU list for taskset */
  readonly cpu: string;
  readonly connections: number;
}

/** `taskset -c CPU wrk -t1 -cC -dSs --latency http://127.0.0.1:PORT/`, parsed. */
export async function runWrk(w: WrkRun, port: number, seconds: number, tag: string): Promise<WrkResult> {
  const argv = [w.tools.taskset, '-c', w.cpu, w.tools.wrk, '-t1', `-c${w.connections}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`];
  const { exit, output } = await runToEnd(`wrk ${tag}`, argv, join(w.dir, `wrk-${tag}.log`), (seconds + 30) * 1000);
  if (exit.code !== 0) throw new Error(`wrk ${tag} failed (${describeExit(exit)}): ${output.trim().slice(0, 500)}`);
  return parseWrk(output);
}

/** One measured round: wrk's result and what the proxy (the process tree at `pid`) spent on it. */
export interface MeasuredRound {
  readonly w: WrkResult;
  /** CPU µs (user + system) of the proxy's process tree during the round. */
  readonly cpuUs: number;
  /** The kernel's part of cpuUs. */
  readonly sysUs: number;
  /** That CPU time as a percentage of the round's wall time: 100 = one CPU saturated. */
  readonly busyPct: number;
  /** Percent of the machine's CPU used by processes outside the bench (cpu.ts otherLoadPct). */
  readonly otherCpuPct: number;
}

/** Runs wrk against `port` for `seconds` and measures the proxy rooted at `pid` meanwhile. */
export async function measuredRound(w: WrkRun, pid: number, port: number, seconds: number, tag: string): Promise<MeasuredRound> {
  const mark = loadMark();
  const before = treeCpu(pid);
  const t0 = performance.now();
  const result = await runWrk(w, port, seconds, tag);
  const after = treeCpu(pid);
  const wallUs = (performance.now() - t0) * 1000;
  const cpuUs = ((after.ticks - before.ticks) * 1e6) / clkTck();
  const sysUs = ((after.sysTicks - before.sysTicks) * 1e6) / clkTck();
  return { w: result, cpuUs, sysUs, busyPct: (100 * cpuUs) / Math.max(1, wallUs), otherCpuPct: otherLoadPct(mark, os.cpus().length) };
}

/** Starts nginx (the bench backend) on a free port, pinned to `cpu`; throws if it does not answer. */
export async function startNginx(tools: Tools, dir: string, cpu: string, connections: number): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, nginxConf(dir, port, connections));
  const proc = start('nginx', [tools.taskset, '-c', cpu, tools.nginx, '-p', dir, '-e', join(dir, 'error.log'), '-c', path], join(dir, 'nginx.out'));
  const why = (await waitReady(proc, port, 10000)) ?? (await probe(port));
  if (why !== null) throw new Error(`nginx backend failed: ${why}: ${logTail(proc, 800)}`);
  log(`nginx backend is up (pid ${proc.pid}, 127.0.0.1:${port}, CPU ${cpu})`);
  return { proc, port };
}

/**
 * Runs `name` on config text `cfg` (written as DIR/TAG.cfg), pinned to `cpu`, and waits until
 * `port` accepts and a probe GET of `probePath` returns nginx's body (probePath null: no probe).
 * Returns the process, or why it could not serve (the process is stopped then).
 */
export async function startProxy(
  tools: Tools,
  dir: string,
  name: ProxyName,
  tag: string,
  cfg: string,
  port: number,
  cpu: string,
  probePath: string | null = '/',
): Promise<{ proc: Proc } | { why: string }> {
  const cfgPath = join(dir, `${tag}.cfg`);
  writeFileSync(cfgPath, cfg);
  const bin = name === 'haproxy' ? tools.haproxy : SWITCHYARD_BIN;
  const proc = start(tag, [tools.taskset, '-c', cpu, bin, '-db', '-f', cfgPath], join(dir, `${tag}.log`));
  let why = await waitReady(proc, port, 15000);
  if (why === null && probePath !== null) why = await probe(port, probePath);
  if (why === null) {
    log(`${tag} is up (pid ${proc.pid}, 127.0.0.1:${port}, CPU ${cpu})`);
    return { proc };
  }
  await stop(proc);
  const lines = logTail(proc).split('\n').filter((l) => l.trim() !== '');
  const telling = lines.find((l) => /alert|error|unsupported|not supported|fatal/i.test(l)) ?? lines.at(-1);
  return { why: why + (telling ? `; it said: ${telling.trim()}` : '') };
}

/** Pins this process (all its threads) to `cpu` with taskset; false if that failed. */
export async function pinSelf(tools: Tools, dir: string, cpu: string): Promise<boolean> {
  try {
    const r = await runToEnd('taskset', [tools.taskset, '-a', '-p', '-c', cpu, String(process.pid)], join(dir, 'taskset.log'), 5000);
    return r.exit.code === 0;
  } catch {
    return false;
  }
}

/** Set by SIGINT/SIGTERM: scripts call checkInterrupted() between steps. */
let interrupted: { sig: NodeJS.Signals; code: number } | null = null;

export class UsageError extends Error {}

/** An integer option in min..max (`def` when absent); a UsageError names the option otherwise. */
export function intOpt(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}`);
  return n;
}

/**
 * A bench script's options, parsed strictly by node:util's parseArgs (an unknown option or
 * a positional argument throws, as a usage error): each of `names` takes a value (`--name V`
 * or `--name=V`, checked by the caller, e.g. with intOpt), `--json` is a flag, and
 * -h/--help prints `usage` to stdout and exits 0.
 */
export function benchArgs<N extends string>(argv: string[], usage: string, names: readonly N[]): { values: Partial<Record<N, string>>; json: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
  for (const n of names) options[n] = { type: 'string' };
  const parsed: Record<string, string | boolean | undefined> = parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  if (parsed.help === true) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const values: Partial<Record<N, string>> = {};
  for (const n of names) {
    const v = parsed[n];
    if (typeof v === 'string') values[n] = v;
  }
  return { values, json: parsed.json === true };
}

/** `--only haproxy|switchyard`, or null when absent. */
export function onlyOpt(v: string | undefined): ProxyName | null {
  if (v === undefined) return null;
  if (v !== 'haproxy' && v !== 'switchyard') throw new UsageError('--only must be haproxy or switchyard');
  return v;
}

/**
 * `parse(process.argv.slice(2))`, or null once the error (a UsageError, or node:util
 * parseArgs' unknown-option error) and `usage` are on stderr: the caller then exits 2.
 */
export function cliOptions<O>(usage: string, parse: (argv: string[]) => O): O | null {
  try {
    return parse(process.argv.slice(2));
  } catch (e) {
    log(`${(e as Error).message}\n${usage}`);
    return null;
  }
}

export function checkInterrupted(): void {
  if (interrupted !== null) throw new Error(`interrupted by ${interrupted.sig}`);
}

/**
 * Runs `body(tools, dir)` with the bench's lifetime rules and exits with its status: 2 for a
 * UsageError thrown by `parse` or a missing tool, 1 on an error, 130/143 on a signal.
 */
export function benchMain<O>(usage: string, parse: (argv: string[]) => O, body: (opts: O, tools: Tools, dir: string) => Promise<number>): void {
  let tmpDir: string | null = null;
  let cleaning: Promise<void> | null = null;
  const removeTmp = (): void => {
    if (tmpDir !== null) rmSync(tmpDir, { recursive: true, force: true });
    tmpDir = null;
  };
  const cleanup = (): Promise<void> => (cleaning ??= stopAll().finally(removeTmp));
  const onSignal = (sig: NodeJS.Signals, code: number): void => {
    if (cleaning !== null) {
      killAllSync();
      removeTmp();
      process.exit(code);
    }
    log(`${sig}: stopping everything`);
    interrupted = { sig, code };
    void cleanup().finally(() => process.exit(code));
  };
  const run = async (): Promise<number> => {
    const opts = cliOptions(usage, parse);
    if (opts === null) return 2;
    const found = findTools();
    if ('missing' in found) {
      log(`missing ${found.missing.join(', ')}; install with: apt-get install ${found.packages.join(' ')}`);
      return 2;
    }
    process.on('SIGINT', () => onSignal('SIGINT', 130));
    process.on('SIGTERM', () => onSignal('SIGTERM', 143));
    process.on('exit', () => {
      killAllSync();
      removeTmp();
    });
    tmpDir = mkdtempSync(join(os.tmpdir(), 'switchyard-bench-'));
    return body(opts, found.tools, tmpDir);
  };
  run().then(
    async (code) => {
      await cleanup();
      process.exit(code);
    },
    async (e: unknown) => {
      if (interrupted === null) log(`error: ${e instanceof Error ? e.message : String(e)}`);
      await cleanup();
      process.exit(interrupted?.code ?? 1);
    },
  );
}
