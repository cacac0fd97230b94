/**
 * Phase 1 of reading a topology: YAML text → raw objects that remember where every key
 * and value was written. No validation beyond YAML syntax happens here (that is
 * `resolve()`), and nothing touches the system except reading the one file.
 *
 * `at(path, part)` answers file:line:col for any path into the document — the key of a
 * mapping entry (`part: 'key'`, e.g. for "unknown field") or its value. When the path
 * goes further than the document, the deepest existing node answers (e.g. "missing
 * field" points at the mapping that lacks it).
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node, type Document } from 'yaml';
import type { Diagnostic, SourcePos } from './types.ts';

export type Path = readonly (string | number)[];

export type RawTopology = {
  file: string;
  data: unknown;
  at(path: Path, part?: 'key' | 'value'): SourcePos;
  /** YAML syntax errors (already with positions); resolve() reports them first. */
  diagnostics: Diagnostic[];
};

export function loadTopologyFile(file: string): RawTopology {
  const abs = resolvePath(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return {
      file: abs,
      data: null,
      at: () => ({ file: abs, line: 1, col: 1 }),
      diagnostics: [{ file: abs, line: 1, col: 1, code: 'SY_ERR_LAB_READ', message: `cannot read topology file (${code})` }],
    };
  }
  return parseTopologyText(text, abs);
}

export function parseTopologyText(text: string, file: string): RawTopology {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true });
  const pos = (offset: number): SourcePos => {
    const p = lc.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const err of [...doc.errors, ...doc.warnings]) {
    const p = pos(err.pos[0]);
    const msg = err.message.split('\n')[0] ?? err.message;
    diagnostics.push({ ...p, code: err.code === 'DUPLICATE_KEY' ? 'SY_ERR_LAB_DUPLICATE' : 'SY_ERR_LAB_YAML', message: msg.replace(/ at line \d+, column \d+:?$/, '') });
  }
  const data: unknown = diagnostics.length ? null : doc.toJS({ maxAliasCount: 1000 });
  return { file, data, at: (path, part = 'value') => locate(doc, path, part, pos), diagnostics };
}

function locate(doc: Document, path: Path, part: 'key' | 'value', pos: (o: number) => SourcePos): SourcePos {
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (last && part === 'key' && isScalar(pair.key)) { best = pair.key; break; }
      node = pair.value;
      if (node && (node as Node).range) best = node as Node;
      else if (isScalar(pair.key)) best = pair.key;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) break;
      node = item;
      if ((item as Node).range) best = item as Node;
    } else break;
  }
  const off = best?.range?.[0] ?? 0;
  return pos(off);
}
