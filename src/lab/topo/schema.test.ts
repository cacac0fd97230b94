/**
 * schemas/topology.schema.json stays in sync with the code: every example validates
 * against it (a small structural validator for the keywords the schema uses — no
 * validator dependency), its node/lan kinds and node keys are exactly the registered
 * ones, and a few wrong topologies are refused by it too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../nodes/paths.ts';
import { nodeKinds } from '../nodes/registry.ts';
import { lanKinds } from '../links/registry.ts';

type Schema = Record<string, unknown>;
const root = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'topology.schema.json'), 'utf8')) as Schema;

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number';
    case 'integer': return Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    default: throw new Error(`validator: type ${t}`);
  }
}

/** Errors of `v` against schema `s` (paths in JSON-pointer style). */
function validate(s: Schema, v: unknown, path = ''): string[] {
  const errs: string[] = [];
  const known = new Set(['$schema', '$id', 'title', 'description', 'default', '$defs', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'items', 'minItems', 'maxItems', 'enum', 'pattern', 'minimum', 'maximum', 'anyOf', '$ref']);
  for (const k of Object.keys(s)) if (!known.has(k)) throw new Error(`validator: keyword ${k}`);
  if (typeof s.$ref === 'string') {
    const def = (root.$defs as Record<string, Schema>)[s.$ref.replace('#/$defs/', '')];
    if (!def) throw new Error(`bad $ref ${s.$ref}`);
    errs.push(...validate(def, v, path));
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeOk(t, v))) return [...errs, `${path}: not ${types.join('|')}`];
  }
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${path}: not one of ${s.enum.join(', ')}`);
  if (typeof s.pattern === 'string' && typeof v === 'string' && !new RegExp(s.pattern).test(v)) errs.push(`${path}: '${v}' does not match ${s.pattern}`);
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) errs.push(`${path}: below ${s.minimum}`);
    if (typeof s.maximum === 'number' && v > s.maximum) errs.push(`${path}: above ${s.maximum}`);
  }
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((alt) => validate(alt, v, path).length === 0)) errs.push(`${path}: matches no alternative`);
  if (typeOk('object', v)) {
    const o = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in o)) errs.push(`${path}: missing ${r}`);
    if (typeof s.minProperties === 'number' && Object.keys(o).length < s.minProperties) errs.push(`${path}: too few properties`);
    for (const [k, val] of Object.entries(o)) {
      if (s.propertyNames) errs.push(...validate(s.propertyNames as Schema, k, `${path}/${k}(name)`));
      if (props[k]) errs.push(...validate(props[k], val, `${path}/${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}: unknown property ${k}`);
      else if (typeof s.additionalProperties === 'object') errs.push(...validate(s.additionalProperties as Schema, val, `${path}/${k}`));
    }
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) errs.push(`${path}: too few items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) errs.push(`${path}: too many items`);
    if (s.items) v.forEach((item, i) => errs.push(...validate(s.items as Schema, item, `${path}/${i}`)));
  }
  return errs;
}

test('every example topology validates against the schema', () => {
  const dir = join(REPO_ROOT, 'examples', 'lab');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 3);
  for (const f of files) assert.deepEqual(validate(root, parse(readFileSync(join(dir, f), 'utf8'))), [], f);
});

test('the schema lists exactly the registered kinds and node keys', () => {
  const defs = root.$defs as Record<string, Schema>;
  const nodeProps = defs.node?.properties as Record<string, Schema>;
  assert.deepEqual((nodeProps.kind?.enum as string[]).slice().sort(), nodeKinds().map((k) => k.name).sort());
  assert.deepEqual(((defs.lan?.properties as Record<string, Schema>).kind?.enum as string[]).slice().sort(), lanKinds().map((k) => k.name).sort());
  const common = ['kind', 'interfaces', 'routes', 'sysctls', 'env', 'exec', 'depends_on'];
  const kindKeys = nodeKinds().flatMap((k) => k.optionKeys);
  assert.deepEqual(Object.keys(nodeProps).sort(), [...new Set([...common, ...kindKeys])].sort());
});

test('the schema refuses wrong topologies too', () => {
  const bad = (o: unknown): number => validate(root, o).length;
  assert.ok(bad({ nodes: { a: {} } }) > 0, 'no name');
  assert.ok(bad({ name: 'x', nodes: { a: { kind: 'vm' } } }) > 0, 'unknown kind');
  assert.ok(bad({ name: 'x', nodes: { a: { interfaces: { averyveryverylongname: {} } } } }) > 0, 'long ifname');
  assert.ok(bad({ name: 'x', nodes: { a: {} }, links: [{ endpoints: ['a:eth1'] }] }) > 0, 'one endpoint');
  assert.ok(bad({ name: 'x', nodes: { a: {} }, links: [{ endpoints: ['a:e', 'b:e'], impairment: { delay: 'soon' } }] }) > 0, 'bad delay');
});
