/**
 * What the reconcilers share about their lifecycle machines: one machine per object (a snapshot,
 * no actor), and where what the machines tell goes. Milestones go to the log as narration; divergences (a move the
 * model forbids: never expected from the model's own rules, and tests say so) as `divergence`.
 */
import type { AnyStateMachine, EmittedFrom, EventFromLogic, InputFrom } from 'xstate';
import type { KubeObject } from '../../model/api/types.js';
import type { Divergence, Milestone } from '../../model/machines/lifecycle.js';
import type { SimContext } from '../context.js';
import type { ActorClock } from '../engine.js';
import { type Hosted, MachineHost, statusOf } from '../machineHost.js';
import { type RestedSnapshot, rested } from '../restedSnapshot.js';
import { dataEqual } from '../store.js';
import { UseOrder } from './useOrder.js';

/** The engine's clock and timers, as far as resting goes. */
export interface RestTimers {
  now(): number;
  /** Calls `fn` at simulated time `atMs` (not before now). */
  at(atMs: number, fn: () => void): unknown;
}

/**
 * What an object's last reconcile sent its machine and left behind: the machine's snapshot after
 * the send, the stored object after the status write, and the inputs of the send and the write.
 */
interface LastReconcile {
  readonly machine: unknown;
  readonly stored: KubeObject | undefined;
  readonly inputs: unknown;
}

/** `LastReconcile.machine` of a machine put to rest with the snapshot its last reconcile left. */
const RESTED = Symbol('rested');

/**
 * How long an object's machine keeps its full snapshot after its last reconcile. An object is
 * reconciled in bursts (a rollout, a cold start, a scale to zero); restoring its snapshot for
 * each reconcile of a burst would cost more CPU than the resting saves.
 */
export const REST_AFTER_MS = 60_000;

/** The engine's clock and timers: the machines' timers and the look at the resting ones. */
export interface MachineTimers extends RestTimers {
  readonly clock: ActorClock;
}

/** Where an object's machine is: what a listener for a timer's transition is told of. */
export interface ObjectMachine<M extends AnyStateMachine> extends Hosted<M> {
  readonly namespace: string;
  readonly name: string;
}

type Listener<M extends AnyStateMachine> = (event: EmittedFrom<M>) => void;

/**
 * The machines of one kind's objects, by namespace and name, with no actor at all: an object's
 * machine is its snapshot, moved by XState's pure transition ({@link MachineHost}: an actor cost
 * several kilobytes and tens of microseconds to start, a snapshot about one kilobyte); a reused
 * name gets a fresh machine. Errors inside a machine
 * (a rule that throws) throw out of `send`, or out of the engine's callback of a machine's timer.
 *
 * An object at rest keeps less: a machine not sent anything for {@link REST_AFTER_MS} and with
 * no timer pending keeps only its persisted snapshot (its state and context, the parts it has in
 * common with others shared: src/sim/restedSnapshot.ts) instead of the full snapshot (its state
 * nodes, tags, methods: ≈ a kilobyte more); the next send restores it (XState's
 * `restoreSnapshot`, no entry action runs, as an actor started from a snapshot).
 *
 * Given the engine's timers, the machines are also looked at when the interval after the oldest
 * reconcile is over, not only at the next reconcile of another object: when a whole fleet goes
 * quiet at once (every Service scaled to zero), no later reconcile comes to rest the last
 * minute's machines.
 *
 * `outside(machine)` tells the controller what a machine emitted outside a send (its initial
 * entry actions, its timers' transitions).
 */
export class MachinesByObject<M extends AnyStateMachine> {
  private readonly host: MachineHost<M>;
  private readonly machines = new Map<
    string,
    {
      uid: string | undefined;
      machine: ObjectMachine<M> | undefined;
      /** While resting: its persisted snapshot, the parts it has in common with others shared. */
      snapshot: RestedSnapshot | undefined;
      last: LastReconcile | undefined;
    }
  >();
  /** Running machines by the time of their last reconcile, oldest first (a key moves to the end on use). */
  private readonly lastUsed = new UseOrder();
  /** A look at the running machines is due on the engine. */
  private restCheckQueued = false;

  /** `timers()` gives the engine (called when first needed: a controller's context comes later). */
  constructor(
    machine: M,
    private readonly timers: () => MachineTimers,
    outside: (machine: ObjectMachine<M>) => Listener<M>,
  ) {
    this.host = new MachineHost(
      machine,
      () => this.timers().clock,
      (h) => outside(h as ObjectMachine<M>),
    );
  }

  /**
   * Sends `event` to the machine of `obj` (restored from its rest, or started with `input()` on
   * first use, again when a new object took the name); what it emits goes to `listener`. What a
   * new machine's entry actions emit goes to `outside`, as what its timers' transitions emit.
   */
  send(obj: KubeObject, input: () => InputFrom<M>, event: EventFromLogic<M>, listener: Listener<M>): void {
    this.host.send(this.of(obj, input), event, listener);
  }

  private of(obj: KubeObject, input: () => InputFrom<M>): ObjectMachine<M> {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name;
    const key = `${namespace}/${name}`;
    const known = this.machines.get(key);
    if (known && known.uid === obj.metadata.uid) {
      if (known.machine) return known.machine;
      const machine = this.host.restore(this.hostedFields(namespace, name), known.snapshot!.persisted());
      known.machine = machine;
      known.snapshot = undefined;
      known.last = undefined;
      return machine;
    }
    if (known?.machine) this.host.stop(known.machine);
    const machine = this.host.start(this.hostedFields(namespace, name), input());
    // Every field in the literal, \`last\` too: one added later goes to a property array of its own.
    this.machines.set(key, { uid: obj.metadata.uid, machine, snapshot: undefined, last: undefined });
    return machine;
  }

