/**
 * Regenerates test/corpus/verdicts.json from HAProxy itself:
 *   node test/corpus/record-verdicts.ts            (uses /usr/sbin/haproxy or $HAPROXY_BIN)
 *   node test/corpus/record-verdicts.ts --verbose  (also prints HAProxy's stderr per file)
 * A file is "valid" when `haproxy -c -f FILE` exits 0 and "invalid" for any other status
 * (1 for errors, 2 for "no error but will not start", e.g. no listener).
 */
import { writeFileSync } from 'node:fs';
import {
  HAPROXY_BIN, VERDICTS_FILE, checkConfig, haproxyAvailable, listCorpusFiles, verdictOf,
  type Verdict,
} from './harness.ts';

if (!haproxyAvailable()) {
  console.error(`record-verdicts: ${HAPROXY_BIN} not found; set HAPROXY_BIN`);
  process.exit(1);
}
const verbose = process.argv.includes('--verbose');
const verdicts: Record<string, Verdict> = {};
for (const name of listCorpusFiles()) {
  const r = await checkConfig(HAPROXY_BIN, name);
  verdicts[name] = verdictOf(r);
  console.log(`${verdicts[name].padEnd(7)} exit=${r.code} ${name}`);
  if (verbose) {
    const lines = r.stderr.split('\n').filter((l) => /\[(ALERT|WARNING)\]/.test(l));
    for (const l of lines) console.log(`    ${l}`);
  }
}
writeFileSync(VERDICTS_FILE, JSON.stringify(verdicts, null, 2) + '\n');
const counts = Object.values(verdicts).reduce((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {} as Record<string, number>);
console.log(`wrote ${VERDICTS_FILE}: ${JSON.stringify(counts)}`);
