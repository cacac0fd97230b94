/**
 * Map and pattern files, loaded once per path and shared by every ACL and converter that
 * names them (HAProxy's "pattern references"), updatable at run time.
 *
 * File format (HAProxy 2.6 pat_ref_read_from_file*): one entry per line; a line whose
 * first character is '#' is a comment; leading blanks are skipped; empty lines are
 * ignored. Pattern files: the rest of the line is the pattern (inner blanks kept). Map
 * files: the key runs to the first blank, then blanks are skipped, the value is the rest
 * of the line without trailing blanks (may be empty). CR and LF end a line.
 * There are no escapes: a key cannot contain a blank (as in HAProxy 2.6).
 *
 * Relative paths are taken from the process's current directory, as HAProxy does
 * (callers pass `baseDir` = process.cwd() unless they chdir'ed).
 *
 * Run-time updates (add/del/set/clear) bump a version; indexes built on the entries are
 * rebuilt lazily on the next lookup after a change, so a batch of updates costs one
 * rebuild.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SampleError } from './types.ts';
import type { MatchMethod, PatternIndex } from './match.ts';
import { buildIndex } from './match.ts';
import type { Sample } from './types.ts';

export interface MapEntry {
  key: string;
  value: string;
}

export function parseMapText(text: string, withValues: boolean): MapEntry[] {
  const out: MapEntry[] = [];
  for (const raw of text.split(/\r?\n|\r/)) {
    if (raw[0] === '#') continue;
    let i = 0;
    while (raw[i] === ' ' || raw[i] === '\t') i++;
    if (i === raw.length) continue;
    if (!withValues) { out.push({ key: raw.slice(i), value: '' }); continue; }
    let k = i;
    while (k < raw.length && raw[k] !== ' ' && raw[k] !== '\t') k++;
    let v = k;
    while (raw[v] === ' ' || raw[v] === '\t') v++;
    let e = raw.length;
    while (e > v && (raw[e - 1] === ' ' || raw[e - 1] === '\t')) e--;
    out.push({ key: raw.slice(i, k), value: raw.slice(v, e) });
  }
  return out;
}

/** One loaded file: ordered entries plus lazily (re)built indexes per match method/case. */
export class PatternRef {
  /** Absolute path (the registry key). */
  readonly path: string;
  /** The file name as first written in the configuration (what `show map` prints). */
  readonly name: string;
  /** Unique id in load order, starting at 0 (HAProxy's `#<id>` references). */
  readonly id: number;
  /** 'map' when loaded as a map (converter or -M), 'acl' for a pattern file. */
  readonly kind: 'map' | 'acl';
  private entries: MapEntry[];
  private version = 0;
  private readonly indexes = new Map<string, { version: number; index: PatternIndex }>();

  constructor(path: string, entries: MapEntry[], name = path, id = 0, kind: 'map' | 'acl' = 'map') {
    this.path = path;
    this.entries = entries;
    this.name = name;
    this.id = id;
    this.kind = kind;
  }

  list(): readonly MapEntry[] {
    return this.entries;
  }

  /** Appends an entry (runtime `add map`/`add acl`). */
  add(key: string, value = ''): void {
    this.entries.push({ key, value });
    this.version++;
  }

  /** Removes every entry with this key; answers how many were removed. */
  del(key: string): number {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.key !== key);
    if (this.entries.length !== before) this.version++;
    return before - this.entries.length;
  }

  /** Sets the value of every entry with this key; answers whether one existed. */
  set(key: string, value: string): boolean {
    let found = false;
    for (const e of this.entries) if (e.key === key) { e.value = value; found = true; }
    if (found) this.version++;
    return found;
  }

  clear(): void {
    this.entries = [];
    this.version++;
  }

  /** Replaces the content (e.g. a reload of the file). */
  replace(entries: MapEntry[]): void {
    this.entries = entries;
    this.version++;
  }

  /**
   * Lookup function for `method` (throws SampleError at first build when an entry is
   * invalid for the method). Answers the matching entry or undefined.
   */
  matcher(method: MatchMethod, icase: boolean): (s: Sample) => MapEntry | undefined {
    const key = method + (icase ? '/i' : '');
    const get = (): PatternIndex => {
      let ix = this.indexes.get(key);
      if (!ix || ix.version !== this.version) {
        ix = { version: this.version, index: buildIndex(method, this.entries.map((e) => e.key), icase) };
        this.indexes.set(key, ix);
      }
      return ix.index;
    };
    get();
    return (s) => {
      const i = get().lookup(s);
      return i < 0 ? undefined : this.entries[i];
    };
  }
}

/** All loaded files of the process, by absolute path (the runtime API addresses them). */
export class MapRegistry {
  private readonly refs = new Map<string, PatternRef>();

  /**
   * Loads (once) `file` relative to `baseDir`. withValues: map format; else pattern format
   * (a file used both ways is loaded once per format: the formats split lines differently).
   */
  load(file: string, baseDir: string, withValues: boolean): PatternRef {
    const path = resolve(baseDir, file);
    const key = (withValues ? 'map:' : 'acl:') + path;
    let ref = this.refs.get(key);
    if (ref) return ref;
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch (e) {
      throw new SampleError(`failed to open pattern file <${file}> (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'SY_ERR_CFG_PATTERN_FILE');
    }
    ref = new PatternRef(path, parseMapText(text, withValues), file, this.refs.size, withValues ? 'map' : 'acl');
    this.refs.set(key, ref);
    return ref;
  }

  /** By absolute path, by the name as written, or by `#<id>`; maps before pattern files. */
  get(path: string, kind?: 'map' | 'acl'): PatternRef | undefined {
    const id = /^#([0-9]+)$/.exec(path);
    let found: PatternRef | undefined;
    for (const r of this.refs.values()) {
      if (kind && r.kind !== kind) continue;
      if (r.path === path || r.name === path || (id && r.id === Number(id[1])) || (!id && r.path === resolve(path))) {
        if (r.kind === 'map') return r;
        found ??= r;
      }
    }
    return found;
  }

  all(): IterableIterator<PatternRef> {
    return this.refs.values();
  }
}

/** The process-wide registry used by configuration parsing and the runtime API. */
export const maps = new MapRegistry();
