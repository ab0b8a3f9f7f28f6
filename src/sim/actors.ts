/**
 * XState keeps errors away from the code that sent the event: a throwing guard or action stops
 * the actor, and a throwing emitted-event listener is reported later, asynchronously, as an
 * uncaught exception. In a simulation that would silently stop a control loop (a revision whose
 * decider no longer ticks) while the run goes on. `ActorFailures` brings such an error back to
 * the host, which throws it where it happened: after the send, or from the engine callback of a
 * machine's timer.
 */
import type { Snapshot } from 'xstate';
import type { ActorClock } from './engine.js';
import { type RestedSnapshot, rested } from './restedSnapshot.js';

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

/** What resting needs of a snapshot: its status and its child actors (a machine's invoked timers). */
export interface RestableSnapshot {
  readonly status: string;
  readonly children?: Record<string, unknown>;
}

/** What resting needs of an actor (XState's `Actor`). */
export interface Restable<S extends RestableSnapshot> {
  getSnapshot(): S;
  getPersistedSnapshot(): Snapshot<unknown>;
  stop(): void;
  readonly system: { getSnapshot(): { _scheduledEvents: Record<string, unknown> } };
}

/**
 * What a resting actor's `snapshot()` answers from: its persisted snapshot, which has the
 * snapshot's status, state value and context (the very objects), and none of the rest (the
 * machine, the state nodes, the tags' Set, the methods: a few hundred bytes more an actor).
 */
export type SnapshotView<S> = Pick<S, Extract<keyof S, 'status' | 'value' | 'context'>>;

/**
 * An actor that can rest: `rest()` stops it when no timer of its machine is pending and keeps
 * only its persisted snapshot, which `snapshot()` still answers from (status, value, context);
 * `running()` starts it again from that snapshot when it next gets an event. XState restores a
 * snapshot without running entry actions, and stopping runs no exit actions: the machine moves
 * and emits as if it had run all along. A running actor costs several kilobytes (its system,
 * mailbox, listeners, clock), a resting one its persisted snapshot.
 */
export class RestingActor<S extends RestableSnapshot, A extends Restable<S>> {
  private actor: A | undefined;
  /**
   * The persisted snapshot while resting, its context apart from the rest, which is shared with
   * the machines resting in the same state (the snapshot itself is not kept: it would double the cost).
   */
  private persisted: RestedSnapshot | undefined;

  /** `start(snapshot)`: a started actor, from the snapshot when one is given. */
  constructor(private readonly start: (snapshot?: Snapshot<unknown>) => A) {
    this.actor = start();
  }

  /** The actor, started again if it was resting. */
  running(): A {
    if (!this.actor) {
      this.actor = this.start(this.persisted!.persisted());
      this.persisted = undefined;
    }
    return this.actor;
  }

  /** The machine's status, state value and context, running or not. */
  snapshot(): SnapshotView<S> {
    return this.actor ? this.actor.getSnapshot() : (this.persisted as unknown as SnapshotView<S>);
  }

  /**
   * Stops the actor and keeps its persisted snapshot, unless a timer is pending (a delayed
   * event, or a child actor such as the autoscaler's tick timer) or it is not active.
   */
  rest(): void {
    const actor = this.actor;
    if (!actor) return;
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== 'active') return;
    for (const _ in actor.system.getSnapshot()._scheduledEvents) return;
    for (const _ in snapshot.children) return;
    // A machine's persisted snapshot holds its snapshot's status, value and context as they are
    // (XState copies the context only to replace actor references, which a resting one has none of).
    this.persisted = rested(actor.getPersistedSnapshot());
    this.actor = undefined;
    actor.stop();
  }

  stop(): void {
    this.actor?.stop();
  }
}
