/**
 * The discrete-event engine: one queue of timed callbacks, earliest first, ties in the order
 * they were scheduled. It is also the clock of every XState actor in a run (see `clock`), so
 * machine timers and request events share one total order.
 */

type Callback = () => void;

interface Entry {
  at: number;
  seq: number;
  fn: Callback | null;
}

/** xstate's Clock shape (not exported by xstate). */
export interface ActorClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

export class EngineError extends Error {}

export class Engine {
  private heap: Entry[] = [];
  private seq = 0;
  private nowMs = 0;
  private live = 0;
  /** Events delivered so far (for progress and benchmarks). */
  delivered = 0;

  /** The simulated time in milliseconds. */
  now(): number {
    return this.nowMs;
  }

  /** Pending callbacks (cancelled ones excluded). */
  pending(): number {
    return this.live;
  }

  /** Schedules `fn` at absolute time `at`; scheduling in the past is a bug in the caller. */
  at(at: number, fn: Callback): Entry {
    if (!(at >= this.nowMs)) {
      throw new EngineError(`cannot schedule at ${at} ms: the clock is already at ${this.nowMs} ms`);
    }
    const entry: Entry = { at, seq: this.seq++, fn };
    this.push(entry);
    this.live++;
    return entry;
  }

  /** Schedules `fn` after `delay` ms of simulated time. */
  after(delay: number, fn: Callback): Entry {
    return this.at(this.nowMs + Math.max(0, delay), fn);
  }

  cancel(entry: Entry | undefined | null): void {
    if (entry?.fn) {
      entry.fn = null;
      this.live--;
    }
  }

  /** Time of the next pending callback, or Infinity. */
  peek(): number {
    this.dropCancelled();
    return this.heap.length > 0 ? this.heap[0]!.at : Number.POSITIVE_INFINITY;
  }

  /** Delivers the next callback; false when nothing is pending. */
  step(): boolean {
    this.dropCancelled();
    const entry = this.pop();
    if (!entry) return false;
    this.nowMs = entry.at;
    const fn = entry.fn!;
    entry.fn = null;
    this.live--;
    this.delivered++;
    fn();
    return true;
  }

  /** Delivers every callback due at or before `t`, then sets the clock to `t`. */
  runUntil(t: number): void {
    for (;;) {
      const next = this.peek();
      if (next > t) break;
      this.step();
    }
    if (t > this.nowMs) this.nowMs = t;
  }

  runFor(ms: number): void {
    this.runUntil(this.nowMs + ms);
  }

  /** Runs until `done()` holds (checked after each callback) or time `limit` is reached; true if done. */
  runUntilCondition(done: () => boolean, limit: number): boolean {
    if (done()) return true;
    for (;;) {
      const next = this.peek();
      if (next > limit) {
        if (limit > this.nowMs) this.nowMs = limit;
        return done();
      }
      this.step();
      if (done()) return true;
    }
  }

  /** An xstate Clock backed by this engine. */
  readonly clock: ActorClock = {
    setTimeout: (fn, timeout) => this.after(timeout, fn as Callback),
    clearTimeout: (id) => this.cancel(id as Entry),
  };

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.fn === null) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
