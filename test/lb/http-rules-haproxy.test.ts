/**
 * Differential tests against the real HAProxy 2.6, same config text, same raw requests:
 *   - `http-request normalize-uri`: the request-target each normalizer hands the server,
 *     for tricky URIs (or the status, when a strict normalizer refuses one);
 *   - rules see the message as earlier rules left it: conditions and samples after
 *     set-path / set-header / del-header / set-query read the rewritten request, and
 *     http-response conditions after set-header / set-status / del-header the rewritten response.
 * The server echoes the request line and its x-* fields as its body, so the client
 * sees exactly what reached it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { httpBackend, type HttpBackend, ok } from '../helpers/http-backend.ts';
import { cleanup, freePort, runSwitchyard, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { missingHaproxy, rawRequest, runHaproxy, stopHaproxies } from '../helpers/haproxy.ts';

after(async () => { stopHaproxies(); await cleanup(); });

let backendPort = 0;
let srv: HttpBackend;

before(async () => {
  // Echoes the request line and the x-* request headers the server received.
  srv = await httpBackend((head) => {
    const lines = head.split('\r\n');
    return ok([lines[0], ...lines.slice(1).filter((l) => /^x-/i.test(l))].join('\n') + '\n');
  });
  backendPort = srv.port;
});
after(() => srv.close());

const NORMALIZERS = [
  'path-merge-slashes', 'path-strip-dot', 'path-strip-dotdot', 'path-strip-dotdot full',
  'percent-decode-unreserved', 'percent-decode-unreserved strict', 'percent-to-uppercase',
  'percent-to-uppercase strict', 'query-sort-by-name', 'fragment-strip', 'fragment-encode',
];

const URIS = [
  '/', '//', '///a//b///', '/a/./b/.', '/./', '/.well-known/x', '/a/..', '/a/../', '/a/b/../../../c',
  '/../a', '/a//../b', '/a/%2e%2E/b', '/%61dmin/%2fx', '/%%36%36', '/x%zz/y', '/x%4', '/%7e%7Euser%2D%5f',
  '/p?c=3&a=1&b=2', '/p?aaa=3&a=1&aa=2', '/p?b=1&a=2&b=0&a=1', '/p?&&z&a', '/p?', '/a#frag?x=1', '/a?x=1#f#g',
  '/a/./../b/?q=%2f', 'http://example.com//a/../b?z=1&a=2',
];

/** One frontend per normalizer, each on its own port (`base + i`), all to one server. */
function normalizeCfg(ports: number[]): string {
  return `global
  expose-experimental-directives
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
${NORMALIZERS.map((n, i) => `frontend f${i}
  bind 127.0.0.1:${ports[i]}
  http-request normalize-uri ${n}
  default_backend be
`).join('')}
backend be
  server s1 127.0.0.1:${backendPort}
`;
}

async function ports(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) { const p = await freePort(); if (!out.includes(p)) out.push(p); }
  return out;
}

/** What the client gets for `target` through `port`: the line the server saw, or the status. */
async function outcome(port: number, target: string): Promise<string> {
  const r = await rawRequest(port, `GET ${target} HTTP/1.1\r\nhost: example.com\r\n\r\n`);
  return r.status === 200 ? r.body.split('\n')[0]! : `status ${r.status}`;
}

test('normalize-uri: every normalizer hands the server what HAProxy 2.6 hands it', { skip: missingHaproxy }, async () => {
  const hp = await ports(NORMALIZERS.length);
  const sp = await ports(NORMALIZERS.length);
  await runHaproxy(normalizeCfg(hp), hp[0]!);
  runSwitchyard(['-d', '-f', writeConfig(normalizeCfg(sp))]);
  await waitForPort(sp[0]!);
  const diffs: string[] = [];
  let compared = 0;
  for (const [i, n] of NORMALIZERS.entries()) {
    for (const uri of URIS) {
      const [h, s] = [await outcome(hp[i]!, uri), await outcome(sp[i]!, uri)];
      compared++;
      if (h !== s) diffs.push(`${n} ${uri}: haproxy '${h}', switchyard '${s}'`);
    }
  }
  assert.deepEqual(diffs, [], `${diffs.length} of ${compared} differ`);
});

/** Rules that rewrite, then test the rewritten message; the x-* fields record what they saw. */
const VIEW_RULES = `
  http-request set-path /new%[path]
  http-request set-header x-path-after-set %[path]
  http-request set-header x-begins-new yes if { path_beg /new/ }
  http-request set-header x-a one
  http-request set-header x-saw-a %[req.hdr(x-a)] if { req.hdr(x-a) -m found }
  http-request del-header x-a
  http-request set-header x-a-gone yes unless { req.hdr(x-a) -m found }
  http-request set-query z=9
  http-request set-header x-query %[query]
  http-request set-header x-url %[url]
  http-request set-method PUT if { path_end /m }
  http-request set-header x-method %[method]
  http-request replace-header x-in (.*) \\1-rewritten
  http-request set-header x-in-after %[req.hdr(x-in)]
  http-request set-header x-count %[req.hdr_cnt(x-in)]
  http-request add-header x-in second
  http-request set-header x-count2 %[req.hdr_cnt(x-in)]
  http-request return status 403 content-type text/plain string denied-after-rewrite if { path_beg /new/deny }
`;

function viewCfg(port: number): string {
  return `defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
${VIEW_RULES}
  http-response set-header x-r one
  http-response set-header x-saw-r %[res.hdr(x-r)] if { res.hdr(x-r) -m found }
  http-response set-status 203 if { res.hdr(x-r) one }
  http-response set-header x-status %[status]
  http-response del-header x-r
  http-response set-header x-r-gone yes unless { res.hdr(x-r) -m found }
  use_backend be2 if { path_beg /new/be2 }
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort}
backend be2
  http-request set-header x-be2-path %[path]
  http-request set-header x-be2-sees-new yes if { path_beg /new/be2 }
  server s1 127.0.0.1:${backendPort}
`;
}

test('rules after a rewrite see the rewritten request, as in HAProxy 2.6', { skip: missingHaproxy }, async () => {
  const [hport, sport] = await ports(2);
  await runHaproxy(viewCfg(hport!), hport!);
  runSwitchyard(['-d', '-f', writeConfig(viewCfg(sport!))]);
  await waitForPort(sport!);
  for (const path of ['/a?q=1', '/x/m', '/deny', '/be2/x?y', '/']) {
    const req = `GET ${path} HTTP/1.1\r\nhost: example.com\r\nx-in: v\r\n\r\n`;
    const h = await rawRequest(hport!, req);
    const s = await rawRequest(sport!, req);
    assert.equal(s.status, h.status, `${path}: status`);
    assert.equal(s.body, h.body, `${path}: what the server saw`);
    const xs = (head: string): string[] => head.split('\r\n').filter((l) => /^x-/i.test(l)).map((l) => l.toLowerCase());
    assert.deepEqual(xs(s.head), xs(h.head), `${path}: the response rules' view`);
  }
});
