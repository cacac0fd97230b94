/**
 * Time-ordered frame queue of one direction. Due times are pushed in non-decreasing order
 * (the impairment engine guarantees it), so a FIFO is a priority queue here and the head
 * is always the next frame to release — the one timer of the direction.
 *
 * Frames are copied into recycled buffers of two size classes (wire frames ≤ 2 KiB,
 * super-frames ≤ 64 KiB + header) so a delayed 5 Gbit/s stream does not churn malloc.
 */
const SMALL = 2048;
const LARGE = 65536 + 64;
const POOL_MAX = 1024;

export class FramePool {
  private small: Buffer[] = [];
  private large: Buffer[] = [];

  /** A buffer of at least `len` bytes holding a copy of src[0, len). */
  copy(src: Uint8Array, len: number): Buffer {
    const cls = len <= SMALL ? this.small : this.large;
    const b = cls.pop() ?? Buffer.allocUnsafeSlow(len <= SMALL ? SMALL : Math.max(LARGE, len));
    b.set(src.subarray(0, len), 0);
    return b;
  }

  release(b: Buffer): void {
    const cls = b.length === SMALL ? this.small : this.large;
    if (cls.length < POOL_MAX) cls.push(b);
  }
}

export class FrameFifo {
  private due: number[] = [];
  private frames: Buffer[] = [];
  private lens: number[] = [];
  private head = 0;

  get length(): number {
    return this.due.length - this.head;
  }

  /** Due time of the head, or Infinity when empty. */
  nextDue(): number {
    return this.head < this.due.length ? (this.due[this.head] as number) : Infinity;
  }

  /** Length in bytes of the head frame (call only when length > 0). */
  headLen(): number {
    return this.lens[this.head] as number;
  }

  push(due: number, frame: Buffer, len: number = frame.length): void {
    this.due.push(due);
    this.frames.push(frame);
    this.lens.push(len);
  }

  /** Remove and return the head frame (call only when length > 0); see headLen(). */
  shift(): Buffer {
    const f = this.frames[this.head] as Buffer;
    this.frames[this.head] = EMPTY;
    this.head++;
    if (this.head === this.due.length) {
      this.due.length = 0;
      this.frames.length = 0;
      this.lens.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.due.length) {
      this.due = this.due.slice(this.head);
      this.frames = this.frames.slice(this.head);
      this.lens = this.lens.slice(this.head);
      this.head = 0;
    }
    return f;
  }

  /** Drop everything; returns how many frames were queued. */
  clear(): number {
    const n = this.length;
    this.due = [];
    this.frames = [];
    this.lens = [];
    this.head = 0;
    return n;
  }
}

const EMPTY = Buffer.alloc(0);
