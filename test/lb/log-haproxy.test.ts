/**
 * Differential test of access-log line layouts: the same configuration and the same
 * requests through the real HAProxy 2.6 (/usr/sbin/haproxy) and through bin/switchyard,
 * both logging to a UDP syslog receiver in this process. Each line's *shape* (every run of
 * digits replaced by N, the tag's pid removed) must match between the two, and both must
 * match the field-by-field pattern HAProxy's manual documents (§8.2.1–8.2.3).
 *
 * The HAProxy half pins the expected shapes today. The Switchyard half skips, with its
 * reason, while the logging keywords are not routed by the configuration parser; once
 * they are, it runs and fails until the streams produce log records.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { cleanup, freePort, runSwitchyard, runToEnd, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { syslogServer, type SyslogServer } from '../helpers/syslog.ts';

const HAPROXY = '/usr/sbin/haproxy';
const hasHaproxy = existsSync(HAPROXY) && spawnSync(HAPROXY, ['-v']).status === 0;

const procs: ChildProcess[] = [];
const closers: Array<() => void> = [];
after(async () => {
  for (const p of procs) p.kill('SIGKILL');
  for (const c of closers) c();
  await cleanup();
});

// ------------------------------------------------------------------ shared fixtures

async function syslog(): Promise<SyslogServer> {
  const r = await syslogServer();
  closers.push(r.close);
  return r;
}

async function webServer(): Promise<number> {
  const srv = http.createServer((_q, r) => { r.end('hello\n'); });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  srv.unref();
  closers.push(() => srv.close());
  return (srv.address() as net.AddressInfo).port;
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
  });
}

function raw(port: number, data: string): Promise<void> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => (data ? c.write(data) : c.end()));
    c.on('data', () => {});
    c.on('error', () => resolve());
    c.on('close', () => resolve());
    setTimeout(() => c.destroy(), 1000).unref();
  });
}

interface Ports { log: number; web: number; dead: number; http: number; tcp: number; clf: number; dflt: number; refused: number }

function config(p: Ports): string {
  return `global
  log 127.0.0.1:${p.log} local0
  log-tag lbtest
defaults
  timeout client 5s
  timeout server 5s
  timeout connect 2s
  log global
frontend fhttp
  mode http
  bind 127.0.0.1:${p.http}
  option httplog
  default_backend be
frontend fclf
  mode http
  bind 127.0.0.1:${p.clf}
  option httplog clf
  default_backend be
frontend fdflt
  mode http
  bind 127.0.0.1:${p.dflt}
  default_backend be
frontend frefused
  mode http
  bind 127.0.0.1:${p.refused}
  option httplog
  default_backend bdead
frontend ftcp
  mode tcp
  bind 127.0.0.1:${p.tcp}
  option tcplog
  default_backend bt
backend be
  mode http
  server s1 127.0.0.1:${p.web}
backend bdead
  mode http
  retries 0
  server s1 127.0.0.1:${p.dead}
backend bt
  mode tcp
  server s1 127.0.0.1:${p.web}
`;
}

const D = String.raw`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]`;
const HDR = String.raw`<134>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d lbtest\[\d+\]: `;
/** The documented field patterns, one per scenario. */
const EXPECT: Record<string, RegExp> = {
  http: new RegExp(String.raw`^${HDR}127\.0\.0\.1:\d+ ${D} fhttp be/s1 \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/\d+ \d+/\d+ "GET /a/b\?x=1 HTTP/1\.1"\n$`),
  clf: new RegExp(String.raw`^${HDR}127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /c HTTP/1\.1" 200 \d+ "" "" \d+ \d{3} "fclf" "be" "s1" \d+ \d+ \d+ \d+ \d+ ---- \d+ \d+ \d+ \d+ \d+ \d+ \d+ "" "" \n$`),
  dflt: new RegExp(String.raw`^${HDR}Connect from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+ \(fdflt/HTTP\)\n$`),
  refused: new RegExp(String.raw`^${HDR}127\.0\.0\.1:\d+ ${D} frefused bdead/s1 \d+/\d+/-1/-1/\d+ 503 \d+ - - SC-- \d+/\d+/\d+/\d+/0 0/0 "GET /r HTTP/1\.1"\n$`),
  badreq: new RegExp(String.raw`^${HDR}127\.0\.0\.1:\d+ ${D} fhttp fhttp/<NOSRV> -1/-1/-1/-1/\d+ 400 \d+ - - PR-- \d+/\d+/\d+/\d+/0 0/0 "<BADREQ>"\n$`),
  tcp: new RegExp(String.raw`^${HDR}127\.0\.0\.1:\d+ ${D} ftcp bt/s1 \d+/\d+/\d+ \d+ -- \d+/\d+/\d+/\d+/0 0/0\n$`),
};

