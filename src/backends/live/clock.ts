/**
 * Time in a live run: run time (ms since the start, on the monotonic clock), timers that never
 * fire early, sleeps and waits that Ctrl-C ends at once, and a run failure (the cluster cannot do
 * the run) that ends them the same way. It is also the load driver's clock (src/sim/load/driver.ts).
 */
import { performance } from 'node:perf_hooks';
import type { LoadClock } from '../../sim/load/driver.js';

/** How often `waitUntil` checks its condition. */
const WAIT_POLL_MS = 50;

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export class RunClock implements LoadClock {
  private readonly t0 = performance.now();
  /** Wall-clock time (ms since 1970) that run time 0 corresponds to. */
  readonly epochMs = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakeups = new Set<() => void>();
  private readonly stopListeners: (() => void)[] = [];
  private interrupted = false;
  private failure: Error | undefined;
  private stopped = false;

  now(): number {
    return Math.round(performance.now() - this.t0);
  }

  /** The error that ended the run early (Interrupted, or why the cluster cannot do the run). */
  get ended(): Error | undefined {
    return this.interrupted ? new Interrupted() : this.failure;
  }

  /** Calls `fn` when the run is interrupted or fails (abort requests in flight). */
  onStop(fn: () => void): void {
    this.stopListeners.push(fn);
  }

  /** Runs `fn(arg)` at run time `at` (never before: a timer that fires early is set again). */
  call<A>(at: number, fn: (arg: A) => void, arg: A): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (this.stopped) return;
        if (this.now() < at) this.call(at, fn, arg);
        else fn(arg);
      },
      Math.max(0, at - this.now()),
    );
    this.timers.add(timer);
  }

  at(t: number, fn: () => void): void {
    this.call(t, fn, undefined);
  }

  /** For the load driver: an arrival at `at` is sent now when its time has come. */
  tryAdvance(next: { readonly atMs: number }): boolean {
    return this.now() >= next.atMs;
  }

  /** Throws what ended the run early, if something did. */
  check(): void {
    const ended = this.ended;
    if (ended) throw ended;
  }

  /** Ends any sleep or wait at once with `Interrupted` (Ctrl-C). */
  interrupt(): void {
    this.interrupted = true;
    this.stop();
  }

  /** Ends any sleep or wait at once with `error`: the cluster cannot do the run. */
  fail(error: Error): void {
    if (this.failure || this.interrupted) return;
    this.failure = error;
    this.stop();
  }

  private stop(): void {
    for (const fn of this.stopListeners) fn();
    this.wake();
  }

  /** Something changed (an object, an answer): waits look at their condition again. */
  wake(): void {
    for (const w of [...this.wakeups]) w();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolvePromise) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeups.delete(done);
        resolvePromise();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakeups.add(done);
    });
  }

  async sleepUntil(t: number): Promise<void> {
    while (this.now() < t) {
      this.check();
      await new Promise<void>((resolvePromise) => {
        const done = () => {
          clearTimeout(timer);
          this.wakeups.delete(onWake);
          resolvePromise();
        };
        const onWake = () => {
          if (this.ended) done();
        };
        const timer = setTimeout(done, Math.max(1, t - this.now()));
        this.wakeups.add(onWake);
      });
    }
    this.check();
  }

  async waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
    for (;;) {
      this.check();
      if (done()) return true;
      if (this.now() >= deadline) return false;
      await this.pause(Math.min(WAIT_POLL_MS, deadline - this.now()));
    }
  }

  /** No timer fires after this (the run is over). */
  close(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.wake();
  }
}
