/**
 * bind and server address forms. Which forms are accepted and which refused was checked
 * with `haproxy -c` (2.6.12) on `bind X` / `server s X` lines; where HAProxy only fails
 * because it resolves names or opens descriptors at parse time, the case is not here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandAddressEnv, parseListenAddress, parseListenList, parseServerAddress, type ListenAddress, type ServerAddress } from './address.ts';
import type { Parsed } from './units.ts';

function ok<T>(r: Parsed<T>, what: string): T {
  assert.ok(r.ok, `${what}: expected success, got: ${r.ok ? '' : r.reason}`);
  return r.value;
}

const inet = (host: string, family: 0 | 4 | 6, portLow: number, portHigh = portLow): ListenAddress =>
  ({ kind: 'inet', host, family, portLow, portHigh });
const srv = (host: string, family: 0 | 4 | 6, port: number | null, portOffset = 0): ServerAddress =>
  ({ kind: 'inet', host, family, port, portOffset });

test('bind: host:port forms, wildcard hosts, IPv6 with and without brackets', () => {
  const cases: [string, ListenAddress][] = [
    [':8080', inet('', 0, 8080)],
    ['*:8080', inet('', 0, 8080)],
    ['0.0.0.0:8080', inet('0.0.0.0', 0, 8080)],
    ['127.0.0.1:80', inet('127.0.0.1', 0, 80)],
    ['localhost:8080', inet('localhost', 0, 8080)],
    [':::8080', inet('::', 6, 8080)],
    ['::1:8080', inet('::1', 6, 8080)],
    ['[::1]:8080', inet('::1', 6, 8080)],
    ['ipv4@:8080', inet('', 4, 8080)],
    ['ipv6@:8080', inet('', 6, 8080)],
    ['ipv4@127.0.0.1:80', inet('127.0.0.1', 4, 80)],
    ['ipv6@::1:80', inet('::1', 6, 80)],
    [':65535', inet('', 0, 65535)],
    [':08080', inet('', 0, 8080)],
  ];
  for (const [text, want] of cases) assert.deepEqual(ok(parseListenAddress(text), text), [want], text);
});

test('bind: port ranges low-high, a one-port range is fine, reversed is not', () => {
  assert.deepEqual(ok(parseListenAddress('127.0.0.1:8080-8081'), 'range'), [inet('127.0.0.1', 0, 8080, 8081)]);
  assert.deepEqual(ok(parseListenAddress(':8080-8080'), 'range'), [inet('', 0, 8080)]);
  assert.equal(parseListenAddress(':8081-8080').ok, false);
});

test('bind: UNIX sockets and inherited descriptors', () => {
  assert.deepEqual(ok(parseListenAddress('unix@/tmp/x.sock'), 'unix@'), [{ kind: 'unix', path: '/tmp/x.sock' }]);
  assert.deepEqual(ok(parseListenAddress('/tmp/x.sock'), 'path'), [{ kind: 'unix', path: '/tmp/x.sock' }]);
  assert.deepEqual(ok(parseListenAddress('fd@3'), 'fd@'), [{ kind: 'fd', fd: 3 }]);
  assert.equal(parseListenAddress('fd@x').ok, false);
  assert.equal(parseListenAddress('fd@').ok, false);
});

test('bind: refuses a missing or bad port, bad prefixes and family mismatches', () => {
  for (const text of [
    '127.0.0.1', '[::1]', '[::1]8080', '[::1:8080', '127.0.0.1:0', ':0', ':65536', ':+80',
    '127.0.0.1:+1', ':http', 'foo@:80', 'IPV4@:80', '@:80', 'ipv4@::1:80', 'ipv6@127.0.0.1:80',
  ]) {
    assert.equal(parseListenAddress(text).ok, false, text);
  }
});

test('bind: families Switchyard does not serve yet are refused, not misread', () => {
  for (const text of ['abns@foo', 'sockpair@3', 'udp@:80', 'quic4@:443', 'uxst@/x']) {
    assert.equal(parseListenAddress(text).ok, false, text);
  }
});

test('bind lists: comma-separated addresses; one trailing comma is ignored, other empty items are errors', () => {
  assert.deepEqual(ok(parseListenList('127.0.0.1:8510,127.0.0.2:8511,:8512'), 'list'),
    [inet('127.0.0.1', 0, 8510), inet('127.0.0.2', 0, 8511), inet('', 0, 8512)]);
  assert.deepEqual(ok(parseListenList(':8700,'), 'trailing comma'), [inet('', 0, 8700)]);
  for (const text of [',:8080', ':8080,,:8081', ':8080,,', ',', '']) {
    assert.equal(parseListenList(text).ok, false, JSON.stringify(text));
  }
  // One bad item fails the whole list.
  assert.equal(parseListenList(':80,:0').ok, false);
});

test('bind lists expand $VAR and ${VAR} per item, after splitting on commas', () => {
  const env = { PORT: '8443', HOST: '127.0.0.1', LIST: '127.0.0.1:1,127.0.0.1:2' };
  assert.deepEqual(ok(parseListenList(':${PORT}', env), '${PORT}'), [inet('', 0, 8443)]);
  assert.deepEqual(ok(parseListenList(':$PORT', env), '$PORT'), [inet('', 0, 8443)]);
  assert.deepEqual(ok(parseListenList('${HOST}:${PORT},:1', env), 'two'), [inet('127.0.0.1', 0, 8443), inet('', 0, 1)]);
  // A variable holding a list is one (bad) address, as in HAProxy.
  assert.equal(parseListenList('${LIST}', env).ok, false);
  // No default values in addresses: "${NOPE-8080}" leaves "-8080}" behind.
  assert.equal(parseListenList(':${NOPE-8080}', env).ok, false);
  assert.equal(parseListenList(':${NOPE}', env).ok, false);
});

test('expandAddressEnv follows HAProxy env_expand: optional closing brace, unset is empty', () => {
  const env = { A: 'x', B_2: 'y' };
  assert.equal(expandAddressEnv('${A}:${B_2}', env), 'x:y');
  assert.equal(expandAddressEnv('$A/$B_2', env), 'x/y');
  assert.equal(expandAddressEnv('${A', env), 'x');
  assert.equal(expandAddressEnv('${NOPE}z', env), 'z');
  assert.equal(expandAddressEnv('$A}', env), 'x}', 'a brace that no { opened stays');
  assert.equal(expandAddressEnv('no variables', env), 'no variables');
});

test('server: host with or without port; port 0 or an empty port means "no port"', () => {
  const cases: [string, ServerAddress][] = [
    ['127.0.0.1', srv('127.0.0.1', 0, null)],
    ['127.0.0.1:80', srv('127.0.0.1', 0, 80)],
    ['127.0.0.1:0', srv('127.0.0.1', 0, null)],
    ['127.0.0.1:', srv('127.0.0.1', 0, null)],
    ['localhost', srv('localhost', 0, null)],
    ['0.0.0.0:80', srv('0.0.0.0', 0, 80)],
    ['[::1]:80', srv('::1', 6, 80)],
    ['[::1]', srv('::1', 6, null)],
    ['::1:80', srv('::1', 6, 80)],
    ['2001:db8::2:9700', srv('2001:db8::2', 6, 9700)],
    ['ipv4@10.7.0.5:9700', srv('10.7.0.5', 4, 9700)],
    ['ipv6@::1:9700', srv('::1', 6, 9700)],
    ['ipv4@localhost:80', srv('localhost', 4, 80)],
  ];
  for (const [text, want] of cases) assert.deepEqual(ok(parseServerAddress(text), text), want, text);
});

test('server: +N / -N shift the client destination port', () => {
  assert.deepEqual(ok(parseServerAddress('127.0.0.1:+1'), '+1'), srv('127.0.0.1', 0, null, 1));
  assert.deepEqual(ok(parseServerAddress('127.0.0.1:-1'), '-1'), srv('127.0.0.1', 0, null, -1));
  assert.deepEqual(ok(parseServerAddress('[::1]:+1'), '[::1]:+1'), srv('::1', 6, null, 1));
  assert.deepEqual(ok(parseServerAddress('127.0.0.1:+65535'), '+65535'), srv('127.0.0.1', 0, null, 65535));
});

test('server: UNIX sockets', () => {
  assert.deepEqual(ok(parseServerAddress('unix@/run/x.sock'), 'unix@'), { kind: 'unix', path: '/run/x.sock' });
  assert.deepEqual(ok(parseServerAddress('/run/x.sock'), 'path'), { kind: 'unix', path: '/run/x.sock' });
});

test('server: refuses descriptors, ranges, bad ports, lists and family mismatches', () => {
  for (const text of [
    'fd@3', '127.0.0.1:80-81', '127.0.0.1:65536', '127.0.0.1:x', '127.0.0.1,127.0.0.2',
    'ipv6@127.0.0.1', 'ipv4@[::1]:80', 'abns@foo', '',
  ]) {
    assert.equal(parseServerAddress(text).ok, false, JSON.stringify(text));
  }
});
