// src/shared/libc.ts: real libc calls through the shared, memoized bindings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import { AF_UNIX, EAGAIN, EINTR, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SUN_LEN, errno, errnoName, libcFunc, sockaddrUn } from './libc.ts';

const CLOSE = 'int close(int fd)';

test('socket() then close(): a descriptor, then 0', () => {
  const socket = libcFunc('int socket(int domain, int type, int protocol)');
  const close = libcFunc(CLOSE);
  const fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number;
  assert.ok(fd >= 0, `socket() failed: ${errnoName(errno())}`);
  assert.equal(close(fd), 0);
});

test('errno() reports the failed call: close() of a closed descriptor is EBADF', () => {
  assert.equal(libcFunc(CLOSE)(-1), -1);
  assert.equal(errnoName(errno()), 'EBADF');
});

test('errnoName: symbolic names, a fallback for unknown numbers', () => {
  assert.equal(errnoName(EAGAIN), 'EAGAIN');
  assert.equal(errnoName(11), 'EAGAIN');
  assert.equal(errnoName(EINTR), 'EINTR');
  assert.equal(errnoName(99999), 'errno 99999');
});

test('memoized per declaration: the same declaration is the same function', () => {
  assert.equal(libcFunc(CLOSE), libcFunc(CLOSE));
  const ptr = libcFunc('ioctl', 'int', ['int', 'unsigned long', 'void *']);
  assert.equal(libcFunc('ioctl', 'int', ['int', 'unsigned long', 'void *']), ptr);
  assert.notEqual(libcFunc('ioctl', 'int', ['int', 'unsigned long', 'unsigned long']), ptr);
});

test('a missing symbol throws, and does not poison later calls', () => {
  assert.throws(() => libcFunc('int switchyard_no_such_function(int x)'));
  assert.equal(typeof libcFunc(CLOSE), 'function');
});

test('sockaddrUn: family, path and NUL; 107 bytes at most; "@" abstract only when asked', () => {
  const a = sockaddrUn('/run/x.sock')!;
  assert.equal(a.addr.length, SUN_LEN);
  assert.equal(a.addr.readUInt16LE(0), AF_UNIX);
  assert.equal(a.addr.toString('utf8', 2, 2 + 11), '/run/x.sock');
  assert.equal(a.addr[2 + 11], 0);
  assert.equal(a.len, 2 + 11 + 1);
  assert.equal(sockaddrUn('x'.repeat(107))?.len, 110);
  assert.equal(sockaddrUn('x'.repeat(108)), null);
  const abs = sockaddrUn('@notify', true)!;
  assert.equal(abs.addr[2], 0);
  assert.equal(abs.addr.toString('utf8', 3, 9), 'notify');
  assert.equal(abs.len, 2 + 7);
  const plainAt = sockaddrUn('@notify')!;
  assert.equal(plainAt.addr[2], 0x40);
  assert.equal(plainAt.len, 2 + 7 + 1);
});

test('sockaddrUn: a real bind() and getsockname() of the address', () => {
  const socket = libcFunc('int socket(int domain, int type, int protocol)');
  const bind = libcFunc('int bind(int fd, const void *addr, unsigned int len)');
  const close = libcFunc(CLOSE);
  const path = `/tmp/sy-libc-test-${process.pid}.sock`;
  const sa = sockaddrUn(path)!;
  const fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) as number;
  try {
    assert.equal(bind(fd, sa.addr, sa.len), 0, errnoName(errno()));
    assert.ok(statSync(path).isSocket());
  } finally {
    close(fd);
    rmSync(path, { force: true });
  }
});
