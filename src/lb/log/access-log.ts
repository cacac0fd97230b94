/**
 * The access log of one frontend: what the core calls when a TCP session or an HTTP
 * transaction ends (or, for HAProxy's default "Connect from" format, when it starts).
 *
 * Everything that can be decided once is decided in createAccessLog(): the targets
 * (`log global` resolved), the compiled formats, the header context, the sinks. write()
 * writes each line as bytes straight into the send memory of its sinks (a format compiled
 * to a function, line-compile.ts), or from one message string framed per target.
 *
 * HAProxy's rules kept here:
 *   - only a frontend logs traffic; a proxy without a log target logs nothing;
 *   - `option dontlognull`: a session that received nothing from the client is not logged;
 *   - a line is an "error" when the session ended on an error or timeout (termination
 *     state other than '-' or 'L'), retried, was redispatched, or answered a 5xx (HTTP);
 *     `option log-separate-errors` sends those at level err instead of info, and an
 *     `error-log-format` replaces the format for them;
 *   - a target's level filter, minimum level, `sample` ratio and `len` apply per target;
 *   - `log-format-sd` goes only to rfc5424 targets.
 */
import type { LogRecord } from './record.ts';
import type { GlobalLogSettings, LogTarget, ProxyLogSettings } from './types.ts';
import type { ProxyOptions } from '../config/types.ts';
import { compileLogFormat, evaluateLogFormat, type CompiledFormat, type EvalContext, type SampleCompiler } from './format.ts';
import { CLF_FORMAT, HTTPLOG_FORMAT, TCPLOG_FORMAT } from './defaults.ts';
import { headerPrintsTime, syslogFramer, truncateLine, SYSTEM_HOSTNAME, type HeaderContext, type SyslogFramer } from './syslog.ts';
import { FD_LINE_ROOM, getLogSink, type LogSink } from './sinks.ts';
import { byteFormat, headerBytes, LineWriter, writeMessage, type ByteFormat } from './line-bytes.ts';

/** What createAccessLog needs from a proxy (a ProxyConfig fits). */
export interface AccessLogProxy {
  name: string;
  mode: 'tcp' | 'http';
  cap: { frontend: boolean; backend: boolean };
  log: ProxyLogSettings;
  options: Pick<ProxyOptions, 'tcplog' | 'dontlognull'>;
}

export interface AccessLog {
  /** False when this proxy logs nothing: the core may skip building records at all. */
  readonly enabled: boolean;
  /**
   * True for HAProxy's default format (no option tcplog/httplog, no log-format): the line
   * is "Connect from CLIENT to FRONTEND (NAME/MODE)" and belongs at the start of the
   * stream; only ci, cp, fi, fp, f and mode of the record are read.
   */
  readonly atAccept: boolean;
  /**
   * A format reads the record's sample context (`%[…]`, `%ID`, `%rt`): streams of this
   * frontend must build one and attach it to their records. False costs nothing.
   */
  readonly needsSample: boolean;
  /** Logs one record (never throws, never blocks). */
  write(record: LogRecord): void;
}

export interface AccessLogOptions {
  /** Compiles `%[expr]` sample expressions (src/lb/log/samples.ts); without it they print '-'. */
  compileSample?: SampleCompiler;
  /** The same for `unique-id-format` (request-time rules), used for records without a sample context. */
  compileUniqueIdSample?: SampleCompiler;
}

const LEVEL_INFO = 6;
/** performance.timeOrigin is a getter; read once (it never changes in a process). */
const TIME_ORIGIN = performance.timeOrigin;
const LEVEL_ERR = 3;
const DISABLED: AccessLog = { enabled: false, atAccept: false, needsSample: false, write: () => {} };

interface LiveTarget {
  t: LogTarget;
  sink: LogSink;
  /** The target's syslog framing (header cached per second). */
  frame: SyslogFramer;
  /** Lines seen by this target's sampler. */
  seen: number;
  /**
   * The byte path (line-bytes.ts): the header as bytes when the sink takes lines in place
   * and the target's syslog format allows it; null = the string path.
   */
  head: ((level: number, now: number) => Uint8Array) | null;
  /**
   * Room reserved per line on the byte path, and whether lines must stay whole: sockets cut
   * lines at `len`; descriptors take whole lines (HAProxy: "not truncated"), so a line past
   * FD_LINE_ROOM is not committed and takes the string path.
   */
  room: number;
  whole: boolean;
  /** Whether the header prints the time (syslog.ts headerPrintsTime()): only then is the clock read. */
  timed: boolean;
}

