/**
 * Wait queues for server slots — the feature that protects servers which can only serve
 * a few requests at a time (HAProxy's queue.c).
 *
 * Each server has at most `maxconn` requests in progress. A request that finds no free
 * slot waits, first come first served: in its server's own queue when it must go to that
 * server (a hash algorithm or persistence chose it), else in the backend's queue, from
 * which any server of the backend takes the oldest waiter when one of its slots frees.
 * When a slot frees, the server serves the older of the heads of its own queue and of the
 * backend's queue. A waiter leaves the queue in exactly one way: granted a slot, expired
 * (`timeout queue` → 503), or removed because its client left. So a request never waits
 * forever and is never served twice.
 *
 * The queues are intrusive doubly linked lists: enqueue, dequeue and removal from the
 * middle (a client leaving) are O(1), with no allocation besides the entry.
 */
import type { Server } from './server.ts';
import { performance } from 'node:perf_hooks';

export interface Waiter {
  /** A slot on `server` is held for this waiter now (already counted in server.served). */
  granted(server: Server): void;
  /** The wait reached `timeout queue`; the entry is already out of its queue. */
  expired(): void;
}

/** Global arrival order, so a server can compare the heads of two queues. */
let arrivals = 0;

export class QueueEntry {
  readonly waiter: Waiter;
  readonly seq = ++arrivals;
  readonly since = performance.now();
  prev: QueueEntry | null = null;
  next: QueueEntry | null = null;
  owner: WaitQueue | null = null;
  timer: NodeJS.Timeout | null = null;
  constructor(waiter: Waiter) { this.waiter = waiter; }
}

export class WaitQueue {
  private head: QueueEntry | null = null;
  private tail: QueueEntry | null = null;
  length = 0;

  push(e: QueueEntry): void {
    e.owner = this;
    e.prev = this.tail;
    e.next = null;
    if (this.tail) this.tail.next = e;
    else this.head = e;
    this.tail = e;
    this.length++;
  }

  peek(): QueueEntry | null {
    return this.head;
  }

  /** Takes `e` out (no-op if it is not in this queue) and stops its timer. */
  remove(e: QueueEntry): void {
    if (e.owner !== this) return;
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = null;
    e.owner = null;
    this.length--;
    if (e.timer) { clearTimeout(e.timer); e.timer = null; }
  }

  /** Removes and returns every entry, oldest first. */
  drain(): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (let e = this.head; e; e = this.head) { this.remove(e); out.push(e); }
    return out;
  }
}
