/**
 * The one table of Switchyard's error codes.
 *
 * Contract: a code, once published, keeps its meaning forever; tests and tooling match
 * codes, never message text (messages may be reworded). Add new codes at the end of
 * their group. Every user-facing failure carries one of these codes.
 */
export const ERROR_CODES = {
  // Command line
  SY_ERR_CLI_USAGE: 'invalid command-line usage',
  SY_ERR_CLI_NO_CONFIG: 'no configuration file given',
  // Reading configuration files
  SY_ERR_CFG_READ: 'cannot read configuration file',
  SY_ERR_CFG_SYNTAX: 'malformed line (quotes, escapes, variables)',
  SY_ERR_CFG_UNKNOWN_SECTION: 'unknown section keyword',
  SY_ERR_CFG_UNKNOWN_KEYWORD: 'unknown keyword in this section',
  SY_ERR_CFG_NOT_IMPLEMENTED: 'keyword recognised but not implemented yet',
  SY_ERR_CFG_NOT_ALLOWED: 'keyword not allowed in this section',
  SY_ERR_CFG_ARG: 'missing or invalid keyword argument',
  SY_ERR_CFG_ADDRESS: 'invalid address or port',
  SY_ERR_CFG_DUPLICATE: 'duplicate name',
  SY_ERR_CFG_REFERENCE: 'reference to something that does not exist',
  SY_ERR_CFG_CONDITION: 'invalid conditional block (.if/.elif/.else/.endif)',
  SY_ERR_CFG_DIRECTIVE_ALERT: '.alert directive reached',
  SY_ERR_CFG_ACL: 'invalid ACL, pattern or condition',
  SY_ERR_CFG_SAMPLE: 'invalid sample expression (fetch, converter or argument)',
  SY_ERR_CFG_PATTERN_FILE: 'cannot read or parse a pattern or map file',
  SY_ERR_CFG_LOG_FORMAT: 'invalid log-format string (unknown variable, bad flags, HTTP-only variable in TCP mode)',
  // Running
  SY_ERR_RUN_BIND: 'cannot bind listening socket',
  SY_ERR_RUN_PIDFILE: 'cannot write pid file',
  SY_ERR_RUN_SIGNAL: 'cannot signal old process',
  SY_ERR_RUN_LOG: 'cannot open a log target',
  SY_ERR_RUN_WORKER: 'master-worker: a worker failed to start or died',
  SY_ERR_RUN_MASTER_CLI: 'master CLI (-S): invalid address or option, or cannot bind',
  SY_ERR_RUN_GETSOCKS: '-x: cannot take the listening sockets of the old process',
  // Lab: userspace "sock" cables (src/lab/links/sock)
  SY_ERR_SOCK_NAME: 'invalid sock cable or interface name',
  SY_ERR_SOCK_TAP: 'cannot create or configure a TAP device',
  SY_ERR_SOCK_IMPAIRMENT: 'invalid impairment value',
  SY_ERR_SOCK_RELAY: 'sock cable relay failed to start or died',
  SY_ERR_SOCK_CONTROL: 'sock cable control request failed',
  SY_ERR_SOCK_PATH: 'lab state path unusable (too long for a UNIX socket?)',
  // Lab: topologies, nodes, kernel links, CLI (src/lab, except sock)
  SY_ERR_LAB_READ: 'cannot read topology file',
  SY_ERR_LAB_YAML: 'malformed YAML in topology file',
  SY_ERR_LAB_FIELD: 'unknown, missing or mistyped topology field',
  SY_ERR_LAB_NAME: 'invalid lab, node, lan or interface name',
  SY_ERR_LAB_ADDRESS: 'invalid IP address, prefix or MAC address',
  SY_ERR_LAB_DUPLICATE: 'duplicate name, interface, address or MAC in topology',
  SY_ERR_LAB_UNKNOWN_KIND: 'unknown node, link or lan kind',
  SY_ERR_LAB_REFERENCE: 'reference to a node, lan or interface that does not exist',
  SY_ERR_LAB_CYCLE: 'cycle in node startup dependencies',
  SY_ERR_LAB_IMPAIRMENT: 'invalid impairment value or impairment not supported by the link kind',
  SY_ERR_LAB_EXISTS: 'lab or kernel object already exists',
  SY_ERR_LAB_NOT_FOUND: 'no such lab, node or link',
  SY_ERR_LAB_SYSTEM: 'system command (ip, tc, sysctl) failed',
  SY_ERR_LAB_PROCESS: 'node process failed to start or died',
  SY_ERR_LAB_ENV: 'lab needs root and iproute2',
  SY_ERR_LAB_CAPTURE: 'packet capture failed (raw socket or relay capture)',
  SY_ERR_LAB_APPLY: 'applying a topology change to a running lab failed (rolled back)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error whose cause is the user's input or environment: print its message, no stack. */
export class SyError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SyError';
    this.code = code;
  }
}
