/**
 * Black-box oracle: runs the real HAProxy 2.6 with one `http-request return` rule per case
 * and collects what it answers, so tests compare our evaluation with HAProxy's. A case is
 * either an expression (the body is `%[expr]`) or a condition (status 201 with body 1,
 * or status 202 with body 0; a status, since HEAD answers have no body).
 * Cases are selected by an `x-case: N` request field; `setup` lines (set-var…) run first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const HAPROXY = '/usr/sbin/haproxy';

export function haproxyAvailable(): boolean {
  try {
    return spawnSync(HAPROXY, ['-v'], { timeout: 5000 }).status === 0;
  } catch {
    return false;
  }
}

export type OracleCase = { expr: string } | { cond: string };

/** Splits a condition's text on top-level `or` / `||` (outside braces). */
function splitOr(cond: string): string[] {
  const out: string[][] = [[]];
  let depth = 0;
  for (const w of cond.split(' ')) {
    if (w === '{') depth++;
    if (w === '}') depth--;
    if (depth === 0 && (w === 'or' || w === '||')) out.push([]);
    else out[out.length - 1]!.push(w);
  }
  return out.map((x) => x.join(' '));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** Sends one raw request, answers the body (latin1) or null when HAProxy did not say 200. */
function ask(port: number, raw: string): Promise<{ status: number; body: string; head: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('end', () => {
      const t = Buffer.concat(chunks).toString('latin1');
      const status = Number(t.slice(9, 12));
      const cut = t.indexOf('\r\n\r\n');
      resolve({ status, body: cut < 0 ? '' : t.slice(cut + 4), head: cut < 0 ? t : t.slice(0, cut) });
    });
    sock.write(raw, 'latin1');
  });
}

/**
 * Runs `cases` through HAProxy. `requests[i]` is the raw request head for case i (without
 * x-case, which is added, and with Connection: close added). Answers the bodies; a case
 * whose expression HAProxy leaves empty answers ''.
 */
export async function runOracle(opts: {
  cases: OracleCase[];
  requests: string[];
  setup?: string[];
  files?: Record<string, string>;
  frontend?: string;
  /**
   * 'response': cases become http-response rules evaluated on the answer of an upstream
   * frontend whose `http-request return …` line is `upstream` (same HAProxy process).
   */
  side?: 'request' | 'response';
  upstream?: string;
}): Promise<{ results: { status: number; body: string; head: string }[]; port: number; errors: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-acl-oracle-'));
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), text);
  const port = await freePort();
  const port2 = await freePort();
  const fe = opts.frontend ?? 'fe';
  const resp = opts.side === 'response';
  const kw = resp ? 'http-response' : 'http-request';
  const lines = [
    'global', '  log stderr local0 err',
    'defaults', '  mode http', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s',
    `frontend ${fe}`, `  bind 127.0.0.1:${port}`,
    ...(opts.setup ?? []).map((l) => '  ' + l),
  ];
  if (resp) lines.push('  http-request set-var(txn.case) req.hdr(x-case)', '  default_backend up');
  opts.cases.forEach((c, i) => {
    const sel = resp ? `{ var(txn.case) -m str ${i} }` : `{ req.hdr(x-case) -m str ${i} }`;
    if (resp) {
      // `http-response return` drops the response before building its body, so response
      // cases answer in a field of the forwarded response instead: X-Out.
      if ('expr' in c) lines.push(`  http-response set-header X-Out '%[${c.expr}]' if ${sel}`);
      else {
        lines.push(`  http-response set-header X-Out 1 if ${splitOr(c.cond).map((b) => `${sel} ${b}`).join(' || ')}`);
        lines.push(`  http-response set-header X-Out 0 if ${sel} !{ res.hdr(x-out) -m found }`);
      }
    } else if ('expr' in c) {
      lines.push(`  ${kw} return status 200 content-type text/plain lf-string '%[${c.expr}]' if ${sel}`);
    } else {
      // The selector must be in every OR branch: "sel a || b" is "(sel a) || b".
      const branches = splitOr(c.cond);
      lines.push(`  ${kw} return status 201 content-type text/plain string 1 if ${branches.map((b) => `${sel} ${b}`).join(' || ')}`);
      lines.push(`  ${kw} return status 202 content-type text/plain string 0 if ${sel}`);
    }
  });
  if (resp) {
    lines.push('backend up', `  server s 127.0.0.1:${port2}`, 'frontend upstream', `  bind 127.0.0.1:${port2}`, `  ${opts.upstream ?? 'http-request return status 200'}`);
  } else {
    lines.push('  http-request return status 404');
  }
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, lines.join('\n') + '\n');
  const child = spawn(HAPROXY, ['-db', '-f', cfg], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (d) => (errors += d));
  try {
    const t0 = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haproxy exited: ${errors}`);
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
        s.on('error', () => r(false));
      });
      if (ok) break;
      if (Date.now() - t0 > 5000) throw new Error(`haproxy did not start: ${errors}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const results: { status: number; body: string; head: string }[] = [];
    for (let i = 0; i < opts.cases.length; i++) {
      const head = opts.requests[i] ?? 'GET / HTTP/1.1\r\nHost: example.com\r\n';
      const raw = head.replace(/\r\n$/, '') + `\r\nx-case: ${i}\r\nConnection: close\r\n\r\n`;
      results.push(await ask(port, raw));
    }
    return { results, port, errors };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}
