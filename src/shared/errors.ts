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
  // Running
  SY_ERR_RUN_BIND: 'cannot bind listening socket',
  SY_ERR_RUN_PIDFILE: 'cannot write pid file',
  SY_ERR_RUN_SIGNAL: 'cannot signal old process',
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
