/**
 * Sends every case of the smuggling corpus to a real HAProxy (`mode http`, same buffer
 * and header limits as DEFAULT_LIMITS) in front of a recording TCP server, and compares
 * HAProxy's answer with the corpus verdict. Not part of `npm test`: run it by hand when
 * the corpus changes.
 *
 *   node test/http/check-with-haproxy.ts [--only NAME] [--verbose]
 *   HAPROXY_BIN=/path/to/haproxy node test/http/check-with-haproxy.ts
 *
 * How a verdict is read: HAProxy either answers with its own error (400, 414, 431, 501,
 * 505…) or forwards the request; the back end answers 200 after 300 ms of silence, so
 * "200" means "HAProxy accepted and forwarded". An expected "ok" case matches on 200;
 * an expected status matches on that status.
 *
 * A difference is fine only when it is listed in DELIBERATE_DIFFERENCES with the reason
 * (usually: HAProxy is lenient where the Switchyard HTTP issue demands strictness); any
 * other difference makes the script exit 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMUGGLING_CORPUS, CORPUS_LIMITS, type SmugglingCase } from './smuggling-corpus.ts';

const HAPROXY_BIN = process.env['HAPROXY_BIN'] ?? '/usr/sbin/haproxy';
const BACKEND_IDLE_MS = 300;
const CASE_TIMEOUT_MS = 4_000;

/**
 * Cases where HAProxy 2.6 gives another answer than the corpus, and why the corpus keeps
 * its verdict. Keyed by case name.
 */
const STRICT_LINES = 'HAProxy normalises bare LF / obs-fold / extra whitespace into a clean HTX message before forwarding; Switchyard forwards the received bytes, so it must refuse what it would otherwise pass on (the issue demands strictness, RFC 9112 §2.2, §3, §5.2 allow it)';
const RAW_CHUNKS = 'HAProxy re-chunks the body (extensions dropped, CRLFs rewritten), so leniency is harmless there; Switchyard passes chunked bytes through, so the back end would see them as sent';
const TE_CODINGS = 'This HAProxy build (2.6.12-1+deb12u4) refuses any transfer-coding but chunked with 422; the issue rule is "the last coding is chunked and chunked appears once" (RFC 9112 §6.1/§6.3), so an inner coding is forwarded for the origin. Worth a decision by the lead';
const LIMITS = 'HAProxy 2.6 never answers 414/431 (always 400), its limit is on the HTX form (a raw head of at most ~15273 bytes here) and the request waits for a full 16384-byte buffer (unterminated lines end in 408); the issue asks for 414/431 on raw byte limits';

