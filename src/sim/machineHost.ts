/**
 * A machine without an actor. An XState actor costs several kilobytes (its own system, mailbox,
 * listeners, clock and a score of closures) and tens of microseconds to start; of all that a
 * simulated object's machine needs only the snapshot and the machine's pending timers. XState's
 * pure transition (`machine.transition(snapshot, event, scope)`, what `transition()` runs) gives
 * the next snapshot and the actions to execute; the host executes them as an actor would:
 *
 * - `emit(...)` (`xstate.emit`): the event goes to the listener, in the order of the actions;
 * - a delayed `raise` (`xstate.raise` with a delay: an `after` transition) is set on the clock,
 *   under its id, and the event is sent to the machine when it fires; `xstate.cancel` clears it
 *   (leaving the state before it fired);
 * - a `raise` without a delay was already taken by the transition itself (XState's internal queue).
 *
 * An actor runs these three after the transition, in the order the actions came, with its new
 * snapshot already in place (`actorScope.defer`); so does the host, so that the clock's timers
 * and the listeners' writes come in the same order as with an actor, and the logs stay the same.
 * Any other action (a child actor, `sendTo`, a custom action) is refused loudly: a machine hosted
 * here must not need what only an actor has.
 *
 * Errors come back to the caller where they happen, with nothing swallowed: a guard or `assign`
 * that throws throws out of `send` (the object's snapshot stays as it was, nothing is executed);
 * a listener that throws throws out of `send` once the other effects of the transition ran (an
 * actor runs them all too). A timer's transition throws out of the clock's callback.
 *
 * There is no mailbox: a send to an object's machine from within one of its own listeners is
 * taken at once, inside the effects of the transition before it, where an actor would queue it
 * until they are over. The lifecycle machines' and the autoscaler's listeners never send to
 * their own machine (they write the store and queue reconciles); a caller whose listeners may
 * keeps its own inbox (src/sim/controllers/podMachines.ts).
 *
 * Useful for any machine whose actions are `assign`, `emit`, `raise` and `after` (the lifecycle
 * machines, a pod's machine).
 *
 * The transitions go through `TransitionPlans` (src/sim/transitionPlans.ts): a microstep taken
 * before from the same configuration with the same transitions selected (nested and parallel
 * states, `always` and raises taken at once included; plain guards evaluated as XState does) is
 * not worked out again by XState's macrostep: its actions are resolved again in the order XState
 * listed them, and a snapshot XState made in the configuration reached is the template.
 */
