/**
 * Shared plumbing for the HAProxy configuration corpus: where the files live, the fixed
 * environment both programs see, and a runner for `PROGRAM -c -f FILE`.
 *
 * The environment is deliberately minimal (PATH plus CORPUS_ENV) so that `defined(VAR)`,
 * `${VAR-default}` and friends give the same answers on every machine.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));
export const CFG_DIR = join(CORPUS_DIR, 'cfg');
export const REPO_ROOT = join(CORPUS_DIR, '..', '..');
export const VERDICTS_FILE = join(CORPUS_DIR, 'verdicts.json');
export const SWITCHYARD_BIN = join(REPO_ROOT, 'bin', 'switchyard');
export const HAPROXY_BIN = process.env['HAPROXY_BIN'] ?? '/usr/sbin/haproxy';

/** The variables the corpus files rely on. SY_EMPTY is set but empty on purpose. */
export const CORPUS_ENV: Readonly<Record<string, string>> = {
  SY_PORT: '8443',
  SY_BACKEND_HOST: '127.0.0.1',
  SY_PGPORT: '5432',
  SY_ENV: 'prod',
  SY_MAXCONN: '2000',
  SY_WEIGHT: '50',
  SY_EMPTY: '',
  SY_BIND: '127.0.0.1:9001,127.0.0.1:9002',
  SY_SERVER_OPTS: 'weight 30',
};

export type Verdict = 'valid' | 'invalid';

export interface RunResult {
  /** Process exit status; null when it was killed by a signal or timed out. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a child: only PATH and the corpus variables. */
export function corpusEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', ...CORPUS_ENV };
}

/** Sorted names (e.g. "tcp-web-basic.cfg") of all corpus files. */
export function listCorpusFiles(): string[] {
  return readdirSync(CFG_DIR).filter((f) => f.endsWith('.cfg')).sort();
}

/** Path of a corpus file relative to the repository root, as passed to `-f`. */
export function corpusPath(name: string): string {
  return relative(REPO_ROOT, join(CFG_DIR, name));
}

export function haproxyAvailable(): boolean {
  return existsSync(HAPROXY_BIN);
}

/** Runs `bin -c -f FILE` from the repository root with the corpus environment. */
export function checkConfig(bin: string, name: string, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ['-c', '-f', corpusPath(name)],
      { cwd: REPO_ROOT, env: corpusEnv(), timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        let code: number | null = 0;
        if (err) {
          const c: unknown = (err as { code?: unknown }).code;
          if (typeof c === 'number') code = c;
          else if (typeof c === 'string') return reject(new Error(`cannot run ${bin}: ${err.message}`));
          else code = null;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function verdictOf(result: RunResult): Verdict {
  return result.code === 0 ? 'valid' : 'invalid';
}
