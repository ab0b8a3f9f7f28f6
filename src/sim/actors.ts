/**
 * XState keeps errors away from the code that sent the event: a throwing guard or action stops
 * the actor, and a throwing emitted-event listener is reported later, asynchronously, as an
 * uncaught exception. In a simulation that would silently stop a control loop (a revision whose
 * decider no longer ticks) while the run goes on. `ActorFailures` brings such an error back to
 * the host, which throws it where it happened: after the send, or from the engine callback of a
 * machine's timer.
 */
import type { ActorClock } from './engine.js';

interface Failing {
  getSnapshot(): { readonly status: string; readonly error: unknown };
  subscribe(observer: { error: (err: unknown) => void }): unknown;
}

export class ActorFailures {
  /**
   * The watched actors that stopped on an error, in the order they failed. Only these are kept:
   * holding every watched actor would keep a stopped or resting one alive, and checking them all
   * after each send costs as many reads as there are objects.
   */
  private readonly stopped: Failing[] = [];
  private failed = false;
  private error: unknown;

  /** Takes over the actor's error reporting (call before `start()`). */
  watch<A extends Failing>(actor: A): A {
    // An observer with an error callback keeps XState from reporting the error asynchronously;
    // XState calls it as the actor stops on the error, before the send that caused it returns.
    actor.subscribe({ error: () => this.stopped.push(actor) });
    return actor;
  }

  /** A listener for an actor's emitted events that keeps its error for `throwIfAny`. */
  listener<E>(fn: (event: E) => void): (event: E) => void {
    return (event) => {
      try {
        fn(event);
      } catch (err) {
        if (!this.failed) {
          this.failed = true;
          this.error = err;
        }
      }
    };
  }

  /** Throws the first error a listener kept, or the error that stopped a watched actor. */
  throwIfAny(): void {
    if (this.failed) {
      this.failed = false;
      throw this.error;
    }
    for (const actor of this.stopped) {
      const snapshot = actor.getSnapshot();
      if (snapshot.status === 'error') throw snapshot.error;
    }
  }

  /**
   * `clock`, whose timer callbacks throw what the timer's transition failed with; with `then`,
   * they call it first (once the transition is over). One wrapper for both: a machine's timer
   * (the autoscaler's, every 2 s of a revision's life) goes through one closure, not two.
   */
  clock(clock: ActorClock, then?: () => void): ActorClock {
    return clockThen(
      clock,
      then
        ? () => {
            then();
            this.throwIfAny();
          }
        : () => this.throwIfAny(),
    );
  }
}

/** `clock`, whose every timer callback is followed by `then` (once the timer's transition is over). */
export function clockThen(clock: ActorClock, then: () => void): ActorClock {
  return {
    setTimeout: (fn, timeout) =>
      clock.setTimeout(() => {
        fn();
        then();
      }, timeout),
    clearTimeout: (id) => clock.clearTimeout(id),
  };
}

/**
 * What a resting machine's `snapshot()` answers from: its persisted snapshot, which has the
 * snapshot's status, state value and context (the very objects), and none of the rest (the
 * machine, the state nodes, the tags' Set, the methods: a few hundred bytes more an actor).
 */
export type SnapshotView<S> = Pick<S, Extract<keyof S, 'status' | 'value' | 'context'>>;
