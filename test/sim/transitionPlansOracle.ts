/**
 * The oracle the plans' tests share (test/sim/transitionPlans*.test.ts): the same machine taken
 * through the same steps once by XState's own `transition` / `getInitialSnapshot` and once by
 * `TransitionPlans`, compared after every step.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { AnyActorScope, AnyStateMachine, ExecutableActionObject } from 'xstate';
import { inertActorScope } from '../../src/sim/machineHost.js';
import { TransitionPlans } from '../../src/sim/transitionPlans.js';

export function scopeInto(out: { actions: ExecutableActionObject[] }): AnyActorScope {
  return inertActorScope((action) => {
    out.actions.push(action);
  });
}

/** XState's own transitions, and the plans, each with its own scope. */
export class Pair {
  private readonly xstateOut = { actions: [] as ExecutableActionObject[] };
  private readonly xstateScope = scopeInto(this.xstateOut);
  private readonly planOut = { actions: [] as ExecutableActionObject[] };
  readonly plans: TransitionPlans;
  /** How many transitions threw (in XState and in the plans alike). */
  thrown = 0;

  constructor(readonly machine: AnyStateMachine) {
    this.plans = new TransitionPlans(machine, scopeInto(this.planOut));
  }

  initial(input: unknown): [unknown, unknown] {
    this.xstateOut.actions = [];
    this.planOut.actions = [];
    const a = this.machine.getInitialSnapshot(this.xstateScope, input);
    const b = this.plans.initial(input, this.planOut.actions);
    return this.compare(a, b);
  }

  transition(snapshots: [unknown, unknown], event: { type: string }): [unknown, unknown] {
    this.xstateOut.actions = [];
    this.planOut.actions = [];
    let a: unknown;
    let thrown: unknown;
    try {
      a = this.machine.transition(snapshots[0] as never, event as never, this.xstateScope);
    } catch (err) {
      thrown = err;
    }
    if (thrown !== undefined) {
      // XState's own error (a guard's, with its words), from the plans too.
      this.thrown++;
      expect(() => this.plans.transition(snapshots[1], event, this.planOut.actions)).toThrow((thrown as Error).message);
      return snapshots;
    }
    const b = this.plans.transition(snapshots[1], event, this.planOut.actions);
    return this.compare(a, b);
  }

  /** Both results equal, field by field; the actions by type and parameters. Returns both. */
  private compare(a: unknown, b: unknown): [unknown, unknown] {
    expect(Object.keys(b as object)).toEqual(Object.keys(a as object));
    expect(view(b)).toEqual(view(a));
    expect(this.planOut.actions.map(act)).toEqual(this.xstateOut.actions.map(act));
    return [a, b];
  }
}

function view(s: unknown) {
  const snap = s as {
    value: unknown;
    status: string;
    context: unknown;
    output: unknown;
    error: unknown;
    children: object;
    historyValue: object;
    tags: Set<string>;
    _nodes: { id: string }[];
  };
  return {
    value: snap.value,
    status: snap.status,
    context: snap.context,
    output: snap.output,
    error: snap.error,
    children: Object.keys(snap.children),
    historyValue: snap.historyValue,
    tags: [...snap.tags],
    nodes: snap._nodes.map((n) => n.id),
  };
}

function act(a: ExecutableActionObject) {
  return { type: a.type, params: a.params };
}

/** The delayed events set and not cancelled, by id (what a clock holds). */
function pendingAfter(actions: ExecutableActionObject[], pending: Map<string, { type: string }>): void {
  for (const a of actions) {
    const p = a.params as { event?: { type: string }; id?: string; delay?: number; sendId?: string };
    if (a.type === 'xstate.raise' && typeof p.delay === 'number') pending.set(p.id!, p.event!);
    if (a.type === 'xstate.cancel') pending.delete(p.sendId!);
  }
}

/** One walk: events from `events`, or (`fire`) a pending delayed event, chosen by the numbers. */
export function walk(
  pair: Pair,
  input: unknown,
  steps: { fire: boolean; pick: number }[],
  events: { type: string }[][],
): void {
  const xstateActions = (pair as unknown as { xstateOut: { actions: ExecutableActionObject[] } }).xstateOut;
  let snaps = pair.initial(input);
  const pending = new Map<string, { type: string }>();
  pendingAfter(xstateActions.actions, pending);
  for (const [i, step] of steps.entries()) {
    if ((snaps[0] as { status: string }).status !== 'active') return;
    let event: { type: string } | undefined;
    if (step.fire && pending.size > 0) {
      const [id, e] = [...pending][step.pick % pending.size]!;
      pending.delete(id);
      event = e;
    } else {
      const choices = events[i % events.length]!;
      event = choices[step.pick % choices.length];
    }
    if (event === undefined) continue;
    snaps = pair.transition(snaps, event);
    pendingAfter(xstateActions.actions, pending);
  }
}

export const stepsArb = fc.array(fc.record({ fire: fc.boolean(), pick: fc.nat({ max: 1000 }) }), { maxLength: 14 });
