/**
 * The probes against real sockets on 127.0.0.1: plain connect, HTTP (default verdict,
 * expect rules, body framings, timeouts, garbage), tcp-check rulesets and the agent.
 * Results are compared with what HAProxy 2.6 reports for the same server behaviour.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { probeConnect } from './tcp.ts';
import { buildRequest, dechunk, runHttpCheck } from './http.ts';
import { runTcpCheck } from './tcp-check.ts';
import { probeAgent } from './agent.ts';
import { defaultProxyCheck, type CheckRule, type ProxyCheckConfig } from './config.ts';
import type { CheckResult, ProbeTarget } from './types.ts';

const servers: net.Server[] = [];
after(() => { for (const s of servers) s.close(); });

/** A server whose connections run `fn`; returns its port and the requests it saw. */
async function serve(fn: (s: net.Socket, data: string) => void, onConnect?: (s: net.Socket) => void): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    onConnect?.(s);
    let got = '';
    s.on('data', (d) => { got += d.toString('latin1'); seen.push(got); fn(s, got); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  srv.unref();
  servers.push(srv);
  return { port: (srv.address() as net.AddressInfo).port, seen };
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const target = (port: number, total = 500): ProbeTarget => ({ host: '127.0.0.1', port, connectTimeout: total, totalTimeout: total });
const brief = (r: CheckResult): string => `${r.outcome} ${r.status}${r.code !== undefined ? ` ${r.code}` : ''}${r.info ? ` "${r.info}"` : ''}`;
const respond = (text: string) => (s: net.Socket): void => { s.end(text); };
function http(extra: Partial<ProxyCheckConfig> = {}): ProxyCheckConfig {
  return { ...defaultProxyCheck(), kind: 'http', ...extra };
}

test('plain connect check: L4OK, refused, timeout bound', async () => {
  const up = await serve(() => {});
  assert.equal(brief(await probeConnect(target(up.port))), 'passed L4OK');
  assert.equal(brief(await probeConnect(target(await closedPort()))), 'failed L4CON "Connection refused"');
});

test('HTTP check: the request HAProxy 2.6 sends, default verdict on status', async () => {
  const ok = await serve(respond('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  assert.equal(brief(await runHttpCheck(target(ok.port), http())), 'passed L7OK 200');
  assert.equal(ok.seen[0], 'OPTIONS / HTTP/1.0\r\n\r\n');
  const bad = await serve(respond('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(brief(await runHttpCheck(target(bad.port), http())), 'failed L7STS 503 "Service Unavailable"');
  const nf = await serve(respond('HTTP/1.0 404 Not Found\r\n\r\n'));
  assert.equal(brief(await runHttpCheck(target(nf.port), http({ disableOn404: true }))), 'condpass L7OKC 404');
  const redirect = await serve(respond('HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(brief(await runHttpCheck(target(redirect.port), http())), 'passed L7OK 302');
});

test('HTTP check request forms: http-check send over option httpchk', () => {
  const hc = http({ http: { meth: 'GET', uri: '/y', ver: 'HTTP/1.0', headers: [] } });
  const send: CheckRule = { kind: 'http-send', meth: 'POST', ver: 'HTTP/1.1', headers: [['X-A', 'b']], body: 'hello' };
  assert.equal(buildRequest(hc, send as Extract<CheckRule, { kind: 'http-send' }>).bytes.toString(), 'POST /y HTTP/1.1\r\nx-a: b\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello');
  assert.equal(buildRequest(hc, null).bytes.toString(), 'GET /y HTTP/1.0\r\n\r\n');
});

test('HTTP check expect rules: status lists, rstatus, string in length/chunked/close bodies, inversion', async () => {
  const s = await serve(respond('HTTP/1.1 202 Accepted\r\nContent-Length: 11\r\n\r\nhello world'));
  const expect = (match: 'status' | 'rstatus' | 'string' | 'rstring', pattern: string, inverse = false, ranges?: [number, number][]): CheckRule =>
    ({ kind: 'expect', match, inverse, pattern, ...(ranges ? { ranges } : {}) });
  const run = async (port: number, ...rules: CheckRule[]): Promise<string> => brief(await runHttpCheck(target(port), http({ httpRules: rules })));
  assert.equal(await run(s.port, expect('status', '200-299', false, [[200, 299]])), 'passed L7OK 202');
  assert.equal(await run(s.port, expect('status', '200', false, [[200, 200]])), 'failed L7STS 202 "Accepted"');
  assert.equal(await run(s.port, expect('status', '500', true, [[500, 500]])), 'passed L7OK 202');
  assert.equal(await run(s.port, expect('rstatus', '^2')), 'passed L7OK 202');
  assert.equal(await run(s.port, expect('string', 'world')), 'passed L7OK 202');
  assert.equal(await run(s.port, expect('string', 'bad')), 'failed L7RSP "HTTP content check did not match"');
  assert.equal(await run(s.port, expect('string', 'world', true)), 'failed L7RSP "HTTP content check matched unwanted content"');
  assert.equal(await run(s.port, expect('status', '202', false, [[202, 202]]), expect('rstring', 'h.llo')), 'passed L7OK 202');
  const chunked = await serve(respond('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n'));
  assert.equal(await run(chunked.port, expect('string', 'cdef')), 'passed L7OK 200');
  const close = await serve(respond('HTTP/1.0 200 OK\r\n\r\nall of it'));
  assert.equal(await run(close.port, expect('string', 'of it')), 'passed L7OK 200');
  const empty = await serve(respond('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(await run(empty.port, expect('string', 'x')), 'failed L7RSP "HTTP content check could not find a response body"');
  assert.deepEqual(dechunk(Buffer.from('2\r\nab\r\n0\r\n\r\n')), Buffer.from('ab'));
  assert.equal(dechunk(Buffer.from('2\r\nab\r\n')), null);
});

test('HTTP check failures: closed without answer, garbage, silence (timeout), refused', async () => {
  const shut = await serve(() => {}, (s) => s.end());
  assert.equal(brief(await runHttpCheck(target(shut.port), http())), 'failed L7RSP');
  const garbage = await serve(respond('garbage\r\n\r\n'));
  assert.equal(brief(await runHttpCheck(target(garbage.port), http())), 'failed L7RSP');
  const silent = await serve(() => {});
  const t0 = performance.now();
  const r = await runHttpCheck(target(silent.port, 200), http());
  assert.equal(brief(r), 'failed L7TOUT');
  assert.ok(performance.now() - t0 < 400, 'bounded by the probe time');
  assert.equal(brief(await runHttpCheck(target(await closedPort()), http())), 'failed L4CON "Connection refused"');
  // timeout check: the exchange's bound counts from the connection.
  const r2 = await runHttpCheck({ ...target(silent.port, 1000), readTimeout: 100 }, http());
  assert.equal(r2.status, 'L7TOUT');
  assert.ok(r2.durationMs < 300, `took ${r2.durationMs} ms`);
});

test('tcp-check: send/expect, binary, inverted, empty, mismatch at close, timeout, connect steps', async () => {
  const pong = await serve((s, d) => { if (d.includes('\n')) s.end(d.startsWith('PING') ? '+PONG\r\n' : '-ERR\r\n'); });
  const send = (text: string): CheckRule => ({ kind: 'send', data: Buffer.from(text), text, binary: false });
  const exp = (match: 'string' | 'rstring' | 'binary' | 'rbinary', pattern: string, inverse = false): CheckRule =>
    ({ kind: 'expect', match, inverse, pattern, ...(match === 'binary' ? { bytes: Buffer.from(pattern, 'hex') } : {}) });
  const run = async (port: number, rules: CheckRule[], total = 500): Promise<string> => brief(await runTcpCheck(target(port, total), rules));
  assert.equal(await run(pong.port, [send('PING\r\n'), exp('string', '+PONG')]), 'passed L7OK 0 "(tcp-check)"');
  assert.equal(await run(pong.port, [send('PING\r\n'), exp('binary', '2b504f4e47')]), 'passed L7OK 0 "(tcp-check)"');
  assert.equal(await run(pong.port, [send('PING\r\n'), exp('rstring', '^\\+PO')]), 'passed L7OK 0 "(tcp-check)"');
  assert.equal(await run(pong.port, [send('x\n'), exp('string', '-ERR', true)]), 'failed L7RSP "TCPCHK matched unwanted content \'-ERR\' at step 2"');
  assert.equal(await run(pong.port, [send('PING\n'), exp('string', '-ERR', true)]), 'passed L7OK 0 "(tcp-check)"');
  assert.equal(await run(pong.port, [send('x\n'), exp('string', '+PONG')]), 'failed L7RSP "TCPCHK did not match content \'+PONG\' at step 2"');
  const shut = await serve(() => {}, (s) => s.end());
  assert.equal(await run(shut.port, [send('PING\r\n'), exp('string', 'OK')]), 'failed L7RSP "TCPCHK got an empty response at step 2"');
  const silent = await serve(() => {});
  assert.equal(await run(silent.port, [send('PING\r\n'), exp('string', 'OK')], 150), 'failed L7TOUT " at step 2 of tcp-check (expect string \'OK\')"');
  assert.equal(await run(pong.port, []), 'passed L4OK');
  const closed = await closedPort();
  assert.equal(await run(closed, [send('x')]), 'failed L4CON "Connection refused at initial connection step of tcp-check"');
  assert.equal(await run(closed, [{ kind: 'connect', port: pong.port, addr: null }, send('PING\n'), exp('string', 'PONG'), { kind: 'connect', port: closed, addr: null }]),
    `failed L4CON "Connection refused at step 4 of tcp-check (connect port ${closed})"`);
  const twice: CheckRule[] = [{ kind: 'connect', port: pong.port, addr: null }, send('PING\n'), exp('string', 'PONG'), { kind: 'connect', port: pong.port, addr: '127.0.0.1' }, send('PING\n'), exp('string', 'PONG')];
  assert.equal(await run(closed, twice), 'passed L7OK 0 "(tcp-check)"', 'a second connection is not confused by the first one closing');
});

test('agent probe: reply parsed, agent-send sent, unreachable agent is neutral', async () => {
  const agent = await serve(() => {}, (s) => s.end('50% maxconn:7 drain\n'));
  const r = await probeAgent(target(agent.port), '');
  assert.deepEqual(r.reply, { weightPercent: 50, maxconn: 7, admin: 'drain' });
  assert.equal(r.result.outcome, 'neutral');
  const echo = await serve((s, d) => { if (d.endsWith('\n')) s.end(d === 'hello\n' ? 'up\n' : 'down\n'); });
  assert.equal(brief((await probeAgent(target(echo.port), 'hello\n')).result), 'passed L7OK 0 "via agent : up"');
  assert.equal((await probeAgent(target(await closedPort()), '')).result.outcome, 'neutral');
});
