/**
 * What one probe concludes, in HAProxy's vocabulary: a status code (shown in stats as
 * L4OK, L7STS, …) with its human text, the outcome for the rise/fall counter, and the
 * details the state-change log line prints (HTTP code, info, duration).
 */

export type CheckStatus =
  | 'L4OK' | 'L4TOUT' | 'L4CON' | 'SOCKERR'
  | 'L7OK' | 'L7OKC' | 'L7TOUT' | 'L7RSP' | 'L7STS' | 'HANA';

/** HAProxy's description of each status, as its logs print it. */
export const STATUS_TEXT: Readonly<Record<CheckStatus, string>> = {
  L4OK: 'Layer4 check passed',
  L4TOUT: 'Layer4 timeout',
  L4CON: 'Layer4 connection problem',
  SOCKERR: 'Socket error',
  L7OK: 'Layer7 check passed',
  L7OKC: 'Layer7 check conditionally passed',
  L7TOUT: 'Layer7 timeout',
  L7RSP: 'Layer7 invalid response',
  L7STS: 'Layer7 wrong status',
  HANA: 'Health analyze',
};

/**
 * passed / failed move the counter; condpass counts as passed but asks for the NOLB
 * (drain) state (disable-on-404); neutral leaves health alone (an agent that cannot be
 * reached, an agent reply without a state word).
 */
export type CheckOutcome = 'passed' | 'failed' | 'condpass' | 'neutral';

export interface CheckResult {
  outcome: CheckOutcome;
  status: CheckStatus;
  /** HTTP status (or 0 for the agent) when the log line shows "code: N". */
  code?: number;
  info?: string;
  durationMs: number;
}

/** Where a probe connects and how long it may take. */
export interface ProbeTarget {
  /** IP address, or a UNIX socket path when `port` is 0 and it starts with '/'. */
  host: string;
  port: number;
  /** Bound on the TCP connect (ms). */
  connectTimeout: number;
  /** Bound on connect + exchange (ms). */
  totalTimeout: number;
  /** With `timeout check`: the exchange's own bound, counted from the connection (ms). */
  readTimeout?: number;
}
