/**
 * `tcp-request content` inspection of a mode-tcp connection (HAProxy's tcp_inspect_request):
 * before a server is chosen, the client's first bytes are read into a buffer the rules
 * see (`req.len`, `req.payload`…). Rules are walked on each arrival; one whose condition
 * cannot be decided on the bytes so far waits for more, until `inspect-delay` expires, the
 * buffer is full (tune.bufsize) or the client closes — then everything is decided on what
 * is there (the content becomes final). Without an inspect-delay the rules are decided at
 * once. The verdict and the bytes read go to `done`; the stream then sends those bytes
 * first. Reading stops while the verdict is acted upon (the socket is left paused).
 */
import type net from 'node:net';
import type { ContentView } from '../acl/index.ts';
import type { TcpRule } from '../config/sections/tcp-request.ts';
import { runTcpRules } from '../rules/tcp-rules.ts';
import { BUFSIZE, type Inbound } from './fast-io.ts';
import type { StreamSampleContext } from './sample-context.ts';

/** 'drop': rejected by silent-drop (the caller closes without telling the client). */
export type InspectOutcome = 'accept' | 'reject' | 'drop' | 'gone';

class Content implements ContentView {
  data: Buffer;
  final = false;
  mayChange = 0;
  constructor(data: Buffer) { this.data = data; }
}

export function inspectContent(
  sock: net.Socket, inbound: Inbound | null, ctx: StreamSampleContext, rules: readonly TcpRule[], delay: number,
  initial: Buffer, done: (outcome: InspectOutcome, data: Buffer) => void,
): void {
  const content = new Content(initial);
  ctx.content = content;
  let at = 0;
  let expired = delay <= 0;
  let closed = false;
  let finished = false;
  let timer: NodeJS.Timeout | null = null;

  const finish = (outcome: InspectOutcome): void => {
    if (finished) return;
    finished = true;
    content.final = true;
    if (timer) clearTimeout(timer);
    if (inbound) inbound.onChunk = null;
    else sock.removeListener('data', onData);
    sock.removeListener('end', onEnd);
    sock.removeListener('close', onGone);
    sock.removeListener('error', onGone);
    if (!sock.destroyed) sock.pause();
    done(outcome, content.data);
  };
  const evaluate = (): void => {
    content.final = expired || closed || content.data.length >= BUFSIZE;
    const v = runTcpRules(rules, ctx, at);
    if (v.kind === 'wait') { at = v.at; return; }
    finish(v.kind === 'reject' && v.silent === true ? 'drop' : v.kind);
  };
  const onData = (chunk: Buffer): void => {
    // Chunks may be views of a shared read buffer (fast-io.ts): keep a copy.
    content.data = content.data.length === 0 ? Buffer.from(chunk) : Buffer.concat([content.data, chunk]);
    evaluate();
  };
  const onEnd = (): void => { closed = true; evaluate(); };
  const onGone = (): void => { sock.destroy(); finish('gone'); };

  evaluate();
  if (finished) return;
  sock.on('end', onEnd);
  sock.on('close', onGone);
  sock.on('error', onGone);
  if (inbound) inbound.onChunk = onData;
  else sock.on('data', onData);
  if (!expired) timer = setTimeout(() => { timer = null; expired = true; evaluate(); }, delay);
  sock.resume();
}
