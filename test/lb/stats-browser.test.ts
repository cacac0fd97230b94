/**
 * The HTML statistics page in a real headless Chromium (Debian's chromium driven by
 * playwright-core): it renders one table per proxy with every session count, counters
 * move after real traffic, and an admin action chosen in the page's form changes a
 * server's state (and so where traffic goes). Skipped with the reason when chromium or
 * playwright-core is absent (CI installs both).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';

const CHROMIUM = '/usr/bin/chromium';
const closers: (() => Promise<void> | void)[] = [];
after(async () => { for (const c of closers) await c(); await cleanup(); });

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
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function loadPlaywright(): Promise<typeof import('playwright-core') | null> {
  try { return await import('playwright-core'); } catch { return null; }
}

test('stats page in Chromium: tables per proxy, counters move, an admin action drains a server', async (t) => {
  const pw = await loadPlaywright();
  if (!existsSync(CHROMIUM)) { t.skip('chromium not installed (apt-get install chromium)'); return; }
  if (!pw) { t.skip('playwright-core not installed (npm install)'); return; }
  const a = await webServer('A');
  const b = await webServer('B');
  const fePort = await freePort();
  const stPort = await freePort();
  const cfg = [
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s',
    'frontend fe', `    bind 127.0.0.1:${fePort}`, '    default_backend be',
    'backend be', `    server s1 127.0.0.1:${a.port}`, `    server s2 127.0.0.1:${b.port}`,
    'listen stats', `    bind 127.0.0.1:${stPort}`, '    stats enable', '    stats uri /stats', '    stats admin if LOCALHOST', '    stats show-legends', '',
  ].join('\n');
  runSwitchyard(['-db', '-f', writeConfig(cfg)]);
  await waitForPort(fePort);
  await waitForPort(stPort);

  const browser = await pw.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  closers.push(() => browser.close());
  const page = await browser.newPage();
  const url = `http://127.0.0.1:${stPort}/stats`;
  await page.goto(url);
  assert.match(await page.title(), /Statistics Report/);
  const proxies = await page.$$eval('section[data-proxy]', (els) => els.map((e) => e.getAttribute('data-proxy')));
  assert.deepEqual(proxies, ['fe', 'be', 'stats']);
  const rowsOf = (px: string): Promise<string[]> => page.$$eval(`section[data-proxy="${px}"] tbody tr`, (trs) => trs.map((tr) => tr.getAttribute('data-sv') ?? ''));
  assert.deepEqual(await rowsOf('be'), ['s1', 's2', 'BACKEND']);
  // Every row shows its session counts (cur, max, total), rendered and visible.
  const cell = (px: string, sv: string, col: string): Promise<string> =>
    page.$eval(`section[data-proxy="${px}"] tr[data-sv="${sv}"] td[data-col="${col}"]`, (td) => td.textContent ?? '');
  for (const sv of ['s1', 's2', 'BACKEND']) for (const col of ['scur', 'smax', 'stot']) assert.match(await cell('be', sv, col), /^\d+$/);
  assert.ok(await page.isVisible('section[data-proxy="be"] tr[data-sv="s1"] td[data-col="scur"]'));
  const stot0 = Number(await cell('fe', 'FRONTEND', 'stot'));
  for (let i = 0; i < 8; i++) await get(fePort);
  await page.reload();
  assert.equal(Number(await cell('fe', 'FRONTEND', 'stot')) - stot0, 8);
  assert.equal(Number(await cell('be', 'BACKEND', 'lbtot')), 8);
  // The row colour class reflects the state.
  assert.match(String(await page.getAttribute('section[data-proxy="be"] tr[data-sv="s1"]', 'class')), /\bnocheck\b/);

  // Admin: tick s1, choose "drain", apply.
  await page.check('section[data-proxy="be"] input[name="s"][value="s1"]');
  await page.selectOption('section[data-proxy="be"] select[name="action"]', 'drain');
  await Promise.all([page.waitForURL(/;st=DONE$/), page.click('section[data-proxy="be"] button[type="submit"]')]);
  assert.match(await page.innerText('.msg'), /applied/);
  assert.match(String(await page.getAttribute('section[data-proxy="be"] tr[data-sv="s1"]', 'class')), /\bdrain\b/);
  assert.equal(await cell('be', 's1', 'status'), 'DRAIN');
  const before = a.hits();
  for (let i = 0; i < 4; i++) assert.equal(await get(fePort), 'B');
  assert.equal(a.hits(), before);
});

test('stats page in Chromium: LastChk in HAProxy\'s words, check counts, downtime and latency percentiles render', async (t) => {
  const pw = await loadPlaywright();
  if (!existsSync(CHROMIUM)) { t.skip('chromium not installed (apt-get install chromium)'); return; }
  if (!pw) { t.skip('playwright-core not installed (npm install)'); return; }
  // A server answering 200 after 30 ms, one answering 500, and a closed port.
  const slow = http.createServer((req, res) => { req.resume(); setTimeout(() => { res.writeHead(200, { 'content-length': 2 }); res.end('ok'); }, 30); });
  const bad = http.createServer((req, res) => { req.resume(); res.writeHead(500, { 'content-length': 2 }); res.end('no'); });
  for (const srv of [slow, bad]) {
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    closers.push(() => { srv.closeAllConnections(); srv.close(); });
  }
  const port = (s: http.Server): number => (s.address() as net.AddressInfo).port;
  const closed = await freePort();
  const fePort = await freePort();
  const stPort = await freePort();
  runSwitchyard(['-db', '-f', writeConfig([
    'defaults', '    mode http', '    timeout connect 1s', '    timeout client 5s', '    timeout server 5s', '    timeout check 1s',
    'frontend fe', `    bind 127.0.0.1:${fePort}`, '    default_backend web',
    'backend web', '    option httpchk GET /',
    `    server ok 127.0.0.1:${port(slow)} check inter 200`,
    `    server bad 127.0.0.1:${port(bad)} check inter 200`,
    `    server gone 127.0.0.1:${closed} check inter 200`,
    'listen stats', `    bind 127.0.0.1:${stPort}`, '    stats uri /stats', '',
  ].join('\n'))]);
  await waitForPort(fePort);
  await waitForPort(stPort);
  // Until the checks have spoken: bad and gone down, ok checked.
  for (const deadline = Date.now() + 8000; Date.now() < deadline;) {
    const csv = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: stPort, path: '/stats;csv', agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    if (/^web,bad,(?:[^,]*,){15}DOWN,/m.test(csv) && /^web,gone,(?:[^,]*,){15}DOWN,/m.test(csv) && /^web,ok,(?:[^,]*,){34}(\* )?L7OK,/m.test(csv)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 5; i++) assert.equal(await get(fePort), 'ok');

  const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  closers.push(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${stPort}/stats`);
  const cell = (sv: string, col: string): Promise<string> => page.$eval(`section[data-proxy="web"] tr[data-sv="${sv}"] td[data-col="${col}"]`, (td) => td.textContent ?? '');
  const headers = await page.$$eval('section[data-proxy="web"] thead th', (ths) => ths.map((th) => th.textContent ?? ''));
  for (const h of ['LastChk', 'Chk', 'Dwn', 'Dwntme', 'Latency p50 / p90 / p99 (ms)', 'Response']) assert.ok(headers.includes(h), `header ${h} in ${headers.join('|')}`);
  assert.match(await cell('ok', 'last_chk'), /^(\* )?L7OK\/200 in \d+ms$/);
  assert.match(await cell('bad', 'last_chk'), /^(\* )?L7STS\/500 in \d+ms$/);
  assert.match(await cell('gone', 'last_chk'), /^(\* )?L4CON in \d+ms$/);
  assert.equal(await page.getAttribute('section[data-proxy="web"] tr[data-sv="bad"] td[data-col="last_chk"]', 'title'), 'Layer7 wrong status: Internal Server Error');
  assert.ok(await page.isVisible('section[data-proxy="web"] tr[data-sv="gone"] td[data-col="last_chk"]'));
  assert.equal(await cell('gone', 'chkfail'), '1');
  assert.equal(await cell('ok', 'chkfail'), '0');
  assert.match(await cell('gone', 'downtime'), /^\d+s$/);
  assert.match(String(await page.getAttribute('section[data-proxy="web"] tr[data-sv="gone"]', 'class')), /\bdown\b/);
  // Latency: the 30 ms server's response percentiles are above 20 ms, ordered, never above
  // the maximum in the tooltip; a server without traffic shows nothing.
  const [p50, p90, p99] = (await cell('ok', 'lat_response')).split(' / ').map(Number);
  const tip = String(await page.getAttribute('section[data-proxy="web"] tr[data-sv="ok"] td[data-col="lat_response"]', 'title'));
  const max = Number(/^5 measured, max ([\d.]+) ms/.exec(tip)?.[1]);
  assert.ok(p50! > 20 && p50! <= p90! && p90! <= p99! && p99! <= max, `${p50} / ${p90} / ${p99}, ${tip}`);
  assert.equal(await cell('gone', 'lat_response'), '');
  assert.match(await cell('BACKEND', 'lat_total'), /^[\d.]+ \/ [\d.]+ \/ [\d.]+$/);
  assert.match(await page.$eval('section[data-proxy="fe"] tr[data-sv="FRONTEND"] td[data-col="lat_total"]', (td) => td.textContent ?? ''), /^[\d.]+ \/ [\d.]+ \/ [\d.]+$/);
});