/** Values aside: digits collapse to N, and the pid goes. */
const shape = (line: string): string => line.replace(/\d+/g, 'N');

/** Runs the scenarios against a started proxy; returns the line each produced. */
async function scenarios(rx: Awaited<ReturnType<typeof syslog>>, p: Ports): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  const one = async (name: string, act: () => Promise<unknown>): Promise<void> => {
    // Discard earlier lines (the readiness probe's empty connection logs one).
    await new Promise((r) => setTimeout(r, 150));
    await rx.take(0, 0);
    await act();
    const lines = await rx.take(1);
    out[name] = lines[0];
  };
  await one('http', () => get(p.http, '/a/b?x=1'));
  await one('clf', () => get(p.clf, '/c'));
  await one('dflt', () => get(p.dflt, '/d'));
  await one('refused', () => get(p.refused, '/r'));
  await one('badreq', () => raw(p.http, 'GARBAGE\r\n\r\n'));
  await one('tcp', () => get(p.tcp, '/t'));
  return out;
}

async function ports(log: number, web: number): Promise<Ports> {
  return { log, web, dead: await freePort(), http: await freePort(), tcp: await freePort(), clf: await freePort(), dflt: await freePort(), refused: await freePort() };
}

let haproxyLines: Record<string, string | undefined> | undefined;

test('HAProxy 2.6 itself: the documented line shapes', { skip: hasHaproxy ? false : 'no /usr/sbin/haproxy (Debian package haproxy)' }, async () => {
  const rx = await syslog();
  const p = await ports(rx.port, await webServer());
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(config(p))], { stdio: 'ignore' });
  procs.push(hp);
  await waitForPort(p.http);
  haproxyLines = await scenarios(rx, p);
  hp.kill('SIGKILL');
  for (const [name, re] of Object.entries(EXPECT)) assert.match(haproxyLines[name] ?? '(no line)', re, name);
});

test('Switchyard: the same lines, same shapes as HAProxy', async (t) => {
  const rx = await syslog();
  const p = await ports(rx.port, await webServer());
  const cfg = writeConfig(config(p));
  const check = await runToEnd(['-c', '-f', cfg]);
  if (check.code !== 0) {
    if (/not implemented yet/.test(check.out) && /\blog\b|log-tag|httplog|tcplog/.test(check.out)) {
      t.skip('logging keywords are not routed by the configuration parser yet');
      return;
    }
    assert.fail(`switchyard -c refused the configuration:\n${check.out}`);
  }
  const sy = runSwitchyard(['-db', '-f', cfg]);
  await waitForPort(p.http);
  const got = await scenarios(rx, p);
  sy.proc.kill('SIGKILL');
  for (const [name, re] of Object.entries(EXPECT)) {
    assert.match(got[name] ?? '(no line)', re, `${name}: ${got[name]}`);
    if (haproxyLines?.[name]) assert.equal(shape(got[name]!), shape(haproxyLines[name]!), `${name}: layout differs from HAProxy`);
  }
});
