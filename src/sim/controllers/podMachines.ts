/**
 * The pods' machines (src/model/machines/pod.ts) without actors: each pod holds its machine's
 * snapshot and pending timer, run by one `MachineHost` (an actor and its start cost several
 * kilobytes and tens of microseconds a pod, and a revision may have thousands of pods).
 *
 * What the host does not do for itself, an actor's mailbox: an event sent to a pod while a
 * transition of its machine is running its effects waits until they are done, then is taken, in
 * the order sent. The pods need it: the scheduler binds a pod (or finds no node) from within the
 * pod's `schedule`, and the kubelet may have the images from within its `pull`. Taken at once,
 * the next transition's writes would come before the rest of the first's (the scheduler's own
 * bookkeeping, its retry timer), and the log with them.
 *
 * What a listener throws comes out of the send, or out of the timer's callback, that moved the
 * machine: the run fails there.
 */
import type { PodEmitted, PodInput, PodMachineEvent } from '../../model/machines/pod.js';
import { podMachine } from '../../model/machines/pod.js';
import type { ActorClock } from '../engine.js';
import { type Hosted, MachineHost } from '../machineHost.js';

/** A pod as its machine needs it: the snapshot and timers, where its events go, its inbox. */
export interface PodMachine extends Hosted<typeof podMachine> {
  /** Where its machine's emitted events go (from `born`, when the machine first runs). */
  listener: ((event: PodEmitted) => void) | undefined;
  /** While a transition of its machine runs its effects: the events sent to it meanwhile. */
  inbox: PodMachineEvent[] | undefined;
}

export class PodMachines<P extends PodMachine> {
  private readonly host: MachineHost<typeof podMachine>;
  /** The pods whose machines the host is running outside a send (a start, a timer), innermost last. */
  private readonly opened: P[] = [];

  /**
   * `born(pod)`: a new pod's machine runs for the first time (its start, before any of its
   * announcements is handled); it files the pod and gives where its emitted events go.
   */
  constructor(
    clock: ActorClock,
    private readonly born: (pod: P) => (event: PodEmitted) => void,
  ) {
    // A timer's transition, and then the events sent to the pod meanwhile.
    const podClock: ActorClock = {
      setTimeout: (fn, ms) => clock.setTimeout(() => this.outside(fn), ms),
      clearTimeout: (handle) => clock.clearTimeout(handle),
    };
    this.host = new MachineHost(
      podMachine,
      () => podClock,
      (pod) => this.open(pod as P),
    );
  }

  /** A new pod (`made`, every field but its machine's) with its machine started. */
  start(made: Omit<P, 'snapshot' | 'timers'>, input: PodInput): P {
    let pod: P | undefined;
    this.outside(() => {
      pod = this.host.start(made, input) as unknown as P;
    });
    return pod!;
  }

  /** Sends `event` to a pod's machine, or into its inbox while a transition of it runs its effects. */
  deliver(pod: P, event: PodMachineEvent): void {
    if (pod.inbox !== undefined) {
      pod.inbox.push(event);
      return;
    }
    pod.inbox = [];
    try {
      this.host.send(pod, event, pod.listener!);
    } catch (err) {
      pod.inbox = undefined;
      throw err;
    }
    this.drain(pod);
  }

  /**
   * The host is about to run a transition of `pod`'s machine outside a send (its start, a
   * timer): events sent to it meanwhile wait in its inbox (see `outside`). On the first run the
   * pod is born. Returns where its emitted events go.
   */
  private open(pod: P): (event: PodEmitted) => void {
    if (pod.inbox !== undefined) throw new Error(`pod machine moved while it was moving (${pod.snapshot.value})`);
    pod.inbox = [];
    this.opened.push(pod);
    if (pod.listener === undefined) pod.listener = this.born(pod);
    return pod.listener;
  }

  /**
   * Runs `run` (the host's start of a machine, or a timer's transition), then the events the pod
   * it opened got meanwhile. When `run` throws, the run fails there: the pod's inbox is dropped.
   */
  private outside(run: () => void): void {
    const depth = this.opened.length;
    let done = false;
    try {
      run();
      done = true;
    } finally {
      if (this.opened.length > depth) {
        const pod = this.opened.pop()!;
        if (done) this.drain(pod);
        else pod.inbox = undefined;
      }
    }
  }

  /** The events a pod got while its machine moved, each in turn (more may come meanwhile). */
  private drain(pod: P): void {
    const inbox = pod.inbox!;
    try {
      for (let i = 0; i < inbox.length; i++) this.host.send(pod, inbox[i]!, pod.listener!);
    } finally {
      pod.inbox = undefined;
    }
  }
}
