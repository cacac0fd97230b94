/**
 * HAProxy's command line (`haproxy -h`), the subset Switchyard serves. Hand-written on
 * purpose: HAProxy's flags don't fit a generic parser (`-sf PID PID…` takes a variable
 * number of values, `-db`/`-dr` are distinct flags, `--` ends options and starts files).
 * Returns a typed request or a SyError with the usage text; never exits by itself.
 */
import { SyError } from '../shared/errors.ts';

export interface CmdLine {
  action: 'run' | 'check' | 'version' | 'version-verbose' | 'check-condition' | 'help';
  files: string[];
  foreground: boolean;
  daemon: boolean;
  debug: boolean;
  quiet: boolean;
  verbose: boolean;
  diag: boolean;
  zeroWarning: boolean;
  ignoreResolveFailures: boolean;
  noReusePort: boolean;
  pidfile?: string;
  chdir?: string;
  maxconn?: number;
  proxyMaxconn?: number;
  condition?: string;
  softStopPids: number[];
  hardStopPids: number[];
  /** -W / -Ws: run a master that starts and reloads workers (src/lb/mworker). */
  masterWorker: boolean;
  /** -Ws: also tell systemd (NOTIFY_SOCKET) when ready and reloading. */
  systemd: boolean;
  /** -S ADDR[,OPTION,VALUE…]: master CLI listeners, as written. */
  masterCli: string[];
  /** -x PATH: take the listening sockets of the old process from its stats socket (src/lb/cli/getsocks.ts). */
  oldSocket?: string;
}

export const USAGE = `Usage : switchyard [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
        [ -p <pidfile> ] [ -C <dir> ] [ -c ] [ -cc <expr> ] [ -q ] [ -dW ] [ -dD ] [ -dr ]
        [ -W | -Ws ] [ -S <addr>[,<opts>] ] [ -sf/-st [pid ]* ] [ -x <unix_socket> ] [ -- <cfgfile>* ]
        -v displays version ; -vv shows known build options.
        -d enters debug mode ; -db only disables background mode.
        -V enters verbose mode (disables quiet mode)
        -D goes daemon ; -C changes to <dir> before loading files.
        -W master-worker mode ; -Ws master-worker mode with systemd notify support.
        -S <addr>[,<opts>] master CLI (path, ipv4:port or fd@N; opts: mode <octal>, level <lvl>)
        -q quiet mode : don't display messages
        -c check mode : only check config files and exit
        -cc check condition : evaluate a condition and exit
        -n sets the maximum total # of connections
        -N sets the default, per-proxy maximum # of connections
        -p writes the pid to this file
        -dr ignores server address resolution failures
        -dW fails if any warning is emitted
        -dD diagnostic mode : warn about suspicious configuration statements
        -dR disables SO_REUSEPORT usage
        -sf/-st [pid ]* finishes/terminates old pids.
        -x <unix_socket> get listening sockets from a unix socket
        switchyard lab <verb> ... : the virtual network lab (see docs/lab.md)
`;

/** Flags HAProxy has that we know but don't serve yet: an error that says so. */
const NOT_IMPLEMENTED = new Set(['-m', '-L', '-dM', '-dL', '-dV', '-de', '-dp', '-dS', '-dG']);

function usageError(message: string): SyError {
  return new SyError('SY_ERR_CLI_USAGE', `${message}\n${USAGE}`);
}

export function parseCmdLine(argv: string[]): CmdLine {
  const c: CmdLine = {
    action: 'run', files: [], foreground: false, daemon: false, debug: false, quiet: false,
    verbose: false, diag: false, zeroWarning: false, ignoreResolveFailures: false,
    noReusePort: false, softStopPids: [], hardStopPids: [], masterWorker: false, systemd: false, masterCli: [],
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw usageError(`'${flag}' expects an argument.`);
    return v;
  };
  const intValue = (i: number, flag: string): number => {
    const v = value(i, flag);
    if (!/^\d+$/.test(v)) throw usageError(`'${flag}' expects a positive integer, not '${v}'.`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { c.files.push(...argv.slice(i + 1)); break; }
    switch (a) {
      case '-f': c.files.push(value(i, a)); i++; continue;
      case '-c': c.action = 'check'; continue;
      case '-cc': c.action = 'check-condition'; c.condition = value(i, a); i++; continue;
      case '-v': c.action = 'version'; continue;
      case '-vv': c.action = 'version-verbose'; continue;
      case '-h': case '--help': c.action = 'help'; continue;
      case '-d': c.debug = true; c.foreground = true; continue;
      case '-db': c.foreground = true; continue;
      case '-D': c.daemon = true; continue;
      case '-W': c.masterWorker = true; continue;
      case '-Ws': c.masterWorker = true; c.systemd = true; continue;
      case '-S': c.masterCli.push(value(i, a)); i++; continue;
      case '-q': c.quiet = true; continue;
      case '-V': c.verbose = true; continue;
      case '-dD': c.diag = true; continue;
      case '-dW': c.zeroWarning = true; continue;
      case '-dr': c.ignoreResolveFailures = true; continue;
      case '-dR': c.noReusePort = true; continue;
      case '-p': c.pidfile = value(i, a); i++; continue;
      case '-x': c.oldSocket = value(i, a); i++; continue;
      case '-C': c.chdir = value(i, a); i++; continue;
      case '-n': c.maxconn = intValue(i, a); i++; continue;
      case '-N': c.proxyMaxconn = intValue(i, a); i++; continue;
      case '-sf': case '-st': {
        const list = a === '-sf' ? c.softStopPids : c.hardStopPids;
        while (argv[i + 1] !== undefined && /^\d+$/.test(argv[i + 1]!)) {
          const pid = Number(argv[++i]);
          // HAProxy refuses pid 0 (kill(0, …) would signal our whole process group).
          if (pid <= 0) throw usageError(`'${a}' expects process ids greater than 0, not '${argv[i]}'.`);
          list.push(pid);
        }
        continue;
      }
    }
    if (NOT_IMPLEMENTED.has(a) || (a.startsWith('-dM'))) {
      throw new SyError('SY_ERR_CLI_USAGE', `option '${a}' is a valid HAProxy option but is not implemented yet in Switchyard.`);
    }
    if (a.startsWith('-')) throw usageError(`unknown option '${a}'.`);
    throw usageError(`unexpected argument '${a}' (configuration files are given with -f <file> or after '--').`);
  }
  if ((c.action === 'run' || c.action === 'check') && c.files.length === 0) {
    throw new SyError('SY_ERR_CLI_NO_CONFIG', `No configuration file specified (use -f <file>).\n${USAGE}`);
  }
  return c;
}
