/**
 * Realistic content-switching configurations (test/corpus/content/*.cfg: host-based
 * vhosts, path routing, API rate limiting, blue/green by cookie, a maintenance page),
 * each run under the real HAProxy 2.6 and under Switchyard from the same file: `-c`
 * gives the same verdict, and the same request sequence gets, request for request, the
 * same status, the same server (each test server names itself) and the same request
 * line at the server. Ports come from the environment (`"${FE_PORT}"`, `"${S1_PORT}"`…),
 * which both programs expand.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpBackend, ok, type HttpBackend } from '../helpers/http-backend.ts';
import { BIN, cleanup, freePort, waitForPort } from '../helpers/switchyard.ts';
import { HAPROXY, missingHaproxy, rawRequest } from '../helpers/haproxy.ts';

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'content');

const procs: ChildProcess[] = [];
const servers: HttpBackend[] = [];
after(async () => {
  for (const p of procs) p.kill('SIGKILL');
  for (const s of servers) s.close();
  await cleanup();
});

/** One request of a scenario: raw text sent on its own connection. */
type Step = string;

const get = (path: string, headers = ''): Step => `GET ${path} HTTP/1.1\r\nhost: www.example.com\r\n${headers}\r\n`;
const host = (h: string, path = '/'): Step => `GET ${path} HTTP/1.1\r\nhost: ${h}\r\n\r\n`;

const SCENARIOS: Record<string, Step[]> = {
  'vhosts.cfg': [
    host('shop.example.com'), host('SHOP.example.com:8080', '/cart'), host('www.shop.example.com'),
    host('blog.example.com'), host('en.blog.example.com', '/post/1'), host('notblog.example.com'),
    host('example.org'), `GET / HTTP/1.0\r\n\r\n`,
  ],
  'path-routing.cfg': [
    get('/'), get('/static/app.css'), get('/images/logo.png'), get('/theme/site.CSS'), get('/api/v1/users?id=3'),
    get('/api'), get('/api/'), get('/apiary'), get('/js/app.js?v=2'), get('/index.html'),
  ],
  'api-rate-limit.cfg': [
    get('/'), get('/api/a'), get('/api/b'), get('/api/c'), get('/api/d'), get('/api/e'), get('/api/f'), get('/api/g'),
    get('/api/h', 'x-api-key: s3cret\r\n'), get('/'), get('/api/i'),
  ],
  'blue-green-cookie.cfg': [
    get('/'), get('/', 'cookie: deploy=green\r\n'), get('/', 'cookie: a=1; deploy=green; b=2\r\n'), get('/', 'cookie: deploy=blue\r\n'),
    get('/', 'x-canary: 1\r\n'), get('/go-green'), get('/x', 'cookie: deploy=greenish\r\n'),
  ],
  'maintenance-page.cfg': [
    get('/'), get('/health'), get('/admin/login'), get('/page?x=1'), get('/administrator'),
  ],
};

interface Answer { status: number; server: string; line: string; location: string; cookie: string; body: string }

async function servePair(names: string[]): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const srv = await httpBackend((head) => ok(`${name}\n${head.split('\r\n')[0]}\n`, `x-server: ${name}\r\n`));
    servers.push(srv);
    env[`S${i + 1}_PORT`] = String(srv.port);
  }
  return env;
}

function start(program: string, file: string, env: Record<string, string>): ChildProcess {
  const p = spawn(program, ['-db', '-f', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(p);
  return p;
}

async function play(port: number, steps: Step[]): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const step of steps) {
    const r = await rawRequest(port, step);
    const header = (n: string): string => new RegExp(`\\r\\n${n}: *([^\\r]*)`, 'i').exec(`\r\n${r.head}`)?.[1] ?? '';
    const [server = '', line = ''] = r.status === 200 && header('x-server') ? r.body.split('\n') : ['', ''];
    // Bodies the proxy writes itself are compared when they are the operator's (return);
    // the built-in error pages are HAProxy's shape in our own words, so only the title counts.
    const title = /<h1>([^<]*)<\/h1>/.exec(r.body)?.[1] ?? '';
    out.push({ status: r.status, server, line, location: header('location'), cookie: header('set-cookie'), body: header('x-server') ? '' : title });
  }
  return out;
}

for (const [file, steps] of Object.entries(SCENARIOS)) {
  test(`content corpus ${file}: same -c verdict and same routing as haproxy 2.6`, { skip: missingHaproxy }, async () => {
    const path = join(CORPUS, file);
    const env = await servePair(['s1', 's2', 's3']);
    const checkEnv = { ...process.env, ...env, FE_PORT: '1' };
    const hc = spawnSync(HAPROXY, ['-c', '-f', path], { env: checkEnv, encoding: 'utf8' });
    const sc = spawnSync(BIN, ['-c', '-f', path], { env: checkEnv, encoding: 'utf8' });
    assert.equal(hc.status, 0, `haproxy -c: ${hc.stderr}`);
    assert.equal(sc.status, hc.status, `switchyard -c: ${sc.stderr}`);

    const hPort = await freePort();
    start(HAPROXY, path, { ...env, FE_PORT: String(hPort) });
    await waitForPort(hPort);
    const want = await play(hPort, steps);

    const sPort = await freePort();
    const sy = start(BIN, path, { ...env, FE_PORT: String(sPort) });
    let err = '';
    sy.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    await waitForPort(sPort);
    const got = await play(sPort, steps);

    for (let i = 0; i < steps.length; i++) {
      assert.deepEqual(got[i], want[i], `${file}, request ${i + 1}: ${JSON.stringify(steps[i])}${err ? `\n${err}` : ''}`);
    }
    // The scenario exercises more than one outcome (a corpus that routes everything to one place proves nothing).
    assert.ok(new Set(want.map((a) => `${a.status} ${a.server}`)).size >= 2, `${file}: ${JSON.stringify(want)}`);
  });
}
