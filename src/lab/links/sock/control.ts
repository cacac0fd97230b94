/**
 * Control client: one request per connection to a relay's UNIX socket, like HAProxy's
 * stats socket — connect, send one JSON line, read one JSON line, close. Stateless, so any
 * later CLI invocation can talk to a cable created by an earlier one.
 */
import net from 'node:net';
import { SyError, type ErrorCode } from '../../../shared/errors.ts';
import { readJsonLines } from './lines.ts';
import type { ControlRequest } from './types.ts';

export function controlRequest(ctlPath: string, req: ControlRequest, timeoutMs = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(ctlPath);
    let done = false;
    const finish = (err: Error | null, v?: Record<string, unknown>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(v as Record<string, unknown>);
    };
    const timer = setTimeout(() => finish(new SyError('SY_ERR_SOCK_CONTROL', `${req.op}: no answer from ${ctlPath} in ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => finish(new SyError('SY_ERR_SOCK_CONTROL', `${req.op}: cannot reach relay at ${ctlPath}: ${e.message}`)));
    sock.on('close', () => finish(new SyError('SY_ERR_SOCK_CONTROL', `${req.op}: relay closed the connection`)));
    readJsonLines(
      sock,
      (v) => {
        const r = v as { ok?: boolean; code?: string; error?: string };
        if (r.ok) finish(null, r as Record<string, unknown>);
        else finish(new SyError((r.code as ErrorCode) ?? 'SY_ERR_SOCK_CONTROL', r.error ?? 'request failed'));
      },
      () => finish(new SyError('SY_ERR_SOCK_CONTROL', `${req.op}: malformed answer`)),
    );
    sock.write(`${JSON.stringify(req)}\n`);
  });
}
