/**
 * Process entry of a lab's sock cable relay:
 *   node relay-main.ts <stateDir> --sy-sock=<lab>
 * The tag argument names the lab and marks the process for `clean` (state.ts).
 */
import { runRelay } from './relay.ts';
import { TAG_PREFIX } from './state.ts';

const [stateDir, tag] = process.argv.slice(2);
if (!stateDir || !tag?.startsWith(TAG_PREFIX)) {
  process.stderr.write(`usage: relay-main.ts <stateDir> ${TAG_PREFIX}<lab>\n`);
  process.exit(2);
}
await runRelay(stateDir, tag.slice(TAG_PREFIX.length));
