// src/shared/libc.ts: real libc calls through the shared, memoized bindings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_UNIX, EAGAIN, EINTR, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, errno, errnoName, libcFunc } from './libc.ts';

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
