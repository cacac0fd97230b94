/**
 * Health-check columns end to end: real servers on 127.0.0.1 — a closed port, an HTTP
 * server answering 500, one answering 200 — checked by a real bin/switchyard, then the
 * CSV, JSON and HTML read. The same configuration runs under HAProxy 2.6 (when
 * installed) and the check columns of each server must say the same words
 * (check_status, check_code, last_chk, check_desc, chkfail, status).
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

async function statusServer(status: number): Promise<number> {
  const srv = http.createServer((req, res) => { req.resume(); res.writeHead(status, { 'content-length': 2 }); res.end('xx'); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => { srv.closeAllConnections(); srv.close(); });
  return (srv.address() as net.AddressInfo).port;
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** CSV cells split on commas (none of the values compared here holds one). */
function csvRows(csv: string): Map<string, Record<string, string>> {
  const lines = csv.trim().split('\n');
  const cols = lines[0]!.slice(2).split(',');
  const out = new Map<string, Record<string, string>>();
  for (const l of lines.slice(1)) {
    const cells = l.split(',');
    const rec: Record<string, string> = {};
    cols.forEach((c, i) => { rec[c] = cells[i] ?? ''; });
    out.set(`${rec.pxname}/${rec.svname}`, rec);
  }
  return out;
}

/** A closed port: bound once, then released. */
async function closedPort(): Promise<number> {
  return freePort();
}

function config(sock: string, ports: { closed: number; bad: number; good: number; stats: number }): string {
  return [
    'global', `    stats socket ${sock} level admin`,
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s', '    timeout check 1s',
    'backend web', '    option httpchk GET /',
    `    server down 127.0.0.1:${ports.closed} check inter 200`,
    `    server bad 127.0.0.1:${ports.bad} check inter 200`,
    `    server good 127.0.0.1:${ports.good} check inter 200`,
    'backend plain', '    mode tcp',
    `    server tdown 127.0.0.1:${ports.closed} check inter 200`,
    `    server tup 127.0.0.1:${ports.good} check inter 200`,
    `    server nocheck 127.0.0.1:${ports.good}`,
    'listen st', `    bind 127.0.0.1:${ports.stats}`, '    stats uri /st', '',
  ].join('\n');
}

const COMPARED = ['status', 'check_status', 'check_code', 'last_chk', 'check_desc', 'chkfail'] as const;
const SERVERS = ['web/down', 'web/bad', 'web/good', 'plain/tdown', 'plain/tup', 'plain/nocheck'];

/** The compared columns, with the "* " of a check in progress taken off. */
function checkView(rows: Map<string, Record<string, string>>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const k of SERVERS) {
    const r = rows.get(k);
    assert.ok(r, `row ${k}`);
    out[k] = Object.fromEntries(COMPARED.map((c) => [c, c === 'check_status' ? r[c]!.replace(/^\* /, '') : r[c]!]));
  }
  return out;
}

