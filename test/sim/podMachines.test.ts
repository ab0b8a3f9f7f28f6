/**
 * The pods' machines without actors (src/sim/controllers/podMachines.ts) against the same
 * machines run as actors on the same kind of clock. The listeners answer as the cluster does,
 * some at once from within the event (the scheduler binds or refuses a pod from within its
 * `schedule`, the kubelet may have the images from within its `pull`) and some later, and pods
 * are deleted at random instants: every emitted event, every answer's aftermath and every timer
 * a listener sets must come at the same instant in the same order, and each pod must end in the
 * same phase. An actor takes an event sent while it runs a transition's effects only once they
 * are done (its mailbox); so must the pods' machines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import {
  type PodEmitted,
  type PodInput,
  type PodMachineEvent,
  podMachine,
  podPhaseOf,
} from '../../src/model/machines/pod.js';
import { type PodMachine, PodMachines } from '../../src/sim/controllers/podMachines.js';
import { Engine } from '../../src/sim/engine.js';

/** How the world answers one pod: at once (from within the emitted event) or after a wait. */
interface Answers {
  /** The scheduler: bind, or refuse first and bind on a later try; at once or after `ms`. */
  schedule: { refuseFirst: boolean; now: boolean; ms: number };
  /** The kubelet: the images at once, or after `ms`. */
  pull: { now: boolean; ms: number };
}

interface Case {
  pods: { input: PodInput; answers: Answers; deleteAt: number | undefined }[];
}

const ms = fc.integer({ min: 0, max: 25 });
const podCase = fc.record({
  input: fc.record({
    name: fc.constant(''),
    revision: fc.constant('r'),
    schedulingMs: ms,
    creatingMs: ms,
    startupMs: ms,
    drainMs: ms,
  }),
  answers: fc.record({
    schedule: fc.record({ refuseFirst: fc.boolean(), now: fc.boolean(), ms }),
    pull: fc.record({ now: fc.boolean(), ms }),
  }),
  deleteAt: fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined }),
});
const cases = fc.record({ pods: fc.array(podCase, { minLength: 1, maxLength: 4 }) });

/**
 * Runs the case with `start(i, listener)` making pod i's machine and `send(i, event)` sending to
 * it; returns the trace and each pod's last phase.
 */
function run(
  c: Case,
  engine: Engine,
  start: (i: number, input: PodInput, listener: (e: PodEmitted) => void) => void,
  send: (i: number, event: PodMachineEvent) => void,
  phase: (i: number) => string,
): { trace: string[]; phases: string[] } {
  const trace: string[] = [];
  const note = (i: number, what: string) => trace.push(`${engine.now()} p${i} ${what}`);
  c.pods.forEach((p, i) => {
    let refused = false;
    const answerSchedule = () => {
      if (p.answers.schedule.refuseFirst && !refused) {
        refused = true;
        send(i, { type: 'pod.unschedulable', message: `no node for p${i}` });
        note(i, 'refused');
        // kube-scheduler tries again later.
        engine.after(p.answers.schedule.ms + 1, () => {
          note(i, 'retry');
          send(i, { type: 'pod.bound', node: 'n1' });
          note(i, 'bound later');
        });
        return;
      }
      send(i, { type: 'pod.bound', node: 'n1' });
      note(i, 'bound');
    };
    const listener = (e: PodEmitted) => {
      note(i, JSON.stringify(e));
      // A listener's own timer, set while the machine moves (its place among the machine's timers).
      engine.after(0, () => note(i, `after ${e.type}`));
      if (e.type === 'schedule') {
        if (p.answers.schedule.now) answerSchedule();
        else engine.after(p.answers.schedule.ms, answerSchedule);
      } else if (e.type === 'pull') {
        const pulled = () => {
          send(i, { type: 'pod.pulled' });
          note(i, 'pulled');
        };
        if (p.answers.pull.now) pulled();
        else engine.after(p.answers.pull.ms, pulled);
      }
    };
    start(i, { ...p.input, name: `p${i}` }, listener);
    note(i, 'started');
    if (p.deleteAt !== undefined) {
      engine.after(p.deleteAt, () => {
        send(i, { type: 'pod.delete' });
        note(i, 'deleted');
      });
    }
  });
  engine.runUntil(200);
  return { trace, phases: c.pods.map((_, i) => phase(i)) };
}

function asActors(c: Case) {
  const engine = new Engine();
  const actors: ReturnType<typeof createActor<typeof podMachine>>[] = [];
  return run(
    c,
    engine,
    (i, input, listener) => {
      const actor = createActor(podMachine, { clock: engine.clock, input });
      actor.on('*', listener);
      actors[i] = actor;
      actor.start();
    },
    (i, event) => actors[i]!.send(event),
    (i) => podPhaseOf(actors[i]!.getSnapshot()),
  );
}

interface TestPod extends PodMachine {
  i: number;
}

function hosted(c: Case, brokenMailbox = false) {
  const engine = new Engine();
  const listeners: ((e: PodEmitted) => void)[] = [];
  const pods: TestPod[] = [];
  const machines = new PodMachines<TestPod>(engine.clock, (pod) => listeners[pod.i]!);
  return run(
    c,
    engine,
    (i, input, listener) => {
      listeners[i] = listener;
      pods[i] = machines.start({ i, listener: undefined, inbox: undefined }, input);
    },
    (i, event) => {
      const pod = pods[i]!;
      // The mailbox taken away: an event sent while the machine moves is taken at once.
      if (brokenMailbox) pod.inbox = undefined;
      machines.deliver(pod, event);
    },
    (i) => podPhaseOf(pods[i]!.snapshot),
  );
}

describe('the pods’ machines without actors', () => {
  it('emit, answer and time as actors do, answers from within an event included (property)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        expect(hosted(c)).toEqual(asActors(c));
      }),
      { numRuns: 300 },
    );
  });

  it('need their mailbox: taken at once, an answer from within an event comes out of order', () => {
    const c: Case = {
      pods: [
        {
          input: { name: '', revision: 'r', schedulingMs: 1, creatingMs: 1, startupMs: 1, drainMs: 1 },
          answers: { schedule: { refuseFirst: false, now: true, ms: 0 }, pull: { now: true, ms: 0 } },
          deleteAt: undefined,
        },
      ],
    };
    expect(hosted(c)).toEqual(asActors(c));
    expect(() => expect(hosted(c, true)).toEqual(asActors(c))).toThrow();
  });
});