const DELIBERATE_DIFFERENCES: Readonly<Record<string, string>> = {
  'cl-te': 'HAProxy drops Content-Length and forwards (RFC 9112 §6.3 rule 3 permits it); the issue requires 400 for CL+TE',
  'te-cl': 'HAProxy drops Content-Length and forwards; the issue requires 400 for CL+TE',
  'cl-te-http10': 'HAProxy drops Content-Length and forwards chunked to an HTTP/1.0 request; RFC 9112 §6.1 says the framing is faulty',
  'te-http10': 'HAProxy forwards Transfer-Encoding on HTTP/1.0; RFC 9112 §6.1 says treat the framing as faulty',
  'te-identity-then-chunked': TE_CODINGS,
  'te-gzip-chunked': TE_CODINGS,
  'te-gzip-chunked-no-space': TE_CODINGS,
  'te-split-gzip-then-chunked': TE_CODINGS,
  'te-leading-empty-list-element': 'Both refuse; HAProxy says 422, which is not in our status set (400 is the framing error)',
  'te-obs-fold': STRICT_LINES,
  'obs-fold-sp': STRICT_LINES,
  'obs-fold-htab': STRICT_LINES,
  'bare-lf-everywhere': STRICT_LINES,
  'bare-lf-after-request-line': STRICT_LINES,
  'bare-lf-in-one-field': STRICT_LINES,
  'bare-lf-final-line': STRICT_LINES,
  'method-tab-separator': STRICT_LINES,
  'request-line-double-space': STRICT_LINES,
  'cl-above-2^53': 'HAProxy keeps 64-bit lengths; a JS number is exact only below 2^53 and no real body is 8 PiB, so we refuse rather than round',
  'field-value-nul': 'HAProxy 2.6 forwards NUL in a value; RFC 9110 §5.5 says reject or replace it (we reject)',
  'field-value-soh': 'HAProxy forwards control bytes in values; the issue demands rejecting CTLs (RFC 9110 §5.5 field-vchar)',
  'field-value-del': 'HAProxy forwards DEL in values; DEL is a CTL, not VCHAR (RFC 9110 §5.5)',
  'target-with-del': 'HAProxy forwards DEL in the target; RFC 3986 has no DEL',
  'get-asterisk-form': 'HAProxy forwards "GET *"; RFC 9112 §3.2.4 reserves asterisk-form for OPTIONS',
  'absolute-form-without-host': 'HAProxy forwards it; RFC 9112 §3.2 MUST answer 400 to an HTTP/1.1 request without Host',
  'version-2.0': 'HAProxy rewrites "HTTP/2.0" on an HTTP/1 connection to HTTP/1.1; RFC 9110 §15.6.6 gives 505 for a major version we do not speak',
  'version-0.9': 'HAProxy forwards "HTTP/0.9" as is; major version 0 is unsupported (RFC 9110 §15.6.6, 505)',
  'host-missing-http11': 'HAProxy forwards; RFC 9112 §3.2 MUST answer 400',
  'host-duplicate-identical': 'HAProxy merges identical Host lines; RFC 9112 §3.2 MUST answer 400 to more than one Host line',
  'host-invalid-value': 'HAProxy does not validate the Host value; RFC 9112 §3.2 MUST answer 400 to an invalid one',
  'request-line-too-long': LIMITS,
  'request-line-unterminated-over-limit': LIMITS,
  'head-at-limit': LIMITS,
  'head-over-limit-by-one': LIMITS,
  'head-unterminated-over-limit': LIMITS,
  'fields-at-limit': 'HAProxy accepts at most tune.http.maxhdr - 1 = 100 fields (one slot ends the list); types.ts defines maxHeaders as the largest accepted count (101). Worth a decision by the lead',
  'fields-over-limit': LIMITS,
  'chunk-ext-ctl': RAW_CHUNKS,
  'chunk-ext-empty-name': RAW_CHUNKS,
  'chunk-ext-nul': RAW_CHUNKS,
  'chunk-lf-only-after-size': RAW_CHUNKS,
  'chunk-lf-only-after-data': RAW_CHUNKS,
  'chunk-last-line-bare-lf': RAW_CHUNKS,
  'chunk-trailer-obs-fold': RAW_CHUNKS,
  'chunk-trailer-nul': RAW_CHUNKS,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The back end: records what HAProxy forwards, answers 200 once the peer goes quiet. */
class RecordingServer {
  readonly received: Buffer[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor() {
    this.server = net.createServer((sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => {});
      let timer: NodeJS.Timeout | undefined;
      sock.on('data', (d: Buffer) => {
        this.received.push(d);
        clearTimeout(timer);
        timer = setTimeout(() => {
          sock.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        }, BACKEND_IDLE_MS);
      });
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  take(): Buffer {
    const b = Buffer.concat(this.received);
    this.received.length = 0;
    return b;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

interface Answer {
  /** HAProxy's status code, or null when the connection closed/timed out without one. */
  status: number | null;
  note: string;
}

/** Sends raw bytes, returns the status of the first response. */
function send(port: number, raw: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    let settled = false;
    const finish = (a: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => finish(statusOf(got, 'timeout')), CASE_TIMEOUT_MS);
    sock.on('error', (e) => finish(statusOf(got, `socket error ${e.message}`)));
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.includes('\r\n\r\n')) setTimeout(() => finish(statusOf(got, '')), 20);
    });
    sock.on('end', () => finish(statusOf(got, 'closed')));
    sock.write(raw);
  });
}

function statusOf(resp: Buffer, why: string): Answer {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(resp.toString('latin1', 0, 64));
  return m ? { status: Number(m[1]), note: '' } : { status: null, note: why || 'no status line' };
}

function expectText(c: SmugglingCase): string {
  const e = c.expect;
  return 'status' in e ? String(e.status) : `ok/${e.framing}${e.length === undefined ? '' : ':' + e.length}`;
}

function matches(c: SmugglingCase, a: Answer): boolean {
  return 'status' in c.expect ? a.status === c.expect.status : a.status === 200;
}

/** A short printable view of what HAProxy forwarded (head only, escaped). */
function forwardedView(b: Buffer): string {
  if (b.length === 0) return '(nothing)';
  const shown = b.subarray(0, 240);
  let s = '';
  for (const c of shown) {
    if (c === 0x0d) s += '\\r';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x5c) s += '\\\\';
    else if (c < 0x20 || c >= 0x7f) s += '\\x' + c.toString(16).padStart(2, '0');
    else s += String.fromCharCode(c);
  }
  return `"${s}"` + (b.length > shown.length ? `… (${b.length} bytes)` : '');
}

