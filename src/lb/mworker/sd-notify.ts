/**
 * systemd's readiness protocol for `-Ws` (Type=notify units): one datagram of
 * `KEY=VALUE` lines to the UNIX socket named by NOTIFY_SOCKET (a path, or '@' for an
 * abstract name). The master sends READY=1 once a worker serves, RELOADING=1 when a reload
 * starts (with MONOTONIC_USEC, which newer systemd requires for notify-reload), READY=1
 * again when it ends, STOPPING=1 on the way out. Without NOTIFY_SOCKET nothing is sent,
 * and a failure to send never stops the balancer: readiness is advice to the supervisor.
 */
import { openUnixDgram } from '../log/unix-dgram.ts';

export function sdNotify(state: string): void {
  const path = process.env.NOTIFY_SOCKET;
  if (!path) return;
  const counters = { sent: 0, dropped: 0, errors: 0 };
  try {
    const sink = openUnixDgram(path, counters);
    sink.send(Buffer.from(state.endsWith('\n') ? state : `${state}\n`));
    sink.close();
  } catch { /* no supervisor to tell */ }
}

/** The RELOADING=1 message with the monotonic timestamp systemd ≥ 253 asks for. */
export function reloadingMessage(): string {
  return `RELOADING=1\nMONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`;
}