/** Resolves `log global` into the global targets, in place of the marker. */
export function resolveTargets(log: ProxyLogSettings, global: GlobalLogSettings | undefined): LogTarget[] {
  const out: LogTarget[] = [];
  for (const t of log.targets) {
    if (t === 'global') out.push(...(global?.targets ?? []));
    else out.push(t);
  }
  return out;
}

/** The log-format string a proxy's settings select ('' = the default "Connect from" line). */
export function selectFormat(p: AccessLogProxy): string {
  const kind = p.log.formatKind === 'default' && p.options.tcplog ? 'tcplog' : p.log.formatKind;
  switch (kind) {
    case 'default': return '';
    case 'tcplog': return TCPLOG_FORMAT;
    // HAProxy falls back to tcplog outside mode http (finalizeProxyLog warns).
    case 'httplog': return p.mode === 'http' ? HTTPLOG_FORMAT : TCPLOG_FORMAT;
    case 'clf': return p.mode === 'http' ? CLF_FORMAT : TCPLOG_FORMAT;
    case 'custom': return p.log.format;
  }
}

function compileOrThrow(src: string, compileSample: SampleCompiler | undefined): CompiledFormat {
  const c = compileLogFormat(src, compileSample);
  // The configuration parser has already reported bad formats; reaching this is a bug.
  if (!c.ok) throw new Error(`log-format '${src}': ${c.reason}`);
  return c.format;
}

/** Is this record an error in HAProxy's sense (log-separate-errors, error-log-format)? */
export function isErrorRecord(r: LogRecord): boolean {
  const c = r.ts.charCodeAt(0);
  return r.error || (c !== 0x2d /* - */ && c !== 0x4c /* L */) || r.rc > 0 || r.redispatched || (r.mode === 'http' && r.ST >= 500);
}

/**
 * Builds the access log of a proxy. Throws an Error (message for the operator) when a
 * target cannot be opened (a UNIX socket with no libc binding, for instance).
 */