async function waitForPort(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited with ${proc.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('haproxy did not start listening');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
  const verbose = args.includes('--verbose');

  const fePort = await freePort();
  const bePort = await freePort();
  const backend = new RecordingServer();
  await backend.listen(bePort);

  const dir = mkdtempSync(join(tmpdir(), 'sy-h1-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'global',
    '    tune.bufsize 16384',
    `    tune.maxrewrite ${16384 - CORPUS_LIMITS.maxHeadBytes}`,
    `    tune.http.maxhdr ${CORPUS_LIMITS.maxHeaders}`,
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    '    timeout client 5s',
    '    timeout server 5s',
    '    timeout http-request 3s',
    'frontend fe',
    `    bind 127.0.0.1:${fePort}`,
    '    default_backend be',
    'backend be',
    `    server s1 127.0.0.1:${bePort}`,
    '',
  ].join('\n'));

  const proc = spawn(HAPROXY_BIN, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let haproxyOut = '';
  proc.stdout!.on('data', (d: Buffer) => { haproxyOut += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { haproxyOut += d.toString(); });

  let unexplained = 0;
  try {
    await waitForPort(fePort, proc);
    const version = await new Promise<string>((resolve) => {
      const v = spawn(HAPROXY_BIN, ['-v'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      v.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
      v.on('close', () => resolve(out.split('\n')[0] ?? ''));
    });
    console.log(`# ${version}`);
    console.log(`# ${SMUGGLING_CORPUS.length} cases; "200" = HAProxy forwarded the request\n`);

    const rows: string[] = [];
    const diffs: string[] = [];
    for (const c of SMUGGLING_CORPUS) {
      if (only !== undefined && c.name !== only) continue;
      backend.take();
      const a = await send(fePort, Buffer.from(c.raw, 'latin1'));
      await new Promise((r) => setTimeout(r, 30));
      const fwd = backend.take();
      const got = a.status === null ? `none (${a.note})` : String(a.status);
      const ok = matches(c, a);
      const mark = ok ? 'same' : (DELIBERATE_DIFFERENCES[c.name] ? 'DIFF (deliberate)' : 'DIFF');
      rows.push(`${c.name.padEnd(40)} expect ${expectText(c).padEnd(14)} haproxy ${got.padEnd(14)} ${mark}`);
      if (!ok || verbose) {
        const reason = DELIBERATE_DIFFERENCES[c.name];
        if (!ok && !reason) unexplained++;
        diffs.push(`${c.name}: expect ${expectText(c)}, haproxy ${got}${reason ? `\n    deliberate: ${reason}` : ''}\n    forwarded: ${forwardedView(fwd)}`);
      }
    }
    console.log(rows.join('\n'));
    if (diffs.length > 0) console.log(`\n# ${verbose ? 'details' : 'differences'}\n` + diffs.join('\n'));
    console.log(`\n# ${unexplained} unexplained difference(s)`);
  } catch (e) {
    console.error(String(e));
    console.error(haproxyOut);
    unexplained = -1;
  } finally {
    proc.kill('SIGTERM');
    backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return unexplained === 0 ? 0 : 1;
}

process.exitCode = await main();
