/**
 * Entry point behind bin/switchyard: `switchyard lab …` goes to the lab, everything else
 * is the balancer with HAProxy's command line. User mistakes (SyError) print one clear
 * message and exit 1; anything else is a bug and keeps its stack trace.
 */
import { SyError } from './shared/errors.ts';
import { alert } from './shared/log.ts';
import { runBalancer } from './lb/main.ts';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'lab') {
    const { runLab } = await import('./lab/cli/main.ts');
    return runLab(argv.slice(1));
  }
  return runBalancer(argv);
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof SyError) {
      alert(e.message);
      process.exit(1);
    }
    throw e;
  },
);
