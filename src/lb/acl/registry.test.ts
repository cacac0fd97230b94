/**
 * Conformance of every registered fetch and converter: consistent arity, compiles with
 * plausible arguments, never throws at run time (with or without an HTTP message), and
 * yields samples of the type it declares.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONVERTERS, FETCHES } from './registry.ts';
import './expr.ts';
import { testContext } from './test-context.ts';
import { canCast } from './casts.ts';
import type { Sample, SampleTypeSpec } from './types.ts';
import { parseIPv4 } from './ip.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const env = { baseDir: FIX };

const FETCH_ARGS: Record<string, string[]> = {
  int: ['1'], bool: ['1'], str: ['x'], ipv4: ['1.2.3.4'], ipv6: ['::1'], var: ['txn.x'], srv_is_up: ['s1'],
  'req.hdr_val': ['content-length'], hdr_val: ['content-length'],
  'req.payload': ['0', '4'], payload: ['0', '4'], 'req.payload_lv': ['0', '2'], payload_lv: ['0', '2'], 'req.body_param': ['a'],
};
const CONV_ARGS: Record<string, string[]> = {
  field: ['1', '.'], word: ['1', '.'], regsub: ['a', 'b'], bytes: ['0'], strcmp: ['txn.x'], digest: ['sha256'], hmac: ['sha256', 'a2V5'],
  iif: ['y', 'n'], ipmask: ['8'], param: ['a'], add: ['1'], sub: ['1'], mul: ['1'], div: ['1'], mod: ['1'], and: ['1'], or: ['1'], xor: ['1'],
};
const INPUT: Record<string, Sample> = {
  str: { type: 'str', v: '1' }, bin: { type: 'bin', v: Buffer.from('ab') }, sint: { type: 'sint', v: 2 }, bool: { type: 'bool', v: true },
  addr: { type: 'ipv4', v: parseIPv4('10.1.2.3')! }, ipv4: { type: 'ipv4', v: 1 }, any: { type: 'str', v: 'x' }, meth: { type: 'meth', v: 'GET' },
};

/** A map whose keys suit the converter's match method and whose values suit its output. */
function mapFixture(name: string): string {
  const out = name.endsWith('_int') && name !== 'map_int' ? 'int' : name.endsWith('_ip') && name !== 'map_ip' ? 'ip' : 'str';
  const method = name.startsWith('map_ip') ? 'ip' : name.startsWith('map_int') ? 'int' : 'other';
  const table: Record<string, Record<string, string>> = {
    ip: { str: 'nets.map', int: 'nets-int.map', ip: 'nets-ip.map' },
    int: { str: 'ints.map', int: 'int-keys.map', ip: 'ints-ip.map' },
    other: { str: 'hosts.map', int: 'int-values.map', ip: 'nets-ip.map' },
  };
  return table[method]![out]!;
}

function typeOk(s: Sample | null, out: SampleTypeSpec): boolean {
  if (s === null || out === 'any') return true;
  if (out === 'addr') return s.type === 'ipv4' || s.type === 'ipv6';
  return s.type === out;
}

test('every fetch: arity, compile, run without a message and with one, declared type', () => {
  const bare = testContext();
  const http = testContext({ request: 'GET /a?b=c HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nCookie: a=b\r\n', response: { status: 200, headers: [['X', 'y']] } });
  assert.ok(FETCHES.size >= 50);
  for (const [name, def] of FETCHES) {
    assert.ok(def.minArgs <= def.maxArgs, name);
    // sc_<data>(N[,table]): the first argument is a stick counter number.
    const args = FETCH_ARGS[name] ?? (name.startsWith('sc_') ? ['0'] : new Array<string>(def.minArgs).fill('x'));
    const fn = def.compile(args, env);
    for (const ctx of [bare, http]) {
      const s = fn(ctx);
      assert.ok(typeOk(s, def.out), `${name} answered ${s?.type} for ${def.out}`);
    }
  }
});

test('every converter: arity, compile, declared input and output types', () => {
  const ctx = testContext({ request: 'GET / HTTP/1.1\r\n' });
  ctx.vars!.set('txn', 'x', { type: 'str', v: 'x' });
  assert.ok(CONVERTERS.size >= 60);
  for (const [name, def] of CONVERTERS) {
    assert.ok(def.minArgs <= def.maxArgs, name);
    const args = name.startsWith('map') ? [mapFixture(name)] : CONV_ARGS[name] ?? new Array<string>(def.minArgs).fill('1');
    const fn = def.compile(args, env);
    const input = INPUT[def.in];
    assert.ok(input, `${name}: no input sample for ${def.in}`);
    const out = typeof def.out === 'function' ? def.out(args) : def.out;
    const s = fn(input, ctx);
    assert.ok(typeOk(s, out), `${name} answered ${s?.type} for ${out}`);
    assert.ok(canCast(def.in, def.in), name);
  }
});
