// bench/micro/h1-parse.ts — CPU cost of parsing and re-serialising one HTTP/1.1 head.
// Contract: `node bench/micro/h1-parse.ts [--n 500000] [--rounds 5]`. For each sample head
// (wrk's request and nginx's response from bench/e2e, and a browser-like request with a
// dozen fields) runs parse, and parse + the head for the next hop (h1-write.ts, as the
// forwarding path does: a `connection` line is appended to the response), n times per
// round. Prints the median ns per head over rounds. In-process, so much steadier than the
// e2e bench on a noisy host: use it to compare parser changes (run it pinned, `taskset -c 0`).
import { parseArgs } from 'node:util';
import { parseRequestHead, parseResponseHead } from '../../src/lb/http/h1-parse.ts';
import { writeRequestHead, writeResponseHead } from '../../src/lb/http/h1-write.ts';

const { values } = parseArgs({ options: { n: { type: 'string' }, rounds: { type: 'string' } } });
const N = Number(values.n ?? 500_000);
const ROUNDS = Number(values.rounds ?? 5);

const WRK_REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1:19081\r\n\r\n', 'latin1');
const NGINX_RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 18:44:58 GMT\r\nContent-Type: text/plain\r\n' +
  'Content-Length: 6\r\nConnection: keep-alive\r\n\r\nhello\n', 'latin1');
const BROWSER_REQUEST = Buffer.from([
  'GET /static/app/main.3f2a9c.js?v=12 HTTP/1.1',
  'Host: www.example.com',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Accept: */*',
  'Accept-Language: en-GB,en;q=0.7,fr;q=0.3',
  'Accept-Encoding: gzip, deflate, br, zstd',
  'Referer: https://www.example.com/products/list?page=3',
  'Connection: keep-alive',
  'Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; consent=1',
  'Sec-Fetch-Dest: script',
  'Sec-Fetch-Mode: no-cors',
  'Sec-Fetch-Site: same-origin',
  'Priority: u=1',
  '', '',
].join('\r\n'), 'latin1');

const KEEP_ALIVE = ['connection: keep-alive'];
let sink = 0;

const cases: Array<[string, () => void]> = [
  ['wrk request: parse', () => { const r = parseRequestHead(WRK_REQUEST); if (r.state === 'done') sink += r.head.end; }],
  ['wrk request: parse + write', () => { const r = parseRequestHead(WRK_REQUEST); if (r.state === 'done') sink += writeRequestHead(r.head, []).length; }],
  ['browser request: parse', () => { const r = parseRequestHead(BROWSER_REQUEST); if (r.state === 'done') sink += r.head.end; }],
  ['browser request: parse + write', () => { const r = parseRequestHead(BROWSER_REQUEST); if (r.state === 'done') sink += writeRequestHead(r.head, []).length; }],
  ['nginx response: parse', () => { const r = parseResponseHead(NGINX_RESPONSE, 'GET'); if (r.state === 'done') sink += r.head.end; }],
  ['nginx response: parse + write', () => {
    const r = parseResponseHead(NGINX_RESPONSE, 'GET');
    if (r.state === 'done') sink += writeResponseHead(r.head, KEEP_ALIVE, null, null, null, NGINX_RESPONSE.subarray(r.head.end), 6).length;
  }],
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (const [name, fn] of cases) {
  for (let i = 0; i < N / 5; i++) fn(); // warm-up: optimised code before the rounds
  const ns: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    ns.push(Number(process.hrtime.bigint() - t0) / N);
  }
  console.log(`${name.padEnd(32)} ${median(ns).toFixed(0).padStart(5)} ns/head`);
}
if (sink === 0) throw new Error('nothing was parsed');
