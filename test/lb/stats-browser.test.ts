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
