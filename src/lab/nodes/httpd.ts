/**
 * The lab's demo web server (a modern `httpterm`), run by `server` nodes and available as
 * `sy-httpd` inside every node. It answers every path with its name, and the query string
 * tells it how to misbehave — so a test or a user can drive a balancer's backends:
 *
 *   ?delay=250ms   wait before answering (also 2s, 500us, or a number of ms)
 *   ?status=503    answer with this status (100–599)
 *   ?size=64k      pad the body to this many bytes (b, k, m suffixes)
 *   ?fail=close    close the connection without answering; fail=reset sends a TCP RST
 *   /health        always 200 "ok" (for health checks), unless ?status= says otherwise
 *
 * Every answer carries `x-served-by: <name>`. Usage: httpd.ts --name NAME [--port 80]
 * [--host ::]. Prints one line when listening.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { parseTime, parseSize } from '../topo/units.ts';

const { values } = parseArgs({
  options: { name: { type: 'string' }, port: { type: 'string', default: '80' }, host: { type: 'string', default: '::' } },
});
const name = values.name ?? process.env.SY_NODE ?? 'httpd';
const port = Number(values.port);

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = url.searchParams;
  const fail = q.get('fail');
  if (fail === 'close') { req.socket.destroy(); return; }
  if (fail === 'reset') { req.socket.resetAndDestroy(); return; }
  const statusQ = q.get('status');
  const status = statusQ && /^[1-5]\d\d$/.test(statusQ) ? Number(statusQ) : 200;
  const delayQ = q.get('delay');
  const delay = delayQ ? parseTime(delayQ) : null;
  const sizeQ = q.get('size');
  const size = sizeQ ? parseSizeLoose(sizeQ) : 0;
  const answer = (): void => {
    let body = url.pathname === '/health' ? 'ok\n' : `Hello from ${name} — you asked for ${url.pathname}${url.search}\n`;
    if (size > body.length) body += '.'.repeat(size - Buffer.byteLength(body) - 1) + '\n';
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-served-by': name });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (delay?.ok && delay.value > 0) setTimeout(answer, delay.value);
  else answer();
});

function parseSizeLoose(v: string): number {
  const p = parseSize(v);
  if (p.ok) return p.value;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 1 << 30) : 0;
}

server.keepAliveTimeout = 30_000;
server.listen({ port, host: values.host, ipv6Only: false }, () => {
  process.stdout.write(`sy-httpd ${name} listening on [${values.host}]:${port}\n`);
});
const stop = (): void => { server.close(); server.closeAllConnections(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
