/**
 * The statistics page as an HTTP service inside the proxy (HAProxy's stats applet).
 * HttpStream calls statsMatches() on each request of a proxy whose `stats` is set, and,
 * for a match, statsResponse() once the request body (bounded) has arrived: it returns
 * the whole response (head and body) to send.
 */
import type { StatsConfig } from './config.ts';

export interface StatsRequest {
  readonly cfg: StatsConfig;
  readonly method: string;
  /** request-target as received. */
  readonly target: string;
  /** First field named `name` (lower-case), or undefined. */
  header(name: string): string | undefined;
  readonly body: Buffer;
  readonly clientAddr: string;
}

export function statsMatches(cfg: StatsConfig, target: string): boolean {
  return target.startsWith(cfg.uri);
}

export function statsResponse(_req: StatsRequest): Buffer | Promise<Buffer> {
  const body = 'statistics page: not implemented yet\n';
  return Buffer.from(`HTTP/1.1 503 Service Unavailable\r\ncontent-length: ${body.length}\r\ncontent-type: text/plain\r\ncache-control: no-cache\r\n\r\n${body}`, 'latin1');
}
