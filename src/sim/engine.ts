/**
 * The discrete-event engine: one queue of timed callbacks, earliest first, ties in the order
 * they were scheduled. It is also the clock of every XState actor in a run (see `clock`), so
 * machine timers and request events share one total order.
 *
 * The queue is a binary heap kept in typed arrays (time, sequence, slot), so ordering costs no
 * pointer chasing and no per-event allocation beyond the callback itself. A slot holds the
 * callback and its argument: `call(at, fn, arg)` lets the per-request hot path schedule a shared
 * function with the request as argument, with no closure and no handle per event. `at`/`after`
 * return a handle that `cancel` accepts (cancelled callbacks are skipped when they come up).
 *
 * Two more shortcuts keep the heap small without changing the order of anything:
 * - lanes (`lane()`, `callInLane`): callbacks scheduled in non-decreasing time (completions with a
 *   constant service time) wait in a FIFO ring outside the heap; the next callback is the earliest
 *   of the heap's top and the lanes' heads. A run has a lane per revision: a few are scanned, and
 *   past {@link LANES_SCANNED} (a fleet has thousands) the non-empty lanes are kept in a second
 *   heap by their heads;
 * - `tryAdvance(at)`: a callback that would be scheduled at a time earlier than everything pending
 *   (and within the current `runUntil`) may run at once instead, as the pump of arrivals does.
 * Both deliver every callback at the same (time, sequence) position as the plain heap would.
 */

type Callback = () => void;

/** A scheduled callback, as returned by `at`/`after`; pass it to `cancel`. */
export interface Entry {
  readonly at: number;
  readonly seq: number;
  /** The callback, or null once delivered or cancelled. */
  fn: Callback | null;
  /** Where the callback waits in the engine (internal). */
  slot: number;
}

/** What `Engine.callInLaneAt` schedules: an argument that carries the time it is due at. */
export interface Due {
  readonly dueMs: number;
}

/** xstate's Clock shape (not exported by xstate). */
export interface ActorClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

export class EngineError extends Error {}

const INITIAL_CAPACITY = 1024;
/** pick(): the next callback is the heap's top / nothing is pending (lanes are 0, 1, ...). */
const HEAP = -1;
const NOTHING = -2;
/** Up to this many lanes the next head is found by a scan (cheaper than a heap for a few). */
const LANES_SCANNED = 8;

/** A FIFO of callbacks in non-decreasing (time, sequence) order, outside the heap. */
/**
 * A lane's first room (a power of two; it doubles when full). A fleet has two lanes per revision,
 * most of them nearly empty: 256 slots cost 8 KB each, 16 slots 512 bytes.
 */
const LANE_FIRST_CAPACITY = 16;
/**
 * A lane's room before its first callback: none, shared by every such lane. A revision that is
 * never sent a request (a quiet Service) never uses its two lanes, which would cost ≈ 1 KB each.
 * Nothing is written to these: the first `push` finds the lane full and grows it first.
 */
const NO_TIMES = new Float64Array(0);
const NO_CALLBACKS: never[] = Object.freeze([]) as never[];

class Lane {
  at = NO_TIMES;
  seq = NO_TIMES;
  fn: ((arg: never) => void)[] = NO_CALLBACKS;
  arg: unknown[] = NO_CALLBACKS;
  head = 0;
  count = 0;
  /** Time of the last callback added (the next must not be earlier). */
  lastAt = Number.NEGATIVE_INFINITY;

  /**
   * Adds a callback at `lastAt` (the caller sets it first). The time is read from the field, not
   * passed: when the compiler does not inline this, a double argument is boxed, an object a request.
   */
  push(seq: number, fn: (arg: never) => void, arg: unknown): void {
    if (this.count === this.at.length) this.grow();
    const i = (this.head + this.count) & (this.at.length - 1);
    this.at[i] = this.lastAt;
    this.seq[i] = seq;
    this.fn[i] = fn;
    this.arg[i] = arg;
    this.count++;
  }

