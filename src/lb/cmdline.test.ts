/**
 * HAProxy's command line as parseCmdLine() reads it. The -sf/-st and `--` rules follow
 * haproxy 2.6 (`-sf 0` is a usage error there too; a non-numeric pid is an error).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCmdLine } from './cmdline.ts';
import { SyError, type ErrorCode } from '../shared/errors.ts';

function failsWith(argv: string[], code: ErrorCode): void {
  assert.throws(() => parseCmdLine(argv), (e: unknown) => e instanceof SyError && e.code === code, `${argv.join(' ')} should fail with ${code}`);
}

test('-f is repeatable and keeps the order; files after -- are appended as they come', () => {
  const c = parseCmdLine(['-f', 'a.cfg', '-db', '-f', 'dir/', '--', 'b.cfg', '-c', '-f']);
  assert.deepEqual(c.files, ['a.cfg', 'dir/', 'b.cfg', '-c', '-f']);
  assert.equal(c.action, 'run', "'-c' after '--' is a file name, not check mode");
  assert.equal(c.foreground, true);
});

test('-f takes the next argument whatever it looks like', () => {
  assert.deepEqual(parseCmdLine(['-f', '-weird.cfg']).files, ['-weird.cfg']);
});

test('-c selects check mode; -d is debug and foreground, -db only foreground, -D daemon', () => {
  const c = parseCmdLine(['-c', '-f', 'x.cfg']);
  assert.equal(c.action, 'check');
  const d = parseCmdLine(['-d', '-f', 'x.cfg']);
  assert.equal(d.debug, true);
  assert.equal(d.foreground, true);
  const db = parseCmdLine(['-db', '-f', 'x.cfg']);
  assert.equal(db.debug, false);
  assert.equal(db.foreground, true);
  const dd = parseCmdLine(['-D', '-f', 'x.cfg']);
  assert.equal(dd.daemon, true);
  assert.equal(dd.foreground, false);
});

test('flags with values: -p, -C, -n, -N', () => {
  const c = parseCmdLine(['-p', '/run/x.pid', '-C', '/etc', '-n', '100', '-N', '7', '-f', 'x.cfg']);
  assert.equal(c.pidfile, '/run/x.pid');
  assert.equal(c.chdir, '/etc');
  assert.equal(c.maxconn, 100);
  assert.equal(c.proxyMaxconn, 7);
  failsWith(['-f', 'x.cfg', '-n', 'many'], 'SY_ERR_CLI_USAGE');
  failsWith(['-f', 'x.cfg', '-n'], 'SY_ERR_CLI_USAGE');
  failsWith(['-f', 'x.cfg', '-p'], 'SY_ERR_CLI_USAGE');
  failsWith(['-f'], 'SY_ERR_CLI_USAGE');
});

test('boolean flags: -q -V -dD -dW -dr -dR', () => {
  const c = parseCmdLine(['-q', '-V', '-dD', '-dW', '-dr', '-dR', '-f', 'x.cfg']);
  assert.deepEqual(
    [c.quiet, c.verbose, c.diag, c.zeroWarning, c.ignoreResolveFailures, c.noReusePort],
    [true, true, true, true, true, true],
  );
  const none = parseCmdLine(['-f', 'x.cfg']);
  assert.deepEqual(
    [none.quiet, none.verbose, none.diag, none.zeroWarning, none.ignoreResolveFailures, none.noReusePort, none.debug, none.daemon],
    [false, false, false, false, false, false, false, false],
  );
});

test('-sf / -st take every following pid, up to the next option', () => {
  const c = parseCmdLine(['-f', 'x.cfg', '-sf', '12', '34', '-st', '56', '-db']);
  assert.deepEqual(c.softStopPids, [12, 34]);
  assert.deepEqual(c.hardStopPids, [56]);
  assert.equal(c.foreground, true);
  const none = parseCmdLine(['-f', 'x.cfg', '-sf']);
  assert.deepEqual(none.softStopPids, []);
  const thenFiles = parseCmdLine(['-sf', '7', '--', 'a.cfg']);
  assert.deepEqual(thenFiles.softStopPids, [7]);
  assert.deepEqual(thenFiles.files, ['a.cfg']);
});

test('-sf / -st refuse pid 0 and non-numeric pids', () => {
  failsWith(['-f', 'x.cfg', '-sf', '0'], 'SY_ERR_CLI_USAGE');
  failsWith(['-f', 'x.cfg', '-st', '12', '0'], 'SY_ERR_CLI_USAGE');
  failsWith(['-f', 'x.cfg', '-sf', 'abc'], 'SY_ERR_CLI_USAGE');
  failsWith(['-f', 'x.cfg', '-sf', '12a'], 'SY_ERR_CLI_USAGE');
  failsWith(['-f', 'x.cfg', '-sf', '-1'], 'SY_ERR_CLI_USAGE');
});

test('unknown flags and stray arguments are usage errors', () => {
  for (const bad of ['-z', '--foo', '-', '-ff', 'x.cfg']) failsWith(['-f', 'a.cfg', bad], 'SY_ERR_CLI_USAGE');
});

test('HAProxy flags not served yet say so, with the usage code', () => {
  for (const flag of ['-m', '-L', '-dM', '-dM0x55']) failsWith(['-f', 'a.cfg', flag], 'SY_ERR_CLI_USAGE');
});

test('-x <unix_socket> names the old process\'s stats socket, with -sf', () => {
  const c = parseCmdLine(['-f', 'a.cfg', '-x', '/run/sy.sock', '-sf', '12']);
  assert.equal(c.oldSocket, '/run/sy.sock');
  assert.deepEqual(c.softStopPids, [12]);
  failsWith(['-f', 'a.cfg', '-x'], 'SY_ERR_CLI_USAGE');
});

test('-W, -Ws and -S (repeatable, with options) select master-worker mode', () => {
  const c = parseCmdLine(['-W', '-S', 'fd@5', '-S', '/run/m.sock,mode,600,level,operator', '-f', 'a.cfg']);
  assert.equal(c.masterWorker, true);
  assert.equal(c.systemd, false);
  assert.deepEqual(c.masterCli, ['fd@5', '/run/m.sock,mode,600,level,operator']);
  const s = parseCmdLine(['-Ws', '-f', 'a.cfg']);
  assert.equal(s.masterWorker && s.systemd, true);
  failsWith(['-f', 'a.cfg', '-W', '-S'], 'SY_ERR_CLI_USAGE');
});

test('running or checking needs a configuration; version, help and -cc do not', () => {
  failsWith([], 'SY_ERR_CLI_NO_CONFIG');
  failsWith(['-c'], 'SY_ERR_CLI_NO_CONFIG');
  failsWith(['-db', '--'], 'SY_ERR_CLI_NO_CONFIG');
  assert.equal(parseCmdLine(['-v']).action, 'version');
  assert.equal(parseCmdLine(['-vv']).action, 'version-verbose');
  assert.equal(parseCmdLine(['-h']).action, 'help');
  const cc = parseCmdLine(['-cc', 'feature(SWITCHYARD) && version_atleast(2.6)']);
  assert.equal(cc.action, 'check-condition');
  assert.equal(cc.condition, 'feature(SWITCHYARD) && version_atleast(2.6)');
  failsWith(['-cc'], 'SY_ERR_CLI_USAGE');
});
