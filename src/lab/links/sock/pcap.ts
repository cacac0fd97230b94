/**
 * Classic libpcap writer (microsecond timestamps, LINKTYPE_ETHERNET), buffered and
 * synchronous: it runs inside the relay's pump thread, which owns the file. Frames are
 * written as delivered to the receiving TAP (after impairment), both directions in one
 * file. GSO super-frames from offloaded TAPs appear as single large frames (as tcpdump on
 * the TAP would show them), hence the 256 KiB snaplen.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

export const PCAP_SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;
const FLUSH_AT = 256 * 1024;

export function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8);
  h.writeUInt32LE(0, 12);
  h.writeUInt32LE(PCAP_SNAPLEN, 16);
  h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  return h;
}

export class PcapWriter {
  readonly path: string;
  private fd: number;
  private buf = Buffer.allocUnsafe(FLUSH_AT + 16 + PCAP_SNAPLEN);
  private used = 0;
  frames = 0;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'w', 0o644);
    writeSync(this.fd, pcapHeader());
  }

  /** Append frame[start, end) stamped with wall-clock time `epochMs`. */
  write(frame: Uint8Array, start: number, end: number, epochMs: number): void {
    const orig = end - start;
    const incl = Math.min(orig, PCAP_SNAPLEN);
    const sec = Math.floor(epochMs / 1000);
    const usec = Math.floor((epochMs - sec * 1000) * 1000);
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(sec >>> 0, o);
    b.writeUInt32LE(usec, o + 4);
    b.writeUInt32LE(incl, o + 8);
    b.writeUInt32LE(orig, o + 12);
    o += 16;
    b.set(frame.subarray(start, start + incl), o);
    this.used = o + incl;
    this.frames++;
    if (this.used >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.used > 0 && this.fd >= 0) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  get pending(): boolean {
    return this.used > 0;
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Parse a pcap file written by PcapWriter (used by tests and `capture` readers). */
export function readPcap(data: Buffer): { linktype: number; frames: Buffer[] } {
  if (data.length < 24 || data.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian µs pcap file');
  const linktype = data.readUInt32LE(20);
  const frames: Buffer[] = [];
  let o = 24;
  while (o + 16 <= data.length) {
    const incl = data.readUInt32LE(o + 8);
    if (o + 16 + incl > data.length) break;
    frames.push(data.subarray(o + 16, o + 16 + incl));
    o += 16 + incl;
  }
  return { linktype, frames };
}
