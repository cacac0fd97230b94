/**
 * The VTest regression suite: every test/vtc/*.vtc run by Debian's varnishtest with
 * HAPROXY_PROGRAM=<repo>/bin/switchyard, one subtest per file (ARCHITECTURE.md §4).
 *
 * Contract of a subtest: varnishtest exits 0 (passed) or 77 (skipped: the file's
 * `feature` line was not met, reported with the file's own reason); anything else fails
 * with varnishtest's whole log in the assertion message, the failing lines ("---- ...")
 * first. varnishtest runs without -q so that a failure prints the log, and with -t so a
 * stuck test ends on its own; a watchdog here only guards against varnishtest itself
 * hanging.
 *
 * Files run a few at a time: most of a .vtc's time is spent waiting on timers and
 * barriers, not CPU, so the suite stays well under a minute on two cores. The tests
 * keep their timing margins wide (hundreds of milliseconds) for the same reason.
 *
 * Environment:
 *   SY_VTC_HAPROXY_PROGRAM  run the suite against another program, e.g. /usr/sbin/haproxy
 *                           to check that the expectations are HAProxy's (files whose
 *                           `feature cmd` asks for feature(SWITCHYARD) are then skipped)
 *   SY_VTC_JOBS             how many files run at once (default 3)
 *   SY_VTC_FILTER           only run files whose name contains this text
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const VARNISHTEST = '/usr/bin/varnishtest';
const PROGRAM = process.env.SY_VTC_HAPROXY_PROGRAM ?? join(ROOT, 'bin', 'switchyard');
const JOBS = Math.max(1, Number(process.env.SY_VTC_JOBS ?? 3) || 3);
/** varnishtest's own per-test time limit, seconds. */
const VTC_TIMEOUT_S = 60;
/** Our watchdog on the varnishtest process itself. */
const WATCHDOG_MS = (VTC_TIMEOUT_S + 15) * 1000;
/** varnishtest's exit status for a test skipped by a `feature` line. */
const EXIT_SKIPPED = 77;
/** The log kept for a failure message; the start and the end matter most. */
const MAX_LOG = 200_000;

interface VtcRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  log: string;
  ms: number;
  watchdog: boolean;
}

function runVtc(file: string): Promise<VtcRun> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(VARNISHTEST, ['-t', String(VTC_TIMEOUT_S), '-j', '1', file], {
      cwd: HERE,
      env: { ...process.env, HAPROXY_PROGRAM: PROGRAM },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    let watchdog = false;
    const timer = setTimeout(() => {
      watchdog = true;
      child.kill('SIGTERM');
    }, WATCHDOG_MS);
    child.on('error', (e) => { clearTimeout(timer); fail(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, log: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started, watchdog });
    });
  });
}

/** The failure lines first, then the log (trimmed in the middle if huge). */
function failureReport(file: string, r: VtcRun): string {
  const failing = r.log.split('\n').filter((l) => l.startsWith('----')).join('\n');
  let log = r.log;
  if (log.length > MAX_LOG) {
    const half = MAX_LOG / 2;
    log = `${log.slice(0, half)}\n[... ${log.length - MAX_LOG} bytes of log left out ...]\n${log.slice(-half)}`;
  }
  const how = r.watchdog ? `killed by the watchdog after ${WATCHDOG_MS} ms`
    : r.signal ? `killed by ${r.signal}` : `exit status ${r.code}`;
  return `varnishtest ${file} failed (${how}, ${r.ms} ms) with HAPROXY_PROGRAM=${PROGRAM}\n` +
    `${failing || '(no "----" line in the log)'}\n\n--- varnishtest log ---\n${log}`;
}

/** Why varnishtest skipped a file: its `feature` lines (it does not say which one failed). */
function skipReason(file: string): string {
  const features = readFileSync(join(HERE, file), 'utf8').split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('feature ') && l !== 'feature ignore_unknown_macro');
  return `varnishtest skipped it: a requirement is not met (${features.join('; ') || 'feature line'})`;
}

const filter = process.env.SY_VTC_FILTER ?? '';
const files = readdirSync(HERE).filter((f) => f.endsWith('.vtc') && f.includes(filter)).sort();
const haveVarnishtest = existsSync(VARNISHTEST);

describe('VTest regression suite (test/vtc/*.vtc)', {
  concurrency: JOBS,
  skip: haveVarnishtest ? false : `${VARNISHTEST} is absent (Debian package 'varnish')`,
}, () => {
  it('has the .vtc files', () => {
    assert.ok(files.length > 0 || filter !== '', `no .vtc file found in ${HERE}`);
  });
  for (const file of files) {
    it(file, async (t) => {
      const r = await runVtc(file);
      if (r.code === EXIT_SKIPPED) {
        t.skip(skipReason(file));
        return;
      }
      assert.ok(r.code === 0, failureReport(file, r));
    });
  }
});
