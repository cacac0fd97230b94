/**
 * xxh32 / xxh64 / xxh3: the hash functions against vectors recorded from HAProxy 2.6.12
 * (which embeds the reference xxHash library) — inputs of 0…5000 bytes, so every XXH3
 * path (1–3, 4–8, 9–16, 17–128, 129–240 bytes, one and several 1 KiB blocks) and seeds
 * (0, small, negative, large) — plus the published empty-input values, and the
 * converters through the sample engine (signed 64-bit results, seed argument checks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { xxh3, xxh32, xxh64 } from './xxhash-fn.ts';
import { compileExpr } from '../expr.ts';
import { testContext } from '../test-context.ts';

interface Vectors {
  alphabet: string;
  seeds: { xxh32: number[]; xxh64: number[]; xxh3: number[] };
  vectors: { len: number; xxh32: string[]; xxh64: string[]; xxh3: string[] }[];
}
const V = JSON.parse(readFileSync(new URL('../fixtures/xxhash-vectors.json', import.meta.url), 'utf8')) as Vectors;
const input = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => V.alphabet[(i * 7 + n * 3) % 62]).join(''));
const signed = (x: bigint): string => BigInt.asIntN(64, x).toString();

test('the published values for empty input', () => {
  const e = new Uint8Array(0);
  assert.equal(xxh32(e), 0x02cc5d05);
  assert.equal(xxh64(e), 0xef46db3751d8e999n);
  assert.equal(xxh3(e), 0x2d06800538d394c2n);
});

test('XXH32, XXH64 and XXH3-64 equal HAProxy 2.6 for every length class and seed', () => {
  assert.ok(V.vectors.length > 50);
  for (const v of V.vectors) {
    const b = input(v.len);
    assert.deepEqual(V.seeds.xxh32.map((s) => String(xxh32(b, s))), v.xxh32, `xxh32 len ${v.len}`);
    assert.deepEqual(V.seeds.xxh64.map((s) => signed(xxh64(b, BigInt(s)))), v.xxh64, `xxh64 len ${v.len}`);
    assert.deepEqual(V.seeds.xxh3.map((s) => signed(xxh3(b, BigInt(s)))), v.xxh3, `xxh3 len ${v.len}`);
  }
});

test('converters: xxh32 unsigned, xxh64/xxh3 signed 64-bit (as close as a JS number gets), seeds', () => {
  const ev = (text: string): unknown => compileExpr(text, { baseDir: '.' }).eval(testContext({}))?.v ?? null;
  const a = V.vectors.find((v) => v.len === 1)!; // input "D"
  const txt = input(1).toString();
  assert.equal(ev(`str(${txt}),xxh32`), Number(a.xxh32[0]));
  assert.equal(ev(`str(${txt}),xxh32(1)`), Number(a.xxh32[1]));
  assert.equal(ev(`str(${txt}),xxh64(12345)`), Number(BigInt(a.xxh64[1]!)));
  assert.equal(ev(`str(${txt}),xxh3(-7)`), Number(BigInt(a.xxh3[2]!)));
  assert.equal(ev(`str(${txt}),xxh3`), Number(BigInt(a.xxh3[0]!)));
  assert.ok((ev('str(a),xxh3') as number) < 0); // a hash with the top bit set reads negative, as in HAProxy
  assert.throws(() => compileExpr('str(a),xxh3(x)', { baseDir: '.' }), /integer seed/);
  assert.throws(() => compileExpr('str(a),xxh64(9223372036854775808)', { baseDir: '.' }), /signed 64-bit/);
});

test('converters: a 64-bit hash keeps its exact value in its text and binary forms', () => {
  const ev = (text: string): unknown => compileExpr(text, { baseDir: '.' }).eval(testContext({}))?.v ?? null;
  // values recorded from HAProxy 2.6.12 (%[str(abc),xxh3] etc. in a header)
  assert.equal(ev('str(abc),xxh3,concat()'), '8696274497037089104');
  assert.equal(ev('str(abc),xxh3(42),concat()'), '-2863288879874843453');
  assert.equal(ev('str(abc),xxh64,concat()'), '4952883123889572249');
  assert.equal(ev('str(abc),xxh64(1),concat()'), '-4708009277469325048');
  assert.equal((ev('str(abc),xxh3,hex') as string), BigInt.asUintN(64, 8696274497037089104n).toString(16).toUpperCase().padStart(16, '0'));
});
