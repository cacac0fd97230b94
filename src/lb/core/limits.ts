/**
 * Derives the default global maxconn from the open-files limit, as HAProxy does when
 * `maxconn` is not set: each session needs two descriptors (client and server), and a
 * few are kept for listeners, logs and the CLI.
 */
import { readFileSync } from 'node:fs';

const RESERVED_FDS = 30;

export function openFilesLimit(): number {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    if (m && m[1] !== 'unlimited') return Number(m[1]);
  } catch { /* not Linux: fall through */ }
  return 1024;
}

export function defaultMaxconn(): number {
  return Math.max(1, Math.floor((openFilesLimit() - RESERVED_FDS) / 2));
}