  private grow(): void {
    const n = this.at.length;
    const room = n === 0 ? LANE_FIRST_CAPACITY : n * 2;
    const at = new Float64Array(room);
    const seq = new Float64Array(room);
    const fn: ((arg: never) => void)[] = new Array(room);
    const arg: unknown[] = new Array(room);
    for (let k = 0; k < n; k++) {
      const i = (this.head + k) & (n - 1);
      at[k] = this.at[i]!;
      seq[k] = this.seq[i]!;
      fn[k] = this.fn[i]!;
      arg[k] = this.arg[i];
    }
    this.at = at;
    this.seq = seq;
    this.fn = fn;
    this.arg = arg;
    this.head = 0;
  }
}

export class Engine {
  // The heap: parallel typed arrays, `size` used.
  private heapAt = new Float64Array(INITIAL_CAPACITY);
  private heapSeq = new Float64Array(INITIAL_CAPACITY);
  private heapSlot = new Int32Array(INITIAL_CAPACITY);
  private size = 0;
  // Slots: what to call, with what, and the handle (for at/after) to mark delivered.
  private fns: (((arg: never) => void) | null | undefined)[] = [];
  private args: unknown[] = [];
  private entries: (Entry | undefined)[] = [];
  private readonly lanes: Lane[] = [];
  /** The non-empty lanes, a binary heap by their heads' (time, sequence); laneAt[id] is a lane's place or -1. */
  private laneHeap = new Int32Array(16);
  private laneCount = 0;
  private laneAt = new Int32Array(16).fill(-1);
  /** True once there are more lanes than a scan is worth: the lane heap is kept from then on. */
  private laneHeapOn = false;
  /**
   * The lane whose head is earliest, and that head's time and sequence (-1 and Infinity when every
   * lane is empty). Kept as heads change (a callback into an empty lane, a delivery from a lane), so
   * a delivery from the heap, and `tryAdvance`, look at no lane.
   */
  private first = -1;
  private firstAt = Number.POSITIVE_INFINITY;
  private firstSeq = Number.POSITIVE_INFINITY;
  /** The `t` of the runUntil in progress (callbacks up to it may run inline), else -Infinity. */
  private limit = Number.NEGATIVE_INFINITY;
  /**
   * While `advanceTo(at)` delivers what comes first, `at`: a nested `advanceTo` must stay before
   * it (Infinity otherwise).
   */
  private before = Number.POSITIVE_INFINITY;
  /** The time `advanceTo` hands `deliverBefore`. */
  private advancing = Number.NaN;
  /**
   * The time `callInLane` hands `callInLaneElse`, and the time `push` puts a slot at. Times go in
   * fields, not arguments, on the per-request path: a double passed to a call the compiler does not
   * inline is boxed, an object a request (and which calls it inlines varies from run to run).
   */
  private laneElseAt = Number.NaN;
  private pushAt = Number.NaN;
  /** What `advanceTo` hands `advanceToTimeOf`. */
  private readonly advanceTarget = { atMs: Number.NaN };
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
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
    const seq = this.seq++;
    const slot = this.allocSlot(fn, undefined);
    const entry: Entry = { at, seq, fn, slot };
    this.entries[slot] = entry;
    this.pushAt = at;
    this.push(seq, slot);
    return entry;
  }

  /** Schedules `fn` after `delay` ms of simulated time. */
  after(delay: number, fn: Callback): Entry {
    return this.at(this.nowMs + Math.max(0, delay), fn);
  }

  /**
   * Schedules `fn(arg)` at absolute time `at`, without a handle (it cannot be cancelled). For hot
   * paths: pass a function made once (a bound method) and the per-event data as `arg`.
   */
  call<A>(at: number, fn: (arg: A) => void, arg: A): void {
    if (!(at >= this.nowMs)) {
      throw new EngineError(`cannot schedule at ${at} ms: the clock is already at ${this.nowMs} ms`);
    }
    const slot = this.allocSlot(fn as (arg: never) => void, arg);
    this.pushAt = at;
    this.push(this.seq++, slot);
  }

  /** A new lane (see the file comment); returns its id for `callInLane`. */
  lane(): number {
    this.lanes.push(new Lane());
    const id = this.lanes.length - 1;
    if (id >= this.laneAt.length) {
      const at = new Int32Array(this.laneAt.length * 2).fill(-1);
      at.set(this.laneAt);
      this.laneAt = at;
      const heap = new Int32Array(this.laneHeap.length * 2);
      heap.set(this.laneHeap);
      this.laneHeap = heap;
    }
    if (!this.laneHeapOn && this.lanes.length > LANES_SCANNED) {
      this.laneHeapOn = true;
      for (let l = 0; l < this.lanes.length; l++) if (this.lanes[l]!.count > 0) this.laneJoin(l);
      this.firstFromLaneHeap();
    }
    return id;
  }

  /** Finds the earliest lane head again (after the first lane's head was delivered). */
  private findFirst(): void {
    if (this.laneHeapOn) {
      this.laneAdvanced();
      this.firstFromLaneHeap();
      return;
    }
    const lanes = this.lanes;
    let best = -1;
    let bestAt = Number.POSITIVE_INFINITY;
    let bestSeq = Number.POSITIVE_INFINITY;
    for (let l = 0; l < lanes.length; l++) {
      const lane = lanes[l]!;
      if (lane.count === 0) continue;
      const h = lane.head;
      const at = lane.at[h]!;
      if (at < bestAt || (at === bestAt && lane.seq[h]! < bestSeq)) {
        best = l;
        bestAt = at;
        bestSeq = lane.seq[h]!;
      }
    }
    this.first = best;
    this.firstAt = bestAt;
    this.firstSeq = bestSeq;
  }

  /** The first lane is the lane heap's top. */
  private firstFromLaneHeap(): void {
    if (this.laneCount === 0) {
      this.first = -1;
      this.firstAt = Number.POSITIVE_INFINITY;
      this.firstSeq = Number.POSITIVE_INFINITY;
      return;
    }
    const l = this.laneHeap[0]!;
    const lane = this.lanes[l]!;
    this.first = l;
    this.firstAt = lane.at[lane.head]!;
    this.firstSeq = lane.seq[lane.head]!;
  }

  /**
   * Lane `id` was empty and got a callback at (`at`, seq): its head may be the earliest now. (The
   * time is the lane's `lastAt`, read here: a double passed as an argument is boxed when the
   * compiler does not inline the call, and the callers' callers then box it on every path.)
   */
  private laneFilled(id: number, seq: number): void {
    const at = this.lanes[id]!.lastAt;
    if (this.laneHeapOn) {
      this.laneJoin(id);
      this.firstFromLaneHeap();
    } else if (at < this.firstAt) {
      // (A tie in time keeps the first lane: its head was scheduled earlier.)
      this.first = id;
      this.firstAt = at;
      this.firstSeq = seq;
    }
  }

  /** Whether lane a's head comes before lane b's. */
  private laneBefore(a: number, b: number): boolean {
    const la = this.lanes[a]!;
    const lb = this.lanes[b]!;
    const ta = la.at[la.head]!;
    const tb = lb.at[lb.head]!;
    return ta < tb || (ta === tb && la.seq[la.head]! < lb.seq[lb.head]!);
  }

  /** A lane got its first callback: into the lane heap. */
  private laneJoin(id: number): void {
    const heap = this.laneHeap;
    let i = this.laneCount++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.laneBefore(id, p)) break;
      heap[i] = p;
      this.laneAt[p] = i;
      i = parent;
    }
    heap[i] = id;
    this.laneAt[id] = i;
  }

  /** The top lane's head was delivered: it moves down the lane heap, or leaves it when empty. */
  private laneAdvanced(): void {
    const heap = this.laneHeap;
    const top = heap[0]!;
    let id = top;
    if (this.lanes[top]!.count === 0) {
      this.laneAt[top] = -1;
      const n = --this.laneCount;
      if (n === 0) return;
      id = heap[n]!;
    }
    const n = this.laneCount;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      const r = l + 1;
      if (r < n && this.laneBefore(heap[r]!, heap[l]!)) m = r;
      if (!this.laneBefore(heap[m]!, id)) break;
      heap[i] = heap[m]!;
      this.laneAt[heap[i]!] = i;
      i = m;
    }
    heap[i] = id;
    this.laneAt[id] = i;
  }

  /**
   * `call(at, fn, arg)` through a lane: when `at` is not earlier than the lane's last callback it
   * waits in the lane's FIFO instead of the heap. The delivery order is the same either way.
   */
  callInLane<A>(laneId: number, at: number, fn: (arg: A) => void, arg: A): void {
    const lane = this.lanes[laneId]!;
    // The usual case first, small enough for its callers to inline (else `at` is boxed, an object
    // a request): behind a pending callback of the lane, in order. That callback is the lane's
    // last, not yet delivered, so `at` is not in the past (and a NaN fails the test).
    if (lane.count !== 0 && at >= lane.lastAt) {
      lane.lastAt = at;
      lane.push(this.seq++, fn as (arg: never) => void, arg);
      this.live++;
      return;
    }
    // The time goes in a field, not as an argument: completions with varying service times come
    // here for most requests, and a double passed to a call the compiler does not inline is boxed.
    this.laneElseAt = at;
    this.callInLaneElse(lane, laneId, fn, arg);
  }

  /**
   * `callInLane(laneId, arg.dueMs, fn, arg)`: the time is read from the argument (the data plane's
   * completion of a request, once a request: a double passed to a call the compiler does not inline
   * is boxed, and whether it inlines `callInLane` into its caller varies from run to run).
   */
  callInLaneAt<A extends Due>(laneId: number, fn: (arg: A) => void, arg: A): void {
    const lane = this.lanes[laneId]!;
    const at = arg.dueMs;
    if (lane.count !== 0 && at >= lane.lastAt) {
      lane.lastAt = at;
      lane.push(this.seq++, fn as (arg: never) => void, arg);
      this.live++;
      return;
    }
    this.laneElseAt = at;
    this.callInLaneElse(lane, laneId, fn, arg);
  }

  /** `callInLane` (its time in `laneElseAt`) into an empty lane, or out of the lane's order (to the heap). */
  private callInLaneElse<A>(lane: Lane, laneId: number, fn: (arg: A) => void, arg: A): void {
    const at = this.laneElseAt;
    if (!(at >= this.nowMs)) this.pastLaneElseAt();
    const seq = this.seq++;
    if (lane.count === 0) {
      lane.lastAt = at;
      lane.push(seq, fn as (arg: never) => void, arg);
      this.live++;
      this.laneFilled(laneId, seq);
    } else {
      // Earlier than the lane's last: through the heap.
      const slot = this.allocSlot(fn as (arg: never) => void, arg);
      this.pushAt = at;
      this.push(seq, slot);
    }
  }

  /** `callInLaneElse`'s time is in the past (the message built here: see `laneFilled`). */
  private pastLaneElseAt(): never {
    throw new EngineError(`cannot schedule at ${this.laneElseAt} ms: the clock is already at ${this.nowMs} ms`);
  }

  /**
   * For a caller about to schedule one callback at `at`: when nothing pending is due at or before
   * `at` and `at` is within the runUntil in progress, moves the clock to `at`, counts a delivery
   * and returns true, and the caller does the work now. Otherwise false: schedule it as usual.
   */
  tryAdvance(at: number): boolean {
    if (!(at >= this.nowMs) || at > this.limit) return false;
    if (this.size > 0 && this.heapAt[0]! <= at) return false;
    if (this.firstAt <= at) return false;
    this.nowMs = at;
    this.delivered++;
    return true;
  }

  /**
   * `tryAdvance` for a caller that would otherwise schedule its next step at `at` and return (the
   * load pump's next arrival): when `at` is within the runUntil in progress, delivers here, in
   * their order, the callbacks that come before a callback scheduled now at `at` (earlier, or at
   * `at` and scheduled earlier), then moves the clock to `at`, counts a delivery and returns true;
   * the caller then does the work the engine would have called next. The sequence number such a
   * callback would take is taken the same way, so every later callback keeps its number too. False
   * when `at` is past the runUntil (or none is in progress): schedule it as usual. While callbacks
   * are delivered here, a nested call may only move the clock to a time before `at`: the caller's
   * work at `at` comes before anything scheduled after it at `at` itself.
   */
  advanceTo(at: number): boolean {
    const target = this.advanceTarget;
    target.atMs = at;
    return this.advanceToTimeOf(target);
  }

  /**
   * `advanceTo(next.atMs)`, for the load pump: the time is read from its arrival, not passed as an
   * argument (a double passed to a call the compiler does not inline is boxed, an object a request).
   */
  advanceToTimeOf(next: { readonly atMs: number }): boolean {
    const at = next.atMs;
    if (!(at >= this.nowMs) || at > this.limit || at >= this.before) return false;
    if ((this.size > 0 && this.heapAt[0]! <= at) || this.firstAt <= at) {
      // The time goes in a field, not as an argument: a double passed to a call the compiler does
      // not inline is boxed, an object a request.
      this.advancing = at;
      this.deliverBefore();
    }
    this.nowMs = at;
    this.delivered++;
    return true;
  }

  /** Delivers every callback before (`advancing`, the next sequence number), as runUntil would. */
  private deliverBefore(): void {
    const at = this.advancing;
    const seq = this.seq++;
    const outer = this.before;
    this.before = at;
    try {
      for (;;) {
        const l = this.first;
        if (this.size > 0) {
          const top = this.heapAt[0]!;
          if (l < 0 || top < this.firstAt || (top === this.firstAt && this.heapSeq[0]! < this.firstSeq)) {
            if (top > at || (top === at && this.heapSeq[0]! > seq)) break;
            this.deliverTop();
            continue;
          }
        } else if (l < 0) break;
        if (this.firstAt > at || (this.firstAt === at && this.firstSeq > seq)) break;
        this.deliverLane(l);
      }
    } finally {
      this.before = outer;
    }
  }

  cancel(entry: Entry | undefined | null): void {
    if (entry?.fn) {
      entry.fn = null;
      this.fns[entry.slot] = null;
      this.live--;
    }
  }

  /** Time of the next pending callback, or Infinity. */
  peek(): number {
    const l = this.pick();
    if (l >= 0) {
      const lane = this.lanes[l]!;
      return lane.at[lane.head]!;
    }
    return l === HEAP ? this.heapAt[0]! : Number.POSITIVE_INFINITY;
  }

  /** Delivers the next callback; false when nothing is pending. */
  step(): boolean {
    const l = this.pick();
    if (l === NOTHING) return false;
    if (l >= 0) this.deliverLane(l);
    else this.deliverTop();
    return true;
  }

  /**
   * Where the earliest pending callback is: a lane's index, HEAP, or NOTHING. Drops cancelled
   * callbacks from the heap's top first.
   */
  private pick(): number {
    this.dropCancelled();
    let best = this.size > 0 ? HEAP : NOTHING;
    const bestAt = this.size > 0 ? this.heapAt[0]! : Number.POSITIVE_INFINITY;
    const bestSeq = this.size > 0 ? this.heapSeq[0]! : Number.POSITIVE_INFINITY;
    const l = this.first;
    if (l >= 0) {
      const at = this.firstAt;
      if (at < bestAt || (at === bestAt && this.firstSeq < bestSeq)) best = l;
    }
    return best;
  }

  /** Delivers the head of lane `l`, the first lane. */
  private deliverLane(l: number): void {
    const lane = this.lanes[l]!;
    const i = lane.head;
    const fn = lane.fn[i]!;
    const arg = lane.arg[i];
    lane.fn[i] = undefined as unknown as (arg: never) => void;
    lane.arg[i] = undefined;
    lane.head = (i + 1) & (lane.at.length - 1);
    lane.count--;
    this.findFirst();
    this.nowMs = lane.at[i]!;
    this.live--;
    this.delivered++;
    (fn as (arg: unknown) => void)(arg);
  }

  /** Delivers every callback due at or before `t`, then sets the clock to `t`. */
  runUntil(t: number): void {
    // (this.heapAt is re-read each time: callbacks may grow the heap, which replaces the arrays.)
    const outer = this.limit;
    this.limit = t;
    try {
      for (;;) {
        // pick(), inlined: the earliest of the heap's top and the first lane's head. A cancelled
        // top is not dropped first: deliverTop skips it, in its place in the order.
        const l = this.first;
        if (this.size > 0) {
          const at = this.heapAt[0]!;
          if (l < 0 || at < this.firstAt || (at === this.firstAt && this.heapSeq[0]! < this.firstSeq)) {
            if (at > t) break;
            this.deliverTop();
            continue;
          }
        } else if (l < 0) break;
        if (this.firstAt > t) break;
        this.deliverLane(l);
      }
    } finally {
      this.limit = outer;
    }
    if (t > this.nowMs) this.nowMs = t;
  }

  runFor(ms: number): void {
    this.runUntil(this.nowMs + ms);
  }

  /** Runs until `done()` holds (checked after each callback) or time `limit` is reached; true if done. */
  runUntilCondition(done: () => boolean, limit: number): boolean {
    if (done()) return true;
    // No inline deliveries here: done() is checked after every callback.
    const outer = this.limit;
    this.limit = Number.NEGATIVE_INFINITY;
    try {
      return this.runUntilDone(done, limit);
    } finally {
      this.limit = outer;
    }
  }

  private runUntilDone(done: () => boolean, limit: number): boolean {
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

  /** Pops the earliest slot and calls it (skipping it if it was cancelled). */
  private deliverTop(): void {
    const at = this.heapAt[0]!;
    const slot = this.popTop();
    const fn = this.fns[slot];
    const arg = this.args[slot];
    const entry = this.entries[slot];
    this.fns[slot] = undefined;
    this.args[slot] = undefined;
    if (entry !== undefined) {
      this.entries[slot] = undefined;
      entry.fn = null;
    }
    this.freeSlots[this.freeCount++] = slot;
    if (fn === null || fn === undefined) return; // cancelled
    this.nowMs = at;
    this.live--;
    this.delivered++;
    (fn as (arg: unknown) => void)(arg);
  }

  private dropCancelled(): void {
    while (this.size > 0 && this.fns[this.heapSlot[0]!] === null) {
      const slot = this.popTop();
      this.fns[slot] = undefined;
      this.args[slot] = undefined;
      this.entries[slot] = undefined;
      this.freeSlots[this.freeCount++] = slot;
    }
  }

  private allocSlot(fn: (arg: never) => void, arg: unknown): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
      this.fns[slot] = fn;
      this.args[slot] = arg;
    } else {
      slot = this.fns.length;
      this.fns.push(fn);
      this.args.push(arg);
      this.entries.push(undefined);
      if (slot >= this.freeSlots.length) {
        const grown = new Int32Array(this.freeSlots.length * 2);
        grown.set(this.freeSlots);
        this.freeSlots = grown;
      }
    }
    this.live++;
    return slot;
  }

  /** Into the heap at (`pushAt`, seq): the time in a field, as `laneElseAt`. */
  private push(seq: number, slot: number): void {
    const at = this.pushAt;
    if (this.size === this.heapAt.length) this.grow();
    const heapAt = this.heapAt;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = heapAt[parent]!;
      if (pa < at || (pa === at && heapSeq[parent]! < seq)) break;
      heapAt[i] = pa;
      heapSeq[i] = heapSeq[parent]!;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapAt[i] = at;
    heapSeq[i] = seq;
    heapSlot[i] = slot;
  }

  /**
   * Removes the root and returns its slot. Bottom-up: the hole left at the root goes down to a leaf
   * by the earlier child (one comparison a level), and the last entry goes up from there (most
   * often not at all: the last entry is a leaf, late in the order). Fewer comparisons than sifting
   * the last entry down from the root, whose two a level mostly go the same way.
   */
  private popTop(): number {
    const heapAt = this.heapAt;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    const top = heapSlot[0]!;
    const n = --this.size;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      const r = l + 1;
      if (r < n) {
        const ra = heapAt[r]!;
        const la = heapAt[l]!;
        if (ra < la || (ra === la && heapSeq[r]! < heapSeq[l]!)) m = r;
      }
      heapAt[i] = heapAt[m]!;
      heapSeq[i] = heapSeq[m]!;
      heapSlot[i] = heapSlot[m]!;
      i = m;
    }
    const at = heapAt[n]!;
    const seq = heapSeq[n]!;
    const slot = heapSlot[n]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = heapAt[parent]!;
      if (pa < at || (pa === at && heapSeq[parent]! < seq)) break;
      heapAt[i] = pa;
      heapSeq[i] = heapSeq[parent]!;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapAt[i] = at;
    heapSeq[i] = seq;
    heapSlot[i] = slot;
    return top;
  }

  private grow(): void {
    const cap = this.heapAt.length * 2;
    const at = new Float64Array(cap);
    at.set(this.heapAt);
    const seq = new Float64Array(cap);
    seq.set(this.heapSeq);
    const slot = new Int32Array(cap);
    slot.set(this.heapSlot);
    this.heapAt = at;
    this.heapSeq = seq;
    this.heapSlot = slot;
  }
}