export function createAccessLog(p: AccessLogProxy, global: GlobalLogSettings | undefined, opts: AccessLogOptions = {}): AccessLog {
  if (!p.cap.frontend) return DISABLED;
  const targets = resolveTargets(p.log, global);
  if (targets.length === 0) return DISABLED;

  const src = selectFormat(p);
  const atAccept = src === '';
  const main = atAccept ? null : compileOrThrow(src, opts.compileSample);
  const errFmt = p.log.errorFormat && !atAccept ? compileOrThrow(p.log.errorFormat, opts.compileSample) : null;
  const sdFmt = p.log.sdFormat ? compileOrThrow(p.log.sdFormat, opts.compileSample) : null;
  // A TCP session has no sample context to make its unique id: the record makes it, at log time (as HAProxy).
  const uidFmt = p.log.uniqueIdFormat && !atAccept ? compileOrThrow(p.log.uniqueIdFormat, opts.compileUniqueIdSample) : null;
  const send = global?.sendHostname;
  const header: HeaderContext = {
    tag: p.log.tag ?? global?.tag ?? 'switchyard',
    pid: process.pid,
    hostname: send === undefined ? undefined : send === true ? SYSTEM_HOSTNAME : send,
  };
  const live: LiveTarget[] = targets.map((t0) => {
    // log-send-hostname switches the implicit default format from local to rfc3164.
    const t: LogTarget = send !== undefined && !t0.formatExplicit && t0.format === 'local' ? { ...t0, format: 'rfc3164' } : t0;
    const sink = getLogSink(t.address);
    const head = sink.lines ? headerBytes(t.format, t.facility, header) : null;
    const whole = t.address.kind === 'fd';
    return { t, sink, frame: syslogFramer(t.format, t.facility, header), seen: 0, head, room: whole ? FD_LINE_ROOM : t.maxLen, whole, timed: headerPrintsTime(t.format) };
  });
  // A format that reads samples is evaluated once per line, as a string shared by every
  // target: a sample may have effects (sc_inc_gpc0), and the byte path writes per target
  // (and may write a line twice: the compiled line, then the exact one when it declines).
  const mainBytes = main && !main.needsSample ? byteFormat(main) : null;
  const errBytes = errFmt && !errFmt.needsSample ? byteFormat(errFmt) : null;
  const w = new LineWriter();
  const ctx: EvalContext = { lc: 0 };
  const dontlognull = p.options.dontlognull;
  const separateErrors = p.log.separateErrors;

  /**
   * Writes one line to every target that takes it: in place as bytes where the target
   * allows (`bytes` set, a sink with line memory), else from the message string, made once
   * (`msg` given, or evaluated from `fmt` on first need).
   */
  function serve(r: LogRecord, level: number, fmt: CompiledFormat | null, bytes: ByteFormat | null, msg: string | undefined): void {
    let sd: string | undefined;
    let clock = 0; // read once, for the first target whose header prints the time
    for (let i = 0; i < live.length; i++) {
      const lt = live[i]!;
      const t = lt.t;
      if (level > t.maxLevel) continue;
      if (t.sample) {
        const n = (lt.seen++ % t.sample.size) + 1;
        if (!t.sample.ranges.some(([lo, hi]) => n >= lo && n <= hi)) continue;
      }
      const lvl = level < t.minLevel ? t.minLevel : level;
      const now = lt.timed ? (clock ||= TIME_ORIGIN + performance.now()) : 0;
      if (bytes !== null && lt.head !== null) {
        const lines = lt.sink.lines!;
        const at = lines.reserve(lt.room);
        if (at >= 0) {
          const mem = lines.mem;
          const head = lt.head(lvl, now);
          // The compiled line first (no per-byte checks), leaving room for the '\n'; when it
          // might not fit, the interpreter writes it and cuts it as truncateLine() would.
          const cap = at + lt.room - 1;
          if (at + head.length <= cap) {
            if (head.length > 0) mem.set(head, at);
            const end = bytes.fast(r, ctx, mem, at + head.length, cap);
            if (end >= 0) {
              mem[end] = 0x0a;
              lines.commit(end + 1 - at);
              continue;
            }
          }
          w.begin(mem, at, lt.room);
          w.bytes(head);
          writeMessage(bytes, r, ctx, w);
          w.byte(0x0a);
          const len = w.finish();
          if (!(lt.whole && w.truncated)) {
            lines.commit(len);
            continue;
          }
        }
      }
      msg ??= evaluateLogFormat(fmt!, r, ctx);
      if (t.format === 'rfc5424' && sdFmt && sd === undefined) sd = evaluateLogFormat(sdFmt, r, ctx);
      const line = lt.frame(lvl, now, msg, t.format === 'rfc5424' ? sd ?? '' : '');
      if (lt.whole) lt.sink.send(Buffer.from(line, 'utf8'));
      else if (lt.sink.sendText) lt.sink.sendText(line, t.maxLen);
      else lt.sink.send(truncateLine(Buffer.from(line, 'utf8'), t.maxLen));
    }
  }

  return {
    enabled: true,
    atAccept,
    needsSample: [main, errFmt, sdFmt].some((f) => f !== null && f.needsSample),
    write(r: LogRecord): void {
      if (main !== null && dontlognull && r.U === 0) return;
      try {
        let level = LEVEL_INFO;
        if (main === null) {
          const msg = `Connect from ${r.ci}:${r.cp} to ${r.fi}:${r.fp} (${r.f}/${r.mode === 'http' ? 'HTTP' : 'TCP'})`;
          serve(r, level, main, null, msg);
          return;
        }
        if (uidFmt !== null && r.ID === undefined && !r.sample) r.ID = evaluateLogFormat(uidFmt, r, ctx).slice(0, 127);
        const err = isErrorRecord(r);
        if (err && separateErrors) level = LEVEL_ERR;
        if (r.level !== undefined) level = r.level; // http-request set-log-level
        const useErr = err && errFmt !== null;
        serve(r, level, useErr ? errFmt : main, useErr ? errBytes : mainBytes, undefined);
      } catch {
        // Logging must never take a stream down; a failing sample callback lands here.
      } finally {
        ctx.lc++; // %lc is a line's number while its targets are served
      }
    },
  };
}