  /**
   * A hosted machine's object: the host's two fields written in the literal (undefined until the
   * host sets them), so that V8 makes room for them in the object, where two fields added to a
   * literal of two went to a property array (40 bytes a machine, running or restored).
   */
  private hostedFields(namespace: string, name: string): { namespace: string; name: string } {
    return { namespace, name, snapshot: undefined, timers: undefined } as { namespace: string; name: string };
  }

  /**
   * Whether this reconcile of `obj` repeats the last one, so that its machine need not be sent
   * it: the object is the very one the last reconcile left in the store (nobody wrote it since,
   * so its conditions are the ones the machine emitted then), the machine's snapshot is the one
   * that reconcile left (no timer or other event moved it since), and the inputs of the send and
   * of the status write are equal. A lifecycle machine sent such a reconcile again changes
   * nothing and emits a status equal to the stored one, which the store would not write
   * (test/model/reconcileRepeats.test.ts checks this of each machine that is sent it; the log
   * tells no difference). A machine put to rest right after that reconcile stays at rest.
   */
  repeats(obj: KubeObject, inputs: unknown): boolean {
    const known = this.machines.get(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    const last = known?.last;
    if (!known || !last || last.stored !== obj || !dataEqual(last.inputs, inputs)) return false;
    return known.machine ? known.machine.snapshot === last.machine : last.machine === RESTED;
  }

  /**
   * The snapshot of the running machine of `obj` when `obj` is the very object the last reconcile
   * left in the store and the machine is as that reconcile left it; undefined otherwise, or at rest.
   */
  leftAsIs(obj: KubeObject): ObjectMachine<M>['snapshot'] | undefined {
    const known = this.machines.get(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    const machine = known?.machine;
    const last = known?.last;
    if (!machine || !last || known.uid !== obj.metadata.uid || last.stored !== obj) return undefined;
    const snapshot = machine.snapshot;
    return snapshot === last.machine && statusOf(snapshot) === 'active' ? snapshot : undefined;
  }

  /**
   * The reconcile of `obj` sent its machine `inputs` and wrote the status the machine emitted:
   * remembered for {@link repeats} with the stored object as it is now (`stored`).
   */
  sent(obj: KubeObject, stored: KubeObject | undefined, inputs: unknown): void {
    const known = this.machines.get(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    if (!known?.machine) return;
    known.last = { machine: known.machine.snapshot, stored, inputs };
  }

  /**
   * The object's reconcile is over (at `nowMs`): its machine may rest once it has not been
   * reconciled for {@link REST_AFTER_MS}; the machines that have not been for that long rest now.
   */
  reconciled(obj: KubeObject, nowMs: number): void {
    this.lastUsed.use(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, nowMs);
    this.restDue(nowMs);
  }

  /** Rests the machines not reconciled for {@link REST_AFTER_MS} by `nowMs`; a look at the others is queued. */
  private restDue(nowMs: number): void {
    // `at + REST_AFTER_MS <= nowMs`, the very sum the look below is queued at: the clock reaches
    // it exactly, where `nowMs - at` could fall a rounding short of the interval.
    const used = this.lastUsed;
    for (let k = used.oldest(); k !== undefined; k = used.oldest()) {
      if (used.oldestTime() + REST_AFTER_MS > nowMs) break;
      used.shift();
      // Still busy (a timer pending): looked at again later.
      if (!this.rest(k)) used.use(k, nowMs);
    }
    if (this.restCheckQueued || used.size === 0) return;
    const timers = this.timers();
    this.restCheckQueued = true;
    timers.at(used.oldestTime() + REST_AFTER_MS, () => {
      this.restCheckQueued = false;
      this.restDue(timers.now());
    });
  }

  /** Keeps only the persisted snapshot of the machine under `key`, unless a timer of it is pending. */
  private rest(key: string): boolean {
    const known = this.machines.get(key);
    const machine = known?.machine;
    if (!known || !machine) return true;
    if (statusOf(machine.snapshot) !== 'active') return true;
    if (this.host.pending(machine)) return false;
    known.snapshot = rested(this.host.machine.getPersistedSnapshot(machine.snapshot));
    known.machine = undefined;
    const last = known.last;
    // A literal of \`sent\`'s shape (a spread followed by a field gives each object a map of its own).
    known.last =
      last && last.machine === machine.snapshot
        ? { machine: RESTED, stored: last.stored, inputs: last.inputs }
        : undefined;
    return true;
  }

  /** The object is gone: its machine's timers are cleared. */
  forget(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const machine = this.machines.get(key)?.machine;
    if (machine) this.host.stop(machine);
    this.machines.delete(key);
    this.lastUsed.forget(key);
  }
}

/** A milestone as a `narration` event (with the revision it is about, for the TUI). */
export function narrate(ctx: SimContext, milestone: Milestone, revision?: string): void {
  ctx.emit({ t: ctx.now(), type: 'narration', text: milestone.text, ...(revision ? { revision } : {}) });
}

/** A divergence as a `divergence` event naming the object. */
export function diverge(ctx: SimContext, obj: KubeObject, d: Divergence): void {
  divergeAt(ctx, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name, d);
}

/** A divergence as a `divergence` event naming the object by kind, namespace and name. */
export function divergeAt(ctx: SimContext, kind: string, namespace: string, name: string, d: Divergence): void {
  ctx.emit({
    t: ctx.now(),
    type: 'divergence',
    kind,
    namespace,
    name,
    from: d.from,
    to: d.to,
    rule: d.rule,
  });
}
