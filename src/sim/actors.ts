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
  private readonly actors: Failing[] = [];
  private failed = false;
  private error: unknown;

  /** Takes over the actor's error reporting (call before `start()`). */
  watch<A extends Failing>(actor: A): A {
    // An observer with an error callback keeps XState from reporting the error asynchronously.
    actor.subscribe({ error: () => {} });
    this.actors.push(actor);
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
    for (const actor of this.actors) {
      const snapshot = actor.getSnapshot();
      if (snapshot.status === 'error') throw snapshot.error;
    }
  }

  /** `clock`, whose timer callbacks throw what the timer's transition failed with. */
  clock(clock: ActorClock): ActorClock {
    return {
      setTimeout: (fn, timeout) =>
        clock.setTimeout(() => {
          fn();
          this.throwIfAny();
        }, timeout),
      clearTimeout: (id) => clock.clearTimeout(id),
    };
  }
}
