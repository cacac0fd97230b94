/**
 * An indexed binary min-heap of small integers (server slots), ordered by a comparison
 * the owner supplies. Indexed: each slot knows its place, so removing or re-ordering any
 * slot is O(log n) — what the weighted and least-connection trees need when a server
 * changes weight, goes down or takes a connection. A slot is in at most one heap.
 */
export class SlotHeap {
  private readonly items: number[] = [];
  /** Place of each slot in `items`, -1 when absent. Shared by the heaps of one algorithm. */
  private readonly where: Int32Array;
  private readonly less: (a: number, b: number) => boolean;

  constructor(where: Int32Array, less: (a: number, b: number) => boolean) {
    this.where = where;
    this.less = less;
  }

  get size(): number { return this.items.length; }
  has(slot: number): boolean { const p = this.where[slot]!; return p >= 0 && this.items[p] === slot; }
  /** The smallest slot, or -1. */
  peek(): number { return this.items.length > 0 ? this.items[0]! : -1; }
  /** The slot at heap position i (0 = smallest); for ordered walks by the owner. */
  at(i: number): number { return this.items[i]!; }

  push(slot: number): void {
    this.items.push(slot);
    this.where[slot] = this.items.length - 1;
    this.up(this.items.length - 1);
  }

  pop(): number {
    const top = this.peek();
    if (top >= 0) this.remove(top);
    return top;
  }

  /** Restores the order after the owner changed `slot`'s key in place (cheaper than remove + push). */
  update(slot: number): void {
    if (!this.has(slot)) return;
    const p = this.where[slot]!;
    this.down(p);
    this.up(this.where[slot]!);
  }

  remove(slot: number): void {
    if (!this.has(slot)) return;
    const p = this.where[slot]!;
    const last = this.items.pop()!;
    this.where[slot] = -1;
    if (p < this.items.length) {
      this.items[p] = last;
      this.where[last] = p;
      this.down(p);
      this.up(this.where[last]!);
    }
  }

  private up(p: number): void {
    const items = this.items;
    const s = items[p]!;
    while (p > 0) {
      const q = (p - 1) >> 1;
      const parent = items[q]!;
      if (!this.less(s, parent)) break;
      items[p] = parent;
      this.where[parent] = p;
      p = q;
    }
    items[p] = s;
    this.where[s] = p;
  }

  private down(p: number): void {
    const items = this.items;
    const n = items.length;
    const s = items[p]!;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(items[c + 1]!, items[c]!)) c++;
      if (!this.less(items[c]!, s)) break;
      items[p] = items[c]!;
      this.where[items[p]!] = p;
      p = c;
    }
    items[p] = s;
    this.where[s] = p;
  }
}
