/**
 * HAProxy's rise/fall counter. `health` runs from 0 to rise+fall-1; the server is up
 * while health >= rise. A failure takes one step down, and once below rise drops to 0
 * (so coming back needs `rise` successes); a success takes one step up, and once at rise
 * jumps to the top (so going down needs `fall` failures). A fresh counter starts at
 * `rise`: up, but one failure takes it down — HAProxy 2.6 does exactly this at start-up.
 */
export class HealthCounter {
  readonly rise: number;
  readonly fall: number;
  health: number;

  constructor(rise: number, fall: number) {
    this.rise = rise;
    this.fall = fall;
    this.health = rise;
  }

  get max(): number { return this.rise + this.fall - 1; }
  get up(): boolean { return this.health >= this.rise; }

  /** Returns true when the counter moved (HAProxy then reports it with log-health-checks). */
  success(): boolean {
    if (this.health >= this.max) return false;
    this.health++;
    if (this.health >= this.rise) this.health = this.max;
    return true;
  }

  failure(): boolean {
    if (this.health <= 0) return false;
    this.health--;
    if (this.health < this.rise) this.health = 0;
    return true;
  }

  /** Forces the state: down now (mark-down) or one failure away from down (sudden-death). */
  markDown(): boolean {
    const moved = this.health !== 0;
    this.health = 0;
    return moved;
  }

  suddenDeath(): boolean {
    if (this.health <= this.rise) return this.failure();
    this.health = this.rise;
    return true;
  }

  /** "3/3 UP", "0/2 DOWN": HAProxy's position within the current band. */
  describe(serverWeight: number): string {
    if (this.up) return `${this.health - this.rise + 1}/${this.fall} ${serverWeight > 0 ? 'UP' : 'DRAIN'}`;
    return `${this.health}/${this.rise} DOWN`;
  }

  /** The next interval: inter when fully up, downinter when fully down, fastinter between. */
  interval(inter: number, fastinter: number, downinter: number): number {
    if (this.health >= this.max) return inter;
    if (this.health === 0) return downinter || inter;
    return fastinter || inter;
  }
}
