/**
 * The forwarding table of a userspace learning switch (the `sock-switch` lan): pure
 * decisions, no I/O, so it is tested on its own.
 *
 * Learning: the source MAC of every frame entering on a port is recorded for that port
 * with the time it was seen (a MAC moving to another port moves at once).
 * Forwarding: a unicast destination known and not older than `agingMs` goes to its port
 * (nowhere if that is the ingress port: the frame stays on its segment); broadcast,
 * multicast (I/G bit) and unknown destinations are flooded to every other port.
 * Aging: entries older than `agingMs` are ignored and swept by `sweep(now)`.
 * MACs are keys as numbers (48 bits fit a double exactly).
 */

export const DEFAULT_AGING_MS = 300_000;

export type Decision<P> = { flood: true } | { flood: false; port: P | null };

/** MAC at `off` as a number. */
export function macKey(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) * 2 ** 40) + ((b[off + 1] ?? 0) * 2 ** 32) + (((b[off + 2] ?? 0) << 24) >>> 0) + ((b[off + 3] ?? 0) << 16) + ((b[off + 4] ?? 0) << 8) + (b[off + 5] ?? 0);
}

export function macText(k: number): string {
  return k.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

export class MacTable<P> {
  readonly agingMs: number;
  private readonly entries = new Map<number, { port: P; seen: number }>();

  constructor(agingMs = DEFAULT_AGING_MS) {
    this.agingMs = agingMs;
  }

  /** Record where a source MAC lives (multicast sources are not learned). */
  learn(src: number, port: P, now: number): void {
    if (Math.floor(src / 2 ** 40) & 1) return;
    const e = this.entries.get(src);
    if (e) {
      e.port = port;
      e.seen = now;
    } else this.entries.set(src, { port, seen: now });
  }

  /** Where a frame to `dst` arriving on `from` goes. */
  decide(dst: number, from: P, now: number): Decision<P> {
    if (Math.floor(dst / 2 ** 40) & 1) return { flood: true };
    const e = this.entries.get(dst);
    if (!e || now - e.seen > this.agingMs) return { flood: true };
    return { flood: false, port: e.port === from ? null : e.port };
  }

  /** Forget a port (deleted or cut): its stations must be learned again. */
  forget(port: P): void {
    for (const [k, e] of this.entries) if (e.port === port) this.entries.delete(k);
  }

  sweep(now: number): void {
    for (const [k, e] of this.entries) if (now - e.seen > this.agingMs) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }

  /** [mac, port, age ms] of every live entry. */
  dump(now: number, name: (p: P) => string): [string, string, number][] {
    return [...this.entries].filter(([, e]) => now - e.seen <= this.agingMs).map(([k, e]) => [macText(k), name(e.port), Math.round(now - e.seen)]);
  }
}