import {
  type AnyActorScope,
  type AnyStateMachine,
  createEmptyActor,
  type EmittedFrom,
  type EventFromLogic,
  type ExecutableActionObject,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import type { SnapshotView } from './actors.js';
import type { ActorClock } from './engine.js';
import { type RestedSnapshot, rested } from './restedSnapshot.js';
import { TransitionPlans } from './transitionPlans.js';

/**
 * One object's machine: its snapshot and its pending timers by id. `snapshot` is replaced on each
 * transition that changes it (never changed in place), so `===` tells whether anything moved it.
 */
export interface Hosted<M extends AnyStateMachine> {
  snapshot: SnapshotFrom<M>;
  /**
   * The clock's handles of the pending delayed events, by their id; undefined when none is (an
   * empty Map and its table cost ≈ 180 bytes, and most machines wait on no timer most of the time).
   */
  timers: Map<string, unknown> | undefined;
  /** The last transition that left `snapshot` as it was (hosts with `repeatStill` only). */
  still?: Still;
}

/** A transition that left its snapshot as it was: from that snapshot, by that event, these actions. */
interface Still {
  readonly snapshot: unknown;
  readonly event: unknown;
  readonly actions: readonly ExecutableActionObject[];
}

/** What a host may be asked to do beside running transitions. */
export interface HostOptions<M extends AnyStateMachine> {
  /**
   * Called once a timer's transition and all its effects are over: where a host sends what its
   * listener decided during the transition (there is no mailbox, see above).
   */
  readonly settled?: (hosted: Hosted<M>) => void;
  /**
   * Repeats a transition that left the snapshot as it was (the same object back from XState)
   * when the same event object comes to the same snapshot object again: its actions are executed
   * again without XState. Sound when the machine's guards, delays and action expressions read
   * nothing but the snapshot's context and the event (then XState's transition is a function of
   * the two, and neither changed). The autoscaler's ticker: its timer's tick, every 2 s, takes
   * such a transition (emit the tick, arm the next), ≈ 3–7 µs in XState.
   */
  readonly repeatStill?: boolean;
}

type Listener<M extends AnyStateMachine> = (event: EmittedFrom<M>) => void;

/**
 * Runs one machine's transitions for many objects (`Hosted`), with one scope for them all.
 * `outside(hosted)` is the listener for what the machine emits outside a send: its initial
 * entry actions and its timers' transitions.
 */
/**
 * The scope a pure transition runs in: an inert actor whose `actionExecutor` collects the
 * transition's actions. The transition calls only that, and passes `self` and `system` to the
 * machine's expressions, which ours do not read.
 */
export function inertActorScope(actionExecutor: (action: ExecutableActionObject) => void): AnyActorScope {
  const self = createEmptyActor();
  return {
    self,
    id: '',
    sessionId: '',
    logger: () => {},
    defer: () => {},
    emit: () => {},
    system: self.system,
    stopChild: () => {},
    actionExecutor,
  } as AnyActorScope;
}

export class MachineHost<M extends AnyStateMachine> {
  private readonly scope: AnyActorScope;
  /** The actions of the transition being computed (taken, and a fresh array put, before they run). */
  private actions: ExecutableActionObject[] = [];
  /** Numbers the delayed events set without an id (XState gives them a random one: unique). */
  private unnamed = 0;
  /** XState's transitions, those it covers remembered (src/sim/transitionPlans.ts). */
  private readonly plans: TransitionPlans;

  constructor(
    readonly machine: M,
    private readonly clock: () => ActorClock,
    private readonly outside: (hosted: Hosted<M>) => Listener<M>,
    private readonly options: HostOptions<M> = {},
  ) {
    // What `transition()` builds on each call (an inert actor, its system and an initial snapshot
    // of the machine, ≈ 40 µs): made once.
    this.scope = inertActorScope((action) => {
      this.actions.push(action);
    });
    this.plans = new TransitionPlans(machine, this.scope);
  }

  /**
   * A new object's machine (`extra`, taken over, with its snapshot and timers), in its initial state; what its
   * entry actions emit goes to `outside(machine)`, as with an actor's listeners at its start.
   */
  start<X extends object>(extra: X, input: InputFrom<M>): Hosted<M> & X {
    const snapshot = this.plans.initial(input, this.actions) as SnapshotFrom<M>;
    const hosted = hostedOf(extra, snapshot);
    this.execute(hosted, this.take(), this.outside(hosted));
    return hosted;
  }

  /** A machine from a persisted snapshot: no entry action runs (as an actor started from one). */
  restore<X extends object>(extra: X, persisted: unknown): Hosted<M> & X {
    const snapshot = this.machine.restoreSnapshot(persisted as never, this.scope) as SnapshotFrom<M>;
    return hostedOf(extra, snapshot);
  }

  /** Sends `event` to the object's machine; what it emits goes to `listener`. */
  send(hosted: Hosted<M>, event: EventFromLogic<M>, listener: Listener<M>): void {
    const before = hosted.snapshot;
    if (statusOf(before) !== 'active') return;
    const still = hosted.still;
    if (still !== undefined && still.snapshot === before && still.event === event) {
      this.execute(hosted, still.actions, listener);
      return;
    }
    this.actions = [];
    let next: SnapshotFrom<M>;
    try {
      next = this.plans.transition(before, event, this.actions) as SnapshotFrom<M>;
    } catch (err) {
      this.actions = [];
      throw err;
    }
    hosted.snapshot = next;
    const actions = this.take();
    if (next === before && this.options.repeatStill) hosted.still = { snapshot: before, event, actions };
    this.execute(hosted, actions, listener);
  }

  /** Whether a delayed event of the machine is pending. */
  pending(hosted: Hosted<M>): boolean {
    return hosted.timers !== undefined && hosted.timers.size > 0;
  }

  /** The object is gone: its pending timers are cleared (as stopping its actor would). */
  stop(hosted: Hosted<M>): void {
    const timers = hosted.timers;
    if (!timers) return;
    const clock = this.clock();
    for (const handle of timers.values()) clock.clearTimeout(handle);
    hosted.timers = undefined;
  }

  private take(): ExecutableActionObject[] {
    const actions = this.actions;
    this.actions = [];
    return actions;
  }

  /** Executes the deferred part of a transition's actions, in their order (an actor's `update`). */
  private execute(hosted: Hosted<M>, actions: readonly ExecutableActionObject[], listener: Listener<M>): void {
    let failed = false;
    let error: unknown;
    for (const action of actions) {
      switch (action.type) {
        case 'xstate.emit':
          try {
            listener((action.params as { event: EmittedFrom<M> }).event);
          } catch (err) {
            if (!failed) {
              failed = true;
              error = err;
            }
          }
          break;
        case 'xstate.raise': {
          const { event, id, delay } = action.params as { event: EventFromLogic<M>; id?: string; delay?: number };
          if (typeof delay === 'number') this.schedule(hosted, event, id ?? `xstate.unnamed.${this.unnamed++}`, delay);
          break;
        }
        case 'xstate.cancel':
          this.cancel(hosted, (action.params as { sendId: string }).sendId);
          break;
        default:
          throw new Error(`MachineHost (${this.machine.id}): action ${action.type} needs an actor`);
      }
    }
    if (failed) throw error;
  }

  /**
   * As XState's scheduler: the id names the timer (a second one under the same id replaces the
   * first's handle, and the first still fires); firing forgets the id and sends the event.
   */
  private schedule(hosted: Hosted<M>, event: EventFromLogic<M>, id: string, delay: number): void {
    const handle = this.clock().setTimeout(() => {
      // The machine's timers now (a Map made since this one was set, when they all went meanwhile).
      forget(hosted, id);
      this.send(hosted, event, this.outside(hosted));
      this.options.settled?.(hosted);
    }, delay);
    let timers = hosted.timers;
    if (timers === undefined) {
      timers = new Map();
      hosted.timers = timers;
    }
    timers.set(id, handle);
  }

  private cancel(hosted: Hosted<M>, id: string): void {
    const handle = hosted.timers?.get(id);
    if (handle === undefined) return;
    forget(hosted, id);
    this.clock().clearTimeout(handle);
  }
}

/**
 * `extra` (the caller's fresh object, taken over) with the machine's two fields added, in place.
 * Not a copy `{ ...extra, snapshot, timers }`: V8 (Node 20) gives every object made by a spread
 * followed by more fields a hidden class of its own (a map and its descriptors, ≈ 200 bytes for
 * two fields, ≈ 700 for a pod's twenty-one), kept as long as the object, and every read of such
 * objects is megamorphic. Fields added to an object literal follow its shared transitions.
 */
function hostedOf<M extends AnyStateMachine, X extends object>(extra: X, snapshot: SnapshotFrom<M>): Hosted<M> & X {
  const hosted = extra as Hosted<M> & X;
  hosted.snapshot = snapshot;
  hosted.timers = undefined;
  return hosted;
}

/** Forgets the timer under `id`, and the machine's Map of timers once none is left. */
function forget(hosted: Hosted<AnyStateMachine>, id: string): void {
  const timers = hosted.timers;
  if (timers === undefined) return;
  timers.delete(id);
  if (timers.size === 0) hosted.timers = undefined;
}

/** A machine snapshot's status ('active' until it is done or stopped). */
export function statusOf(snapshot: unknown): string {
  return (snapshot as { readonly status: string }).status;
}

/**
 * One object's hosted machine that keeps only its persisted snapshot while at rest (an actor at
 * rest used to be stopped and started again; a hosted machine has no actor to stop). `rest()` keeps the
 * persisted snapshot (its context apart, its state shared with the machines resting in the same
 * state: src/sim/restedSnapshot.ts) unless a timer is pending; the next `send` restores it (no
 * entry action runs, as an actor started from a snapshot); `snapshot()` answers either way.
 * `listener` is told all the machine emits (its entry actions at the start included).
 */
export class RestingMachine<M extends AnyStateMachine> {
  private hosted: (Hosted<M> & Own<M>) | undefined;
  private persisted: RestedSnapshot | undefined;

  /**
   * `host` must tell each machine's own `listener` what it emits outside a send ({@link ownListener}),
   * and, if it is given one, call its own `settled` after each of its timers ({@link ownSettled}).
   */
  constructor(
    private readonly host: MachineHost<M>,
    input: InputFrom<M>,
    private readonly listener: Listener<M>,
    private readonly settled?: () => void,
  ) {
    this.hosted = host.start({ listener, settled }, input);
  }

  /** The machine's status, state value and context, at rest or not. */
  snapshot(): SnapshotView<SnapshotFrom<M>> {
    return this.hosted
      ? (this.hosted.snapshot as SnapshotView<SnapshotFrom<M>>)
      : (this.persisted as unknown as SnapshotView<SnapshotFrom<M>>);
  }

  send(event: EventFromLogic<M>): void {
    if (!this.hosted) {
      this.hosted = this.host.restore({ listener: this.listener, settled: this.settled }, this.persisted!.persisted());
      this.persisted = undefined;
    }
    this.host.send(this.hosted, event, this.listener);
  }

  /**
   * Whether `event` would take a transition now (XState's `can`, the machine's own transitions
   * answering); a resting machine answers from its persisted snapshot, restored only for this.
   */
  can(event: EventFromLogic<M>): boolean {
    const snapshot = this.hosted
      ? this.hosted.snapshot
      : this.host.machine.resolveState(this.persisted!.persisted() as never);
    return statusOf(snapshot) === 'active' && (snapshot as { can(e: unknown): boolean }).can(event);
  }

  /** Keeps only the persisted snapshot, unless a timer is pending or the machine is done. */
  rest(): void {
    const hosted = this.hosted;
    if (!hosted || statusOf(hosted.snapshot) !== 'active' || this.host.pending(hosted)) return;
    this.persisted = rested(this.host.machine.getPersistedSnapshot(hosted.snapshot));
    this.hosted = undefined;
  }

  stop(): void {
    if (this.hosted) this.host.stop(this.hosted);
  }
}

/** What a {@link RestingMachine} keeps beside its hosted machine. */
interface Own<M extends AnyStateMachine> {
  readonly listener: Listener<M>;
  readonly settled: (() => void) | undefined;
}

/** The `outside` of a host of {@link RestingMachine}s: each machine's own listener. */
export function ownListener<M extends AnyStateMachine>(hosted: Hosted<M>): Listener<M> {
  return (hosted as Hosted<M> & Own<M>).listener;
}

/** The `settled` of a host of {@link RestingMachine}s: each machine's own, if it has one. */
export function ownSettled<M extends AnyStateMachine>(hosted: Hosted<M>): void {
  (hosted as Hosted<M> & Own<M>).settled?.();
}
