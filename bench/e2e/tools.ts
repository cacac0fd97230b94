// bench/e2e/tools.ts — locating external tools and describing the machine.
// Contract: findTools() resolves haproxy, nginx, wrk and taskset to absolute paths (PATH plus
// /usr/sbin and /sbin) or reports which Debian packages are missing; it installs nothing.
// machineLine() returns one Markdown line: date, nproc + CPU model, haproxy -v, nginx -v, node.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';

export interface Tools {
  readonly haproxy: string;
  readonly nginx: string;
  readonly wrk: string;
  readonly taskset: string;
}

const PACKAGE: Record<keyof Tools, string> = {
  haproxy: 'haproxy',
  nginx: 'nginx',
  wrk: 'wrk',
  taskset: 'util-linux',
};

function which(name: string): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return null;
}

export function findTools(): { tools: Tools } | { missing: string[]; packages: string[] } {
  const names = Object.keys(PACKAGE) as (keyof Tools)[];
  const found: Partial<Record<keyof Tools, string>> = {};
  const missing: (keyof Tools)[] = [];
  for (const n of names) {
    const p = which(n);
    if (p === null) missing.push(n);
    else found[n] = p;
  }
  if (missing.length > 0) return { missing, packages: missing.map((m) => PACKAGE[m]) };
  return { tools: found as Tools };
}

/** First line of a command's stdout+stderr ('' if it cannot run). */
function firstLine(file: string, args: string[]): string {
  try {
    const out = execFileSync('/bin/sh', ['-c', '"$0" "$@" 2>&1', file, ...args], { encoding: 'utf8', timeout: 5000 });
    return out.trim().split('\n')[0] ?? '';
  } catch {
    return '';
  }
}

export function cpuModel(): string {
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m?.[1] !== undefined) return m[1].trim();
  } catch {
    // fall through
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

export function machineLine(tools: Tools): string {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const hv = firstLine(tools.haproxy, ['-v']).replace(/\s+-\s+https?:\/\/\S+$/, '');
  const nv = firstLine(tools.nginx, ['-v']).replace(/^nginx version:\s*/, '');
  return `${date} · nproc ${os.cpus().length} · ${cpuModel()} · ${hv} · ${nv} · node ${process.version}`;
}