/** Reads `show stat` until every checked server has a verdict and the down ones are DOWN. */
async function settled(sock: string): Promise<Map<string, Record<string, string>>> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const rows = csvRows(await cli(sock, 'show stat'));
    // Under load HAProxy's row once read L7STS with code 0 and no last_chk (CI, checks every
    // 200 ms; presumably read while the next check ran): wait until both HTTP checks show a code.
    const done = ['web/down', 'web/bad', 'plain/tdown'].every((k) => rows.get(k)?.status === 'DOWN')
      && ['web/good', 'plain/tup'].every((k) => /^(\* )?L[47]OK$/.test(rows.get(k)?.check_status ?? ''))
      && ['web/bad', 'web/good'].every((k) => /^[1-9]\d\d$/.test(rows.get(k)?.check_code ?? ''));
    if (done || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('check columns: L4CON for a closed port, L7STS/500 for a 500, L7OK/200, L4OK; same words as HAProxy 2.6', async (t) => {
  const ports = { closed: await closedPort(), bad: await statusServer(500), good: await statusServer(200), stats: await freePort() };
  const dir = tempDir();
  const sock = join(dir, 'admin.sock');
  runSwitchyard(['-db', '-f', writeConfig(config(sock, ports), dir)]);
  await waitForPort(ports.stats);
  await waitForSocket(sock);
  const rows = await settled(sock);
  const ours = checkView(rows);
  assert.deepEqual(ours['web/down'], { status: 'DOWN', check_status: 'L4CON', check_code: '', last_chk: 'Connection refused', check_desc: 'Layer4 connection problem', chkfail: '1' });
  assert.deepEqual(ours['web/bad'], { status: 'DOWN', check_status: 'L7STS', check_code: '500', last_chk: 'Internal Server Error', check_desc: 'Layer7 wrong status', chkfail: '1' });
  assert.deepEqual(ours['web/good'], { status: 'UP', check_status: 'L7OK', check_code: '200', last_chk: '', check_desc: 'Layer7 check passed', chkfail: '0' });
  assert.deepEqual(ours['plain/tdown'], { status: 'DOWN', check_status: 'L4CON', check_code: '', last_chk: 'Connection refused', check_desc: 'Layer4 connection problem', chkfail: '1' });
  assert.deepEqual(ours['plain/tup'], { status: 'UP', check_status: 'L4OK', check_code: '', last_chk: '', check_desc: 'Layer4 check passed', chkfail: '0' });
  assert.deepEqual(ours['plain/nocheck'], { status: 'no check', check_status: '', check_code: '', last_chk: '', check_desc: '', chkfail: '' });
  for (const k of ['web/down', 'web/bad', 'web/good']) assert.match(rows.get(k)!.check_duration!, /^\d+$/, k);
  assert.equal(rows.get('web/BACKEND')!.chkfail, '', 'backend rows have no chkfail, as in HAProxy');

  // chkdown, lastchg and downtime come from the once-a-second sampler.
  await new Promise((r) => setTimeout(r, 1200));
  const later = csvRows(await cli(sock, 'show stat'));
  assert.equal(later.get('web/down')!.chkdown, '1');
  assert.match(later.get('web/down')!.downtime!, /^\d+$/);
  assert.equal(later.get('web/good')!.chkdown, '0');

  // JSON carries the same values.
  const json = JSON.parse(await get(ports.stats, '/st;json')) as { field: { name: string }; value: { value: unknown } }[][];
  const bad = json.map((r) => new Map(r.map((f) => [f.field.name, f.value.value]))).find((m) => m.get('pxname') === 'web' && m.get('svname') === 'bad')!;
  assert.equal(bad.get('check_code'), 500);
  assert.equal(bad.get('last_chk'), 'Internal Server Error');

  // The page words it like HAProxy's: "L7STS/500 in Nms", the description as a tooltip.
  const page = await get(ports.stats, '/st');
  const lastChk = (sv: string): RegExpExecArray | null => new RegExp(`data-sv="${sv}"[^\\n]*?<td data-col="last_chk" title="([^"]*)">([^<]*)</td>`).exec(page);
  assert.match(lastChk('bad')?.[2] ?? '', /^(\* )?L7STS\/500 in \d+ms$/);
  assert.equal(lastChk('bad')?.[1], 'Layer7 wrong status: Internal Server Error');
  assert.match(lastChk('down')?.[2] ?? '', /^(\* )?L4CON in \d+ms$/);
  assert.match(lastChk('good')?.[2] ?? '', /^(\* )?L7OK\/200 in \d+ms$/);
  assert.match(page, /data-sv="down"[^\n]*<td data-col="chkfail">1<\/td><td data-col="chkdown">1<\/td>/);

  if (!existsSync(HAPROXY)) { t.skip('haproxy not installed (apt-get install haproxy): no comparison'); return; }
  const hdir = tempDir();
  const hsock = join(hdir, 'h.sock');
  const hp = spawn(HAPROXY, ['-db', '-f', writeConfig(config(hsock, { ...ports, stats: await freePort() }), hdir)], { stdio: 'ignore' });
  closers.push(() => hp.kill('SIGKILL'));
  await waitForSocket(hsock);
  await new Promise((r) => setTimeout(r, 100));
  const theirs = checkView(await settled(hsock));
  hp.kill('SIGINT');
  assert.deepEqual(ours, theirs);
});
