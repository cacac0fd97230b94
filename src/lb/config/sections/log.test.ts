/**
 * Logging keywords: what parseGlobalLog / parseLogKeyword / finalizeProxyLog leave in the
 * configuration, and the errors `haproxy -c` (2.6.12) gives for the same lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseContext } from '../context.ts';
import { emptySettings } from '../parser.ts';
import { parseGlobalLog, parseLogKeyword, finalizeProxyLog } from './log.ts';
import { parseLogAddress, parseLogLine } from '../../log/target.ts';
import type { Config, ProxyConfig } from '../types.ts';

function ctx(): ParseContext {
  const config: Config = { files: ['t.cfg'], global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 }, proxies: [] };
  const c = new ParseContext(config, { SYSLOG: '127.0.0.9' });
  c.where = { file: 't.cfg', line: 7 };
  return c;
}

function proxy(kind: 'frontend' | 'backend' | 'listen' = 'frontend'): ProxyConfig {
  return {
    ...emptySettings(), kind, name: 'p', where: { file: 't.cfg', line: 1 }, id: 1, binds: [], useBackends: [], servers: [],
    httpRequestRules: [], httpResponseRules: [], tcpConnectionRules: [], httpAfterResponseRules: [], tcpSessionRules: [], tcpContentRules: [], captures: { request: [], response: [] }, monitorFail: [], persistRules: [], useServers: [], stickRules: [],
    cap: { frontend: kind !== 'backend', backend: kind !== 'frontend' },
  };
}

const words = (line: string): string[] => line.split(' ');

function globalLine(line: string): ParseContext {
  const c = ctx();
  assert.equal(parseGlobalLog(c, c.config.global, words(line)), true);
  return c;
}

function alert(c: ParseContext): string {
  const a = c.diagnostics.filter((d) => d.severity === 'alert');
  assert.equal(a.length, 1, JSON.stringify(c.diagnostics));
  return `${a[0]!.code} ${a[0]!.message}`;
}

test('global log targets: addresses, options, facilities, levels', () => {
  const c = ctx();
  for (const l of ['log 127.0.0.1 local0', 'log 127.0.0.1:1514 len 2048 format rfc5424 local1 notice err', 'log [::1]:99 daemon',
    'log udp6@::1:98 daemon', 'log stdout format raw daemon', 'log fd@2 user', 'log /dev/log local2', 'log unix@/tmp/s local3', 'log ${SYSLOG}:5 sample 1-2,4:5 local4', 'log localhost local5']) {
    parseGlobalLog(c, c.config.global, words(l));
  }
  assert.deepEqual(c.diagnostics, []);
  const t = c.config.global.log!.targets;
  assert.deepEqual(t.map((x) => x.address), [
    { kind: 'udp', host: '127.0.0.1', family: 4, port: 514 }, { kind: 'udp', host: '127.0.0.1', family: 4, port: 1514 },
    { kind: 'udp', host: '::1', family: 6, port: 99 }, { kind: 'udp', host: '::1', family: 6, port: 98 },
    { kind: 'fd', fd: 1 }, { kind: 'fd', fd: 2 }, { kind: 'unix', path: '/dev/log' }, { kind: 'unix', path: '/tmp/s' },
    { kind: 'udp', host: '127.0.0.9', family: 4, port: 5 }, { kind: 'udp', host: '127.0.0.1', family: 4, port: 514 },
  ]);
  assert.deepEqual([t[1]!.maxLen, t[1]!.format, t[1]!.formatExplicit, t[1]!.facility, t[1]!.maxLevel, t[1]!.minLevel], [2048, 'rfc5424', true, 17, 5, 3]);
  assert.deepEqual([t[0]!.maxLen, t[0]!.format, t[0]!.formatExplicit, t[0]!.facility, t[0]!.maxLevel, t[0]!.minLevel], [1024, 'local', false, 16, 7, 0]);
  assert.deepEqual(t[8]!.sample, { ranges: [[1, 2], [4, 4]], size: 5 });
});

test('global log errors, with HAProxy 2.6 wording', () => {
  assert.equal(alert(globalLine('log 127.0.0.1 local9')), "SY_ERR_CFG_ARG log : unknown log facility 'local9'.");
  assert.equal(alert(globalLine('log 127.0.0.1 len 79 local0')), "SY_ERR_CFG_ARG log : invalid log length '79', must be between 80 and 65535.");
  assert.match(alert(globalLine('log 127.0.0.1 format json local0')), /^SY_ERR_CFG_ARG log : unknown log format 'json'/);
  assert.match(alert(globalLine('log 127.0.0.1 local0 bogus')), /unknown optional log level 'bogus'/);
  assert.equal(alert(globalLine('log 127.0.0.1 local0 info debug extra')), "SY_ERR_CFG_ARG log : cannot handle unexpected argument 'extra'.");
  assert.match(alert(globalLine('log 127.0.0.1 sample 1-3,5:4 local0')), /sample size 4 should be greater or equal to 5 the maximum of the high ranges limits/);
  assert.match(alert(globalLine('log 127.0.0.1 sample 0:4 local0')), /wrong sample range '0'/);
  assert.match(alert(globalLine('log 127.0.0.1 sample 1:x local0')), /wrong sample size 'x' for sample range '1'/);
  assert.match(alert(globalLine('log 127.0.0.1')), /expects <address> and <facility> as arguments/);
  assert.equal(alert(globalLine('log global')), "SY_ERR_CFG_ARG log : 'global' is not supported for a global syslog server.");
  assert.match(alert(globalLine('log ::1 local0')), /^SY_ERR_CFG_ADDRESS log : invalid address/);
  assert.match(alert(globalLine('log ring@buf local0')), /^SY_ERR_CFG_NOT_IMPLEMENTED .*not implemented yet/);
  assert.match(alert(globalLine('log tcp@127.0.0.1:514 local0')), /^SY_ERR_CFG_NOT_IMPLEMENTED/);
  assert.match(alert(globalLine('log syslog.example.com local0')), /^SY_ERR_CFG_NOT_IMPLEMENTED .*host names/);
  assert.match(alert(globalLine('log 127.0.0.1:99999 local0')), /^SY_ERR_CFG_ADDRESS .*invalid port/);
  assert.equal(alert(globalLine('log-tag')), "SY_ERR_CFG_ARG 'log-tag' expects a tag for use in syslog.");
  const c = globalLine('log-send-hostname');
  parseGlobalLog(c, c.config.global, words('log-tag edge'));
  assert.deepEqual(c.config.global.log, { targets: [], sendHostname: true, tag: 'edge' });
  assert.equal(parseGlobalLog(c, c.config.global, words('maxconn 1')), false);
});

test('proxy keywords: log global / ADDR / no log, formats, tag, options', () => {
  const c = ctx();
  const p = proxy();
  const t = { proxy: p };
  for (const l of ['log global', 'log global', 'log 127.0.0.1:9 local0', 'log-tag www', 'option httplog clf', 'option log-separate-errors', 'option logasap', 'error-log-format %ci']) {
    assert.equal(parseLogKeyword(c, t, p, words(l)), true, l);
  }
  assert.equal(parseLogKeyword(c, t, p, ['log-format-sd', '[x@1 a="%b"]']), true);
  assert.deepEqual(c.diagnostics, []);
  assert.equal(p.log.targets[0], 'global');
  assert.equal(p.log.targets.length, 2);
  assert.deepEqual([p.log.formatKind, p.log.tag, p.log.separateErrors, p.log.logasap, p.log.errorFormat], ['clf', 'www', true, true, '%ci']);
  parseLogKeyword(c, t, p, ['log-format', '%ci:%cp %b']);
  assert.deepEqual([p.log.formatKind, p.log.format], ['custom', '%ci:%cp %b']);
  parseLogKeyword(c, t, p, words('option tcplog'));
  assert.deepEqual([p.log.formatKind, p.options.tcplog], ['tcplog', true]);
  parseLogKeyword(c, t, p, words('no option log-separate-errors'));
  assert.equal(p.log.separateErrors, false);
  parseLogKeyword(c, t, p, words('no log'));
  assert.deepEqual(p.log.targets, []);
  assert.equal(parseLogKeyword(c, t, p, words('option redispatch')), false);
  assert.equal(parseLogKeyword(c, t, p, words('balance roundrobin')), false);
  assert.deepEqual(c.diagnostics, []);
});

test('proxy keyword errors and backend warnings, as haproxy -c', () => {
  const one = (l: string[] | string, kind: 'frontend' | 'backend' = 'frontend'): ParseContext => {
    const c = ctx();
    const p = proxy(kind);
    assert.equal(parseLogKeyword(c, { proxy: p }, p, typeof l === 'string' ? words(l) : l), true);
    return c;
  };
  assert.equal(alert(one('no log x')), "SY_ERR_CFG_ARG log : 'no log' does not expect arguments.");
  assert.equal(alert(one('log-format a b')), "SY_ERR_CFG_ARG log-format expects only one argument, don't forget to escape spaces!");
  assert.equal(alert(one('log-format')), 'SY_ERR_CFG_ARG log-format expects an argument.');
  assert.equal(alert(one(['log-format', '%%zz %zz'])), "SY_ERR_CFG_LOG_FORMAT failed to parse log-format : no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'.");
  assert.equal(alert(one('option httplog x')), "SY_ERR_CFG_ARG keyword 'httplog' only supports option 'clf'.");
  assert.equal(alert(one('option logasap x')), "SY_ERR_CFG_ARG 'option logasap' cannot handle unexpected argument 'x'.");
  assert.equal(alert(one('no option httplog')), "SY_ERR_CFG_ARG negation/default is not supported for option 'httplog'.");
  const w = (c: ParseContext): string => c.diagnostics.map((d) => `${d.severity} ${d.message}`).join('|');
  assert.equal(w(one('log-format %ci', 'backend')), "warning backend 'p' : 'log-format' directive is ignored in backends.");
  assert.equal(w(one('option httplog', 'backend')), "warning backend 'p' : 'option httplog' directive is ignored in backends.");
  assert.equal(w(one('option logasap', 'backend')), "warning 'logasap' ignored because backend 'p' has no frontend capability.");
  // Backends may have log targets and a tag (HAProxy logs server state changes there).
  assert.equal(w(one('log 127.0.0.1 local0', 'backend')), '');
  assert.equal(w(one('log-tag x', 'backend')), '');
  // In defaults, settings are stored and inherited.
  const c = ctx();
  const d = { ...emptySettings(), name: '', where: { file: 't.cfg', line: 1 } };
  parseLogKeyword(c, { defaults: d }, d, words('option httplog'));
  assert.equal(d.log.formatKind, 'httplog');
});

test('finalizeProxyLog: httplog falls back to tcplog outside mode http; HTTP variables are refused there', () => {
  const c = ctx();
  parseGlobalLog(c, c.config.global, words('log 127.0.0.1 local0'));
  const p = proxy();
  p.mode = 'tcp';
  parseLogKeyword(c, { proxy: p }, p, words('log global'));
  parseLogKeyword(c, { proxy: p }, p, words('option httplog'));
  finalizeProxyLog(c, p);
  assert.equal(p.log.formatKind, 'tcplog');
  assert.match(c.diagnostics[0]!.message, /^'option httplog' not usable with frontend 'p' \(needs 'mode http'\)\. Falling back to 'option tcplog'\.$/);
  const c2 = ctx();
  const p2 = proxy();
  p2.mode = 'tcp';
  parseLogKeyword(c2, { proxy: p2 }, p2, ['log-format', '%ci %r %HM']);
  finalizeProxyLog(c2, p2);
  const d = c2.diagnostics.map((x) => `${x.severity} ${x.code ?? ''} ${x.message}`);
  assert.deepEqual(d, [
    "alert SY_ERR_CFG_LOG_FORMAT failed to parse log-format : format variable 'r' is reserved for HTTP mode.",
    "warning  log format ignored for frontend 'p' since it has no log address.",
  ]);
});

test('log line parser details', () => {
  assert.deepEqual(parseLogLine(['log', 'global']), { ok: true, global: true });
  assert.deepEqual(parseLogAddress('udp4@10.0.0.1'), { ok: true, value: { kind: 'udp', host: '10.0.0.1', family: 4, port: 514 } });
  assert.equal(parseLogAddress('udp4@::1:5').ok, false);
  assert.deepEqual(parseLogAddress('::1:5'), { ok: true, value: { kind: 'udp', host: '::1', family: 6, port: 5 } });
  assert.equal(parseLogAddress('fd@x').ok, false);
});

test('unique-id-format / unique-id-header: stored, format and samples checked (HAProxy 2.6 wording)', () => {
  const p = proxy();
  const c = ctx();
  const t = { proxy: p };
  assert.equal(parseLogKeyword(c, t, p, ['unique-id-format', '%{+X}o %ci:%cp_%[req.hdr(host)]']), true);
  assert.equal(parseLogKeyword(c, t, p, ['unique-id-header', 'X-Unique-ID']), true);
  assert.deepEqual(c.diagnostics, []);
  assert.equal(p.log.uniqueIdFormat, '%{+X}o %ci:%cp_%[req.hdr(host)]');
  assert.equal(p.log.uniqueIdHeader, 'X-Unique-ID');
  const bad = ctx();
  parseLogKeyword(bad, t, p, ['unique-id-format', '%[status]']);
  assert.equal(alert(bad), "SY_ERR_CFG_LOG_FORMAT failed to parse unique-id : sample fetch <status]> may not be reliably used here because it needs 'HTTP response' which is not available here.");
  const none = ctx();
  parseLogKeyword(none, t, p, ['unique-id-header']);
  assert.equal(alert(none), 'SY_ERR_CFG_ARG unique-id-header expects an argument.');
  // A backend keeps them silently, as HAProxy 2.6 does (the frontend's are the ones used).
  const b = proxy('backend');
  const bc = ctx();
  parseLogKeyword(bc, { proxy: b }, b, ['unique-id-format', 'x']);
  assert.deepEqual(bc.diagnostics, []);
});

test('log-format samples are compiled at parse time: header fetches refused as HAProxy does', () => {
  const p = proxy();
  const c = ctx();
  parseLogKeyword(c, { proxy: p }, p, ['log-format', '%[path]']);
  assert.equal(alert(c), "SY_ERR_CFG_LOG_FORMAT failed to parse log-format : sample fetch <path]> may not be reliably used here because it needs 'HTTP request headers' which is not available here.");
  const ok = ctx();
  parseLogKeyword(ok, { proxy: p }, p, ['log-format', '%[src] %[status] %[var(txn.host),lower] %{+json}o %(a)ci']);
  assert.deepEqual(ok.diagnostics, []);
});
