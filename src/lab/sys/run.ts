/**
 * Running system tools (ip, tc, sysctl …) — the only place the lab calls external
 * commands for kernel objects. A failing command becomes SY_ERR_LAB_SYSTEM naming the
 * command and quoting its stderr; `ip -batch` errors name the failing batch line.
 */
import { spawn } from 'node:child_process';
import { SyError } from '../../shared/errors.ts';

export type RunResult = { code: number; stdout: string; stderr: string };
export type RunOptions = { input?: string; allowFail?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv };

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SyError('SY_ERR_LAB_ENV', `cannot run ${cmd}: ${e.code ?? e.message}${e.code === 'ENOENT' ? ' (install iproute2)' : ''}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const r = { code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (r.code !== 0 && !opts.allowFail) {
        reject(new SyError('SY_ERR_LAB_SYSTEM', `${[cmd, ...args].join(' ')} failed (exit ${r.code}${signal ? `, ${signal}` : ''}): ${r.stderr.trim() || r.stdout.trim()}`));
      } else resolve(r);
    });
    child.stdin.on('error', () => { /* the command may exit before reading all input */ });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * `ip [-n NETNS] [-force] -batch -`: many objects for one process start (~6× faster than
 * one `ip` per object). Without `force` ip stops at the first failing line and we report
 * it; with `force` it runs every line (teardown) and failures are returned, not thrown.
 */
export async function ipBatch(lines: readonly string[], opts: { netns?: string; force?: boolean } = {}): Promise<RunResult> {
  if (lines.length === 0) return { code: 0, stdout: '', stderr: '' };
  const args = [...(opts.netns ? ['-n', opts.netns] : []), ...(opts.force ? ['-force'] : []), '-batch', '-'];
  return run('ip', args, { input: lines.join('\n') + '\n', allowFail: opts.force });
}

/** JSON output of an `ip -j …` command ([] when it prints nothing). */
export async function ipJson<T>(args: readonly string[], allowFail = false): Promise<T[]> {
  const r = await run('ip', ['-j', ...args], { allowFail });
  if (r.code !== 0) return [];
  const t = r.stdout.trim();
  return t ? (JSON.parse(t) as T[]) : [];
}

/** Run `fn` over `items` with at most `limit` in flight; rejects with the first error
 *  after every started call settled (so rollback never races a half-started call). */
export async function parallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: unknown = null;
  const worker = async (): Promise<void> => {
    while (next < items.length && firstError === null) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        firstError ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== null) throw firstError;
}

/**
 * Many `ip -n NS -batch` jobs for ONE process start from Node: a shell runs them in the
 * background, up to 64 at a time. Forking this (large) Node process costs ~5 ms per
 * spawn here, a shell's fork of `ip` far less — 100 namespaces configure in ~0.25 s
 * instead of ~1.1 s. Names and lines come from resolve() (validated charset), and each
 * batch travels in a quoted heredoc, so nothing is expanded by the shell. Throws
 * SY_ERR_LAB_SYSTEM naming every namespace whose batch failed and ip's message.
 */
export type NetnsJob = {
  netns: string;
  /** `ip -batch` lines run in the namespace. */
  lines: readonly string[];
  /** sysctls written first (`ip netns exec NS sysctl -w k=v …`); keys use `.` or `/`. */
  sysctls?: Readonly<Record<string, string>>;
};

/** Single-quote for sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function ipBatchParallel(jobs: readonly NetnsJob[], width = 64): Promise<void> {
  const work = jobs.filter((j) => j.lines.length > 0 || Object.keys(j.sysctls ?? {}).length > 0);
  if (work.length === 0) return;
  const parts: string[] = [];
  work.forEach(({ netns: ns, lines, sysctls }, i) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(ns) || lines.some((l) => l.includes('SY_EOF'))) throw new Error(`ipBatchParallel: unsafe input for ${ns}`);
    const kv = Object.entries(sysctls ?? {}).map(([k, v]) => shq(`${k}=${v}`));
    const pre = kv.length ? `ip netns exec ${ns} sysctl -q -w ${kv.join(' ')} 2>&1 && ` : '';
    const batch = lines.length ? `ip -n ${ns} -batch - 2>&1 <<'SY_EOF'\n${lines.join('\n')}\nSY_EOF\n` : 'true';
    parts.push(`( out=$(${pre}${batch}) || printf 'SY_FAIL %s %s\\n' ${ns} "$(echo $out)" ) &`);
    if ((i + 1) % width === 0) parts.push('wait');
  });
  parts.push('wait');
  const r = await run('sh', ['-s'], { input: parts.join('\n') + '\n', timeoutMs: 120_000 });
  const fails = r.stdout.split('\n').filter((l) => l.startsWith('SY_FAIL '));
  if (fails.length) {
    throw new SyError('SY_ERR_LAB_SYSTEM', `configuring namespaces failed in ${fails.length} namespace${fails.length > 1 ? 's' : ''}:\n${fails.map((l) => `  ${l.slice(8)}`).join('\n')}`);
  }
}

/** `ip -j <args>` (default `-s link show`) in many namespaces for one process start from
 *  Node: a shell runs them one after another, each output introduced by a marker line.
 *  Missing namespaces give no entry. `args` are fixed words of ours, never user input. */
export async function ipLinksOfNamespaces<T>(namespaces: readonly string[], args = '-s link show'): Promise<Map<string, T[]>> {
  const out = new Map<string, T[]>();
  const list = [...new Set(namespaces)].filter((ns) => /^[A-Za-z0-9_.-]+$/.test(ns));
  if (list.length === 0) return out;
  const script = list.map((ns) => `echo '@@SY ${ns}'; ip -n ${ns} -j ${args} 2>/dev/null`).join('\n') + '\n';
  const r = await run('sh', ['-s'], { input: script, allowFail: true });
  let current: string | null = null;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('@@SY ')) current = line.slice(5);
    else if (current && line.trim().startsWith('[')) {
      try {
        out.set(current, JSON.parse(line) as T[]);
      } catch {
        /* partial output: leave it out */
      }
    }
  }
  return out;
}
