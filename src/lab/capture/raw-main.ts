/**
 * Capture helper process — run INSIDE a node's network namespace by ops/capture.ts:
 *   ip netns exec <netns> node raw-main.ts <ifname> <file.pcap> <count> <durationMs> --sy-capture=<lab>
 * (`ip netns exec` execs, so our parent is the CLI; count/duration 0 = unlimited.)
 * Opens an AF_PACKET socket on <ifname> (rawsock.ts) and writes classic pcap
 * (links/sock/pcap.ts) until <count> frames, <durationMs>, SIGINT/SIGTERM/SIGHUP, or the
 * CLI's death (PDEATHSIG). The file is flushed every 200 ms and closed on every exit path.
 * Stdout: one JSON line `{"ready":true}` once bound, one `{"frames":N}` at the end.
 * Failure: `{"fatal":{"code","message"}}` on stderr, exit 1.
 *
 * The loop yields to the event loop between short polls (100 ms) so signals are seen.
 */
import { PcapWriter, PCAP_SNAPLEN } from '../links/sock/pcap.ts';
import { dieWithParent, errnoName, openRawSocket, type RawSocket } from './rawsock.ts';

const [ifname, file, countArg, durArg] = process.argv.slice(2);
const count = Number(countArg ?? 0);
const durationMs = Number(durArg ?? 0);
const ENODEV = 19;
const ENXIO = 6;
const FLUSH_MS = 200;

function fatal(code: string, message: string): never {
  process.stderr.write(`${JSON.stringify({ fatal: { code, message } })}\n`);
  process.exit(1);
}

if (!ifname || !file || !Number.isInteger(count) || count < 0 || !Number.isFinite(durationMs) || durationMs < 0) {
  fatal('SY_ERR_CLI_USAGE', 'usage: raw-main.ts <ifname> <file.pcap> <count> <durationMs> --sy-capture=<lab>');
}

dieWithParent();
let sock: RawSocket;
let pcap: PcapWriter;
try {
  sock = openRawSocket(ifname);
  pcap = new PcapWriter(file);
} catch (e) {
  const err = e as Error & { code?: string };
  fatal(err.code ?? 'SY_ERR_LAB_CAPTURE', err.message);
}

let stop = false;
let finished = false;
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => { stop = true; });
const t0 = Date.now();
const deadline = durationMs > 0 ? t0 + durationMs : Infinity;
const buf = Buffer.allocUnsafe(PCAP_SNAPLEN);
let lastFlush = t0;
let error: string | null = null;

function finish(): void {
  if (finished) return;
  finished = true;
  pcap.close();
  sock.close();
  process.stdout.write(`${JSON.stringify({ frames: pcap.frames, ...(error ? { error } : {}) })}\n`);
  process.exitCode = 0;
}

function tick(): void {
  if (stop || Date.now() >= deadline) return finish();
  const wait = Math.max(0, Math.min(100, deadline - Date.now()));
  if (sock.wait(wait)) {
    for (let i = 0; i < 4096; i++) {
      const n = sock.recv(buf);
      if (n === 0) break;
      if (n < 0) {
        // ENETDOWN and friends come once when the interface goes down (a cut): go on
        if (-n === ENODEV || -n === ENXIO) {
          error = `interface ${ifname} vanished (${errnoName(-n)})`;
          return finish();
        }
        break;
      }
      pcap.write(buf, 0, n, Date.now());
      if (count > 0 && pcap.frames >= count) return finish();
    }
  }
  const now = Date.now();
  if (now - lastFlush >= FLUSH_MS) {
    pcap.flush();
    lastFlush = now;
  }
  setImmediate(tick);
}

process.stdout.write(`${JSON.stringify({ ready: true, ifindex: sock.ifindex })}\n`);
setImmediate(tick);
