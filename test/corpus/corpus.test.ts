/**
 * Real-world-shaped HAProxy configurations (test/corpus/cfg/*.cfg) checked with
 * `bin/switchyard -c -f FILE`; the expected verdict of each file is HAProxy 2.6's own,
 * recorded in verdicts.json by record-verdicts.ts. When HAProxy is installed, each subtest
 * also re-runs `haproxy -c` so the recorded truth cannot drift from the real thing.
 *
 * Both programs get the same minimal environment (PATH + CORPUS_ENV from harness.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CFG_DIR, HAPROXY_BIN, SWITCHYARD_BIN, VERDICTS_FILE, checkConfig, haproxyAvailable,
  listCorpusFiles, verdictOf, type RunResult, type Verdict,
} from './harness.ts';

/**
 * How an invalid file's error must be reported. 'line' (the default): an [ALERT] naming
 * cfg/FILE.cfg:LINE. 'alert': only an [ALERT] is required, because HAProxy reports the
 * problem against a proxy, not a line (dangling backend references are resolved after
 * parsing). 'exit': only a non-zero exit, because HAProxy prints no [ALERT] at all
 * (a config with no listener: "has no error but will not start", exit 2).
 */
type Report = 'line' | 'alert' | 'exit';
const REPORT: Readonly<Record<string, Report>> = {
  'invalid-default-backend-is-frontend.cfg': 'alert',
  'invalid-default-backend-missing.cfg': 'alert',
  'invalid-use-backend-missing.cfg': 'alert',
  'invalid-no-listener.cfg': 'exit',
};

/**
 * Files where Switchyard deliberately differs from HAProxy 2.6, each with the reason
 * (also listed in docs/configuration.md). Switchyard must give the opposite verdict,
 * with a file:line alert when it rejects.
 */
const DELIBERATE_DIFFERENCES: Readonly<Record<string, string>> = {
  'quirk-lenient-integers.cfg': 'HAProxy reads a non-numeric integer as 0 (so `maxconn many` means unlimited) and ignores words after `balance roundrobin`; Switchyard rejects both',
};

const verdicts = JSON.parse(readFileSync(VERDICTS_FILE, 'utf8')) as Record<string, Verdict>;
const files = listCorpusFiles();
const haveHaproxy = haproxyAvailable();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches "cfg/NAME.cfg:LINE" as it appears in an ALERT, whatever prefix the path has. */
function lineRef(name: string): RegExp {
  return new RegExp(`(^|[/\\s\\[])cfg/${escapeRegExp(name)}:\\d+`, 'm');
}

function describe(r: RunResult): string {
  return `exit=${r.code}\n--- stderr ---\n${r.stderr.trimEnd()}\n--- stdout ---\n${r.stdout.trimEnd()}`;
}

/** Asserts that an invalid file's diagnostics are reported the way REPORT requires. */
function assertReported(who: string, name: string, r: RunResult): void {
  const report = REPORT[name] ?? 'line';
  if (report === 'exit') return;
  assert.match(r.stderr, /\[ALERT\]/, `${who} printed no [ALERT] for ${name}\n${describe(r)}`);
  if (report === 'line') {
    assert.match(r.stderr, lineRef(name), `${who} did not name ${name}:LINE in its stderr\n${describe(r)}`);
  }
}

test('corpus bookkeeping: every file has a verdict, every verdict a file', () => {
  assert.ok(files.length >= 35, `expected at least 35 corpus files, found ${files.length}`);
  assert.deepEqual(files.filter((f) => !(f in verdicts)), [], 'files missing from verdicts.json (run record-verdicts.ts)');
  assert.deepEqual(Object.keys(verdicts).filter((f) => !files.includes(f)).sort(), [], 'stale entries in verdicts.json');
  for (const f of Object.keys(REPORT)) assert.equal(verdicts[f], 'invalid', `REPORT lists ${f}, which is not invalid`);
  for (const f of files) {
    const first = readFileSync(join(CFG_DIR, f), 'utf8').split('\n')[0] ?? '';
    assert.match(first, /^# \S/, `${f} must start with a comment line saying what it exercises`);
  }
});

test('HAProxy configuration corpus', { concurrency: 4 }, async (t) => {
  if (!existsSync(SWITCHYARD_BIN)) {
    t.skip(`${SWITCHYARD_BIN} not found`);
    return;
  }
  await Promise.all(files.map((name) => t.test(name, async (st) => {
    const expected = verdicts[name];
    assert.ok(expected, `${name} has no recorded verdict`);

    await st.test('haproxy agrees with the recorded verdict', async (ht) => {
      if (!haveHaproxy) {
        ht.skip('haproxy not installed');
        return;
      }
      const h = await checkConfig(HAPROXY_BIN, name);
      assert.equal(verdictOf(h), expected, `haproxy now says ${verdictOf(h)} for ${name}\n${describe(h)}`);
      if (expected === 'invalid') assertReported('haproxy', name, h);
    });

    const r = await checkConfig(SWITCHYARD_BIN, name);
    assert.notEqual(r.code, null, `switchyard was killed or timed out on ${name}\n${describe(r)}`);
    assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, `switchyard crashed with a JS exception on ${name}\n${describe(r)}`);
    const difference = DELIBERATE_DIFFERENCES[name];
    const ours: Verdict = difference === undefined ? expected! : expected === 'valid' ? 'invalid' : 'valid';
    assert.equal(verdictOf(r), ours, `switchyard says ${verdictOf(r)}, expected ${ours} (haproxy: ${expected}${difference ? `; deliberate difference: ${difference}` : ''}) for ${name}\n${describe(r)}`);
    if (ours === 'invalid') assertReported('switchyard', name, r);
  })));
});
