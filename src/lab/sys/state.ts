/**
 * The lab's state on disk: one directory per lab under the state root, so any later CLI
 * invocation (status, exec, link cut, down, clean) sees what `up` made.
 *
 *   $SWITCHYARD_LAB_DIR (default /run/switchyard/lab, or $XDG_RUNTIME_DIR/switchyard/lab
 *   when not root) / <lab>/
 *     topology.json   the resolved topology (topo/types.ts Topology)
 *     status.json     { phase: creating | up | failed | destroying, pid, since }
 *     objects.jsonl   intent log: one line per kernel object, written BEFORE creating it
 *     procs.jsonl     one line per started process: pid, start time, node, argv
 *     logs/           <node>.<label>.log for each supervised process, <node>.exec.log
 *     nodes/<node>/   generated files (balancer configs …)
 *     bin/            helper commands put on PATH inside nodes (sy-httpd, sy-load)
 *     sock/           the sock cables' files (links/sock/)
 *
 * The intent log is what makes `clean` exact after `kill -9`: an object is recorded
 * before it exists, so it is either in the log or was never created. Appends are
 * synchronous (a killed process loses nothing it wrote).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SyError } from '../../shared/errors.ts';
import type { Topology } from '../topo/types.ts';
import { LAB_NAME_RE } from './names.ts';

export function stateRoot(): string {
  const env = process.env.SWITCHYARD_LAB_DIR;
  if (env) return env;
  if (process.getuid?.() === 0) return '/run/switchyard/lab';
  const xdg = process.env.XDG_RUNTIME_DIR;
  return join(xdg ?? '/tmp', 'switchyard', 'lab');
}

/** The lab's state directory. The name is checked here, once for every caller, because
 *  this path is deleted recursively by down/clean (no `..`, no `/`). */
export function labDir(lab: string): string {
  if (!LAB_NAME_RE.test(lab)) throw new SyError('SY_ERR_LAB_NAME', `'${lab}' is not a lab name (allowed: letters, digits, '_' and '-', 1 to 32 characters, starting with a letter or digit)`);
  return join(stateRoot(), lab);
}

export type Phase = 'creating' | 'up' | 'failed' | 'destroying';
export type LabStatus = { phase: Phase; pid: number; since: string };

/** Kernel objects the lab owns. Only namespaces: every interface, bridge and qdisc lives
 *  inside one and goes with it (link kinds with other objects keep their own records). */
export type ObjectRecord = { type: 'netns'; name: string };

export class LabState {
  readonly lab: string;
  readonly dir: string;
  constructor(lab: string, dir = labDir(lab)) {
    this.lab = lab;
    this.dir = dir;
  }
  exists(): boolean {
    return existsSync(this.dir);
  }
  create(): void {
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
  }
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }
  writeTopology(t: Topology): void {
    writeFileSync(this.path('topology.json'), JSON.stringify(t, null, 1) + '\n');
  }
  readTopology(): Topology | null {
    try {
      return JSON.parse(readFileSync(this.path('topology.json'), 'utf8')) as Topology;
    } catch {
      return null;
    }
  }
  setPhase(phase: Phase): void {
    const s: LabStatus = { phase, pid: process.pid, since: new Date().toISOString() };
    writeFileSync(this.path('status.json'), JSON.stringify(s) + '\n');
  }
  status(): LabStatus | null {
    try {
      return JSON.parse(readFileSync(this.path('status.json'), 'utf8')) as LabStatus;
    } catch {
      return null;
    }
  }
  /** Record objects about to be created (call BEFORE creating them). */
  intend(records: readonly ObjectRecord[]): void {
    if (records.length) appendFileSync(this.path('objects.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  objects(): ObjectRecord[] {
    return readJsonl<ObjectRecord>(this.path('objects.jsonl'));
  }
  /** Remove the whole state directory (last step of down/clean). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function readJsonl<T>(file: string): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      /* a line cut short by kill -9: the object after it was never created */
    }
  }
  return out;
}

/** Names of labs that have a state directory. */
export function listLabs(): string[] {
  try {
    return readdirSync(stateRoot(), { withFileTypes: true }).filter((d) => d.isDirectory() && LAB_NAME_RE.test(d.name)).map((d) => d.name).sort();
  } catch {
    return [];
  }
}
