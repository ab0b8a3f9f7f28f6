/**
 * Keys in the order of their last use, oldest first, each with the time of that use: what a
 * `Map` gives when every use deletes the key and sets it again, and the oldest is found by
 * iterating it. A `Map` keeps a deleted entry's slot as a hole until it rehashes, and an
 * iteration steps over every hole before the first live entry: with the oldest keys used again
 * first (a fleet's objects reconciled in turn), a look at the oldest stepped over as many holes
 * as there were uses since the table's last rehash, so a fleet of N objects paid N per look
 * (10,000 Services' start: ≈ 7 µs a look, four looks per reconcile).
 *
 * Here a use appends the key to a list and remembers where; an entry whose key was used again
 * later (or forgotten) is stale and skipped when it comes to the front, each once. Times must
 * not go down from one use to the next (the engine's clock).
 */
export class UseOrder {
  private keys: string[] = [];
  private times: number[] = [];
  /** The first entry not yet taken off the front. */
  private head = 0;
  /** Entries cut off the lists' front so far: an entry's place is this plus its index. */
  private dropped = 0;
  /** Each key's place in the lists (its last use). */
  private readonly place = new Map<string, number>();

  /** `floor`: stale entries kept at least up to this many before the lists are made again (tests give a few). */
  constructor(private readonly floor = 1024) {}

  /** How many keys there are. */
  get size(): number {
    return this.place.size;
  }

  /** `key` used at `time` (not before the last use of any key): it is now the newest. */
  use(key: string, time: number): void {
    this.place.set(key, this.dropped + this.keys.length);
    this.keys.push(key);
    this.times.push(time);
    // Stale entries behind the front are kept until they reach it: past twice the keys (and a
    // floor, for a few keys used often), the lists are made again of the live ones.
    const entries = this.keys.length - this.head;
    if (entries > this.floor && entries > 2 * this.place.size) this.compact();
  }

  /** `key` is gone (it may be used again later, as a new key). */
  forget(key: string): void {
    this.place.delete(key);
  }

  /** The oldest key, or undefined when there is none. */
  oldest(): string | undefined {
    return this.front() ? this.keys[this.head] : undefined;
  }

  /** The time of the oldest key's last use (NaN when there is none). */
  oldestTime(): number {
    return this.front() ? this.times[this.head]! : Number.NaN;
  }

  /** Takes the oldest key out (as `forget` would). */
  shift(): void {
    if (!this.front()) return;
    this.place.delete(this.keys[this.head]!);
    this.head++;
  }

  /** Whether there is a live entry, skipping to it past the stale ones. */
  private front(): boolean {
    const { keys, place } = this;
    while (this.head < keys.length && place.get(keys[this.head]!) !== this.dropped + this.head) this.head++;
    if (this.head > this.floor && this.head * 2 >= keys.length) {
      this.keys = keys.slice(this.head);
      this.times = this.times.slice(this.head);
      this.dropped += this.head;
      this.head = 0;
    }
    return this.head < this.keys.length;
  }

  /** The lists made again of the live entries alone, in their order. */
  private compact(): void {
    const keys: string[] = [];
    const times: number[] = [];
    const base = this.dropped + this.keys.length;
    for (let i = this.head; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (this.place.get(key) !== this.dropped + i) continue;
      this.place.set(key, base + keys.length);
      keys.push(key);
      times.push(this.times[i]!);
    }
    this.keys = keys;
    this.times = times;
    this.dropped = base;
    this.head = 0;
  }
}
