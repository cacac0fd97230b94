/**
 * Maps and ACL pattern files at run time (`show|add|del|set|clear map`, `show|add|del|clear
 * acl`): the files loaded by the configuration (src/lb/acl/maps.ts), referenced by path
 * or `#id`. Changes take effect for the next request (the engine rebuilds its index
 * lazily). Shapes of the answers follow HAProxy's management guide; entries are listed
 * with a synthetic `0x…` reference (their position), usable as `#ref` nowhere else.
 */
import type { CliCommand } from '../types.ts';
import { maps, type PatternRef } from '../../acl/index.ts';

/** HAProxy spells the kind "map" but "ACL" in this answer. */
const UNKNOWN = (kind: 'map' | 'acl'): string => `Unknown ${kind === 'acl' ? 'ACL' : 'map'} identifier. Please use #<id> or <file>.\n`;

function find(name: string | undefined, kind: 'map' | 'acl'): PatternRef | undefined {
  return name === undefined ? undefined : maps.get(name, kind);
}

function listAll(kind: 'map' | 'acl'): string {
  let out = '# id (file) description\n';
  for (const r of maps.all()) {
    if (r.kind !== kind) continue;
    out += `${r.id} (${r.path}) pattern loaded from file '${r.path}' used by ${kind}. entry_cnt=${r.list().length}\n`;
  }
  return out;
}

function listEntries(r: PatternRef): string {
  let out = '';
  r.list().forEach((e, i) => { out += r.kind === 'map' ? `0x${(i + 1).toString(16)} ${e.key} ${e.value}\n` : `0x${(i + 1).toString(16)} ${e.key}\n`; });
  return out;
}

function show(kind: 'map' | 'acl'): CliCommand {
  return {
    words: ['show', kind], usage: `show ${kind} [<${kind}>]`, help: `list the ${kind}s, or the entries of one`, level: 'operator',
    run(_rt, args) {
      if (args[0] === undefined) return listAll(kind);
      const r = find(args[0], kind);
      return r ? listEntries(r) : UNKNOWN(kind);
    },
  };
}

export const showMap = show('map');
export const showAcl = show('acl');

export const addMap: CliCommand = {
  words: ['add', 'map'], usage: 'add map <map> <key> <value>', help: 'add an entry to a map', level: 'admin',
  run(_rt, args) {
    const r = find(args[0], 'map');
    if (!r) return UNKNOWN('map');
    if (args[1] === undefined || args[2] === undefined) return "'add map' expects three parameters: map identifier, key and value.\n";
    r.add(args[1], args.slice(2).join(' '));
    return '';
  },
};

export const addAcl: CliCommand = {
  words: ['add', 'acl'], usage: 'add acl <acl> <pattern>', help: 'add a pattern to an ACL file', level: 'admin',
  run(_rt, args) {
    const r = find(args[0], 'acl');
    if (!r) return UNKNOWN('acl');
    if (args[1] === undefined) return "'add acl' expects two parameters: ACL identifier and pattern.\n";
    r.add(args[1]);
    return '';
  },
};

function del(kind: 'map' | 'acl'): CliCommand {
  return {
    words: ['del', kind], usage: `del ${kind} <${kind}> <key>`, help: `remove every entry with this key from a ${kind}`, level: 'admin',
    run(_rt, args) {
      const r = find(args[0], kind);
      if (!r) return UNKNOWN(kind);
      if (args[1] === undefined) return `This command expects two parameters: ${kind} identifier and key.\n`;
      return r.del(args[1]) > 0 ? '' : 'Key not found.\n';
    },
  };
}

export const delMap = del('map');
export const delAcl = del('acl');

export const setMap: CliCommand = {
  words: ['set', 'map'], usage: 'set map <map> <key> <value>', help: 'change the value of a map entry', level: 'admin',
  run(_rt, args) {
    const r = find(args[0], 'map');
    if (!r) return UNKNOWN('map');
    if (args[1] === undefined || args[2] === undefined) return "'set map' expects three parameters: map identifier, key and value.\n";
    return r.set(args[1], args.slice(2).join(' ')) ? '' : 'entry not found.\n';
  },
};

function clear(kind: 'map' | 'acl'): CliCommand {
  return {
    words: ['clear', kind], usage: `clear ${kind} <${kind}>`, help: `remove every entry of a ${kind}`, level: 'admin',
    run(_rt, args) {
      const r = find(args[0], kind);
      if (!r) return UNKNOWN(kind);
      r.clear();
      return '';
    },
  };
}

export const clearMap = clear('map');
export const clearAcl = clear('acl');
