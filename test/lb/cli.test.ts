/**
 * The runtime API on `stats socket`, end to end: real bin/switchyard, real HTTP servers
 * on 127.0.0.1, real traffic. Levels are enforced as HAProxy does (user reads, operator
 * also clears max counters and lists sessions, admin changes state); weight, state and
 * maxconn changes take effect on real traffic; and for a list of commands, the answer
 * is compared byte for byte with HAProxy 2.6's on an equivalent configuration (skipped
 * with the reason when /usr/sbin/haproxy is absent).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli, waitForSocket } from '../helpers/cli.ts';

const HAPROXY = '/usr/sbin/haproxy';
const closers: (() => void)[] = [];
after(() => { for (const c of closers) c(); cleanup(); });

async function webServer(name: string): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const srv = http.createServer((req, res) => {
    req.resume();
    hits++;
    res.writeHead(200, { 'content-length': Buffer.byteLength(name) });
    res.end(name);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => { srv.closeAllConnections(); srv.close(); });
  return { port: (srv.address() as net.AddressInfo).port, hits: () => hits };
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

interface Setup { fePort: number; dir: string; admin: string; oper: string; user: string; a: { port: number; hits: () => number }; b: { port: number; hits: () => number } }

function config(dir: string, fePort: number, a: number, b: number, extra: string[] = []): string {
  return [
    'global', `    stats socket ${join(dir, 'admin.sock')} level admin`, `    stats socket ${join(dir, 'oper.sock')} level operator`,
    `    stats socket ${join(dir, 'user.sock')} level user`, '    maxconn 500',
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'frontend fe', `    bind 127.0.0.1:${fePort}`, '    default_backend be',
    'backend be', `    server s1 127.0.0.1:${a}`, `    server s2 127.0.0.1:${b} weight 20`, ...extra, '',
  ].join('\n');
}

async function start(): Promise<Setup> {
  const a = await webServer('A');
  const b = await webServer('B');
  const fePort = await freePort();
  const dir = tempDir();
  runSwitchyard(['-db', '-f', writeConfig(config(dir, fePort, a.port, b.port), dir)]);
  await waitForPort(fePort);
  const s = { fePort, dir, admin: join(dir, 'admin.sock'), oper: join(dir, 'oper.sock'), user: join(dir, 'user.sock'), a, b };
  for (const p of [s.admin, s.oper, s.user]) await waitForSocket(p);
  return s;
}

const DENIED = 'Permission denied\n\n';

test('levels: user reads, operator also clears max counters and lists sessions, admin changes state', async () => {
  const s = await start();
  for (const c of ['show stat', 'show info', 'show servers state', 'show backend', 'get weight be/s1', 'show version', 'help']) {
    assert.notEqual(await cli(s.user, c), DENIED, c);
  }
  for (const c of ['set server be/s1 state drain', 'set weight be/s1 3', 'set server be/s1 weight 3', 'disable server be/s1', 'enable server be/s1',
    'set maxconn server be/s1 3', 'set maxconn frontend fe 3', 'set maxconn global 3', 'clear counters', 'clear counters all', 'show sess', 'show env']) {
    assert.equal(await cli(s.user, c), DENIED, `user: ${c}`);
  }
  assert.equal(await cli(s.oper, 'clear counters'), '\n');
  assert.notEqual(await cli(s.oper, 'show sess'), DENIED);
  assert.equal(await cli(s.oper, 'show env HOME'), `HOME=${process.env.HOME}\n\n`);
  for (const c of ['clear counters all', 'set server be/s1 state drain', 'set weight be/s1 3', 'set maxconn global 3']) {
    assert.equal(await cli(s.oper, c), DENIED, `operator: ${c}`);
  }
  assert.equal(await cli(s.admin, 'clear counters all'), '\n');
  assert.equal(await cli(s.admin, 'show cli level; operator; show cli level; user; show cli level; set weight be/s1 2'), `admin\n\n\noperator\n\n\nuser\n\n${DENIED}`);
  assert.equal(await cli(s.admin, 'get weight be/s1'), '1 (initial 1)\n\n');
});

test('weights and states change where real traffic goes', async () => {
  const s = await start();
  const spread = async (n: number): Promise<string> => { let out = ''; for (let i = 0; i < n; i++) out += await get(s.fePort); return out; };
  assert.equal(await cli(s.admin, 'set server be/s2 weight 0'), '\n');
  assert.equal(await spread(6), 'AAAAAA');
  assert.equal(await cli(s.admin, 'get weight be/s2'), '0 (initial 20)\n\n');
  assert.equal(await cli(s.admin, 'set weight be/s2 100%; set server be/s1 state maint'), '\n\n');
  assert.equal(await spread(4), 'BBBB');
  assert.equal(await cli(s.admin, 'set server be/s1 state ready; disable server be/s2'), '\n\n');
  assert.equal(await spread(4), 'AAAA');
  assert.match((await cli(s.admin, 'show stat')), /\nbe,s2,[^\n]*,MAINT,/);
  assert.equal(await cli(s.admin, 'enable server be/s2; set server be/s1 state drain'), '\n\n');
  assert.equal(await spread(3), 'BBB');
  assert.match((await cli(s.admin, 'show stat')), /\nbe,s1,[^\n]*,DRAIN,/);
});

test('set maxconn server|frontend|global show in show stat and show info', async () => {
  const s = await start();
  assert.equal(await cli(s.admin, 'set maxconn server be/s1 7; set maxconn frontend fe 9; set maxconn global 300'), '\n\n\n');
  const csv = await cli(s.admin, 'show stat');
  const slim = (row: string): string => {
    const cols = csv.split('\n')[0]!.slice(2).split(',');
    const line = csv.split('\n').find((l) => l.startsWith(row))!;
    return line.split(',')[cols.indexOf('slim')]!;
  };
  assert.equal(slim('be,s1,'), '7');
  assert.equal(slim('fe,FRONTEND,'), '9');
  // Hard_maxconn stays the start-up limit (HAProxy 2.6).
  assert.match(await cli(s.user, 'show info'), /\nMaxconn: 300\nHard_maxconn: 500\n/);
  assert.equal(await cli(s.admin, 'set maxconn global 501'), 'Value out of range.\n\n');
  assert.match(await get(s.fePort), /^[AB]$/);
});

test('show sess lists a live client session; show stat typed and json; prompt mode; unknown command', async () => {
  const s = await start();
  const held = net.connect(s.fePort, '127.0.0.1');
  closers.push(() => held.destroy());
  await new Promise<void>((r) => held.on('connect', () => r()));
  held.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  await new Promise((r) => held.once('data', r));
  const sess = await cli(s.admin, 'show sess');
  assert.match(sess, new RegExp(`^0x[0-9a-f]+: proto=tcpv4 src=127\\.0\\.0\\.1:${held.localPort} fe=fe be=be srv=(s1|s2|<none>) ts=00 age=\\d+s$`, 'm'));
  const typed = await cli(s.admin, 'show stat typed');
  assert.match(typed, /^F\.\d+\.0\.0\.pxname\.1:KNS:str:fe$/m);
  assert.match(typed, /^S\.\d+\.1\.17\.status\.1:SGP:str:no check$/m);
  assert.match(typed, /^B\.\d+\.0\.18\.weight\.1:MaP:u32:21$/m);
  const json = JSON.parse(await cli(s.admin, 'show stat json')) as { objType: string; field: { name: string }; value: { value: unknown } }[][];
  assert.equal(json.length, 4);
  assert.equal(json[1]!.find((f) => f.field.name === 'svname')!.value.value, 's1');
  assert.match(await cli(s.admin, 'show info json'), /^\[\{"field":\{"pos":0,"name":"Name"\}/);
  const unknown = await cli(s.user, 'show foo');
  assert.match(unknown, /^Unknown command, but maybe one of the following ones is a better match:\n/);
  assert.match(unknown, /\n  show info [^\n]*\n/);
  assert.match(unknown, /\n  quit {36}: disconnect\n\n$/);
  // Interactive mode: every answer ends with a prompt; quit closes.
  const out = await new Promise<string>((resolve) => {
    const c = net.connect(s.user);
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => { got += d; if (got === '\n> ') c.write('get weight be/s2\nquit\n'); });
    c.on('connect', () => c.write('prompt\n'));
    c.on('close', () => resolve(got));
  });
  assert.equal(out, '\n> 20 (initial 20)\n\n> ');
});

test('answers match HAProxy 2.6 byte for byte for the same configuration', async (t) => {
  const s = await start();
  const commands = [
    'show stat', 'get weight be/s2', 'get weight be', 'get weight nobe/s1', 'get weight be/nos',
    'set weight be/s1 300', 'set weight be/s1 -3%', 'set weight be/s1', 'set server be/s1 state foo', 'set server be/s1',
    'set server be', 'set server be/s9 weight 3', 'set maxconn server be/s1', 'set maxconn frontend nofe 10', 'set maxconn global',
    'enable server be', 'disable server nobe/x', 'show servers state nobe', 'show backend', 'show env SY_NO_SUCH_VARIABLE',
    'show cli level', 'set server be/s1 weight 5', 'get weight be/s1', 'set server be/s1 state drain', 'clear counters',
    'set maxconn frontend fe -3', 'set maxconn frontend fe', 'set maxconn server be/s1 12abc', 'set maxconn server be/s1 abc',
    'set maxconn global abc', 'set maxconn global 12abc',
  ];
  if (!existsSync(HAPROXY)) { t.skip('haproxy not installed (apt-get install haproxy)'); return; }
  const dir = tempDir();
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(config(dir, await freePort(), s.a.port, s.b.port), dir)], { stdio: 'ignore' });
  closers.push(() => hp.kill('SIGKILL'));
  await waitForSocket(join(dir, 'admin.sock'));
  for (const c of commands) {
    const [ours, theirs] = [await cli(s.admin, c), await cli(join(dir, 'admin.sock'), c)];
    // show stat: the header line (values differ by design: uptime, ids, rates).
    if (c === 'show stat') assert.equal(ours.split('\n')[0], theirs.split('\n')[0], c);
    else assert.equal(ours, theirs, c);
  }
  const header = (t: string): string => t.split('\n').slice(0, 2).join('\n');
  assert.equal(header(await cli(s.admin, 'show servers state be')), header(await cli(join(dir, 'admin.sock'), 'show servers state be')));
  hp.kill('SIGINT');
});
