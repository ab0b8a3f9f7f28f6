/**
 * XState's transitions, remembered. A pod's machine takes the same few transitions thousands of
 * times (a scale-up starts hundreds of pods at one instant, each going queued → scheduling →
 * pulling → creating …), and each time XState's macrostep works out afresh which states it
 * leaves and enters, in which order their actions run, and builds a snapshot after every
 * `assign` (a new object, its state value and its tags recomputed). For a machine whose states
 * are all top-level and atomic, a transition taken from state S on event type E without a guard
 * is the same each time: it leaves S, runs the transition's actions, enters its target T. So the
 * plan (S's exit actions, the transition's, T's entry actions, as XState lists them, its `after`
 * raises and cancels included) is worked out once per (S, E), and the snapshot XState made the
 * first time is kept as the template of T's snapshots; each later time the plan's actions are
 * resolved again against this context and event (their expressions are the machine's own: the
 * `assign`s, the emitted events, the delays), so the context and the actions come out as XState
 * makes them. The machine stays the one source of the rules: nothing here knows the pod.
 *
 * A state's transitions on one event type are candidates in order, as XState takes them: the
 * first whose guard passes is taken. A plain guard (a function of the context and event, named or
 * inline) is called here as XState calls it; a transition into a final state ends the machine
 * (its status `done`, then the exit actions of the states it is in), as XState does when the
 * machine has no output.
 *
 * Only what this covers is planned, anything else goes to XState as before: XState's built-in
 * guards (`and`, `not`, `stateIn`), a transition to its own source (`reenter`), targetless ones,
 * events the state itself does not take (or none of whose guards pass: XState looks further, at
 * wildcards and the root), a machine with an output, machines with nested or parallel states,
 * `always`, `invoke` or history, and any action but `assign`, `emit`, `raise` and `cancel`. A
 * raise without a delay (an internal event, taken at once) or an expression that throws drops the
 * plan's attempt and XState runs the transition instead (its expressions are pure, so running
 * them twice is harmless), so errors come out as XState's.
 *
 * test/sim/transitionPlans.test.ts holds it to XState's own transition (fast-check).
 */
import type { AnyActorScope, AnyStateMachine, ExecutableActionObject } from 'xstate';

/** What this reads of XState's state nodes (public fields of `StateNode`, some marked internal). */
interface Node {
  readonly key: string;
  readonly type: string;
  readonly parent?: Node;
  readonly states: Record<string, Node>;
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly invoke: readonly unknown[];
  readonly always?: readonly unknown[];
  readonly transitions: Map<string, readonly Transition[]>;
  readonly initial: { readonly target: readonly Node[]; readonly actions: readonly unknown[] };
  readonly output?: unknown;
}

interface Transition {
  readonly guard: unknown;
  readonly target: readonly Node[] | undefined;
  readonly reenter: boolean;
  readonly actions: readonly unknown[];
}

/** XState's built-in actions as this uses them (`assign`, `emit`, `raise`, `cancel`). */
interface Builtin {
  readonly type: string;
  readonly assignment?: unknown;
  resolve(
    scope: AnyActorScope,
    snapshot: unknown,
    args: unknown,
    params: unknown,
    action: unknown,
    extra: unknown,
  ): [unknown, unknown, unknown];
}

/** One action of a plan: the definition as the state node lists it, and the built-in it resolves to. */
interface Step {
  readonly definition: unknown;
  readonly builtin: Builtin;
}

/** A transition worked out once: its actions in XState's order, and a snapshot of its target once seen. */
interface Plan {
  readonly steps: readonly Step[];
  readonly target: string;
  /** Its target is a final state: the machine is done (its status), with no output. */
  readonly final: boolean;
  /** XState's snapshot the first time (its context aside): the next snapshots are it with theirs. */
  template: Snapshot | undefined;
}

interface Snapshot {
  readonly value: unknown;
  readonly status: string;
  readonly output: unknown;
  readonly context: Record<string, unknown>;
  readonly children: Record<string, unknown>;
  readonly machine: AnyStateMachine;
}

/** A guard as XState evaluates a plain one (a function of the context and event, and its parameters). */
interface Guard {
  readonly definition: unknown;
  readonly check: (args: { context: unknown; event: unknown }, params: unknown) => boolean;
}

/** One of a state's transitions on an event type, in XState's order: its guard, its plan (null: XState runs it). */
interface Candidate {
  readonly guard: Guard | undefined;
  readonly plan: Plan | null;
}

const PLANNED_KINDS = new Set(['xstate.assign', 'xstate.emit', 'xstate.raise', 'xstate.cancel']);

/** Cleared on entry to each attempt: a raise without a delay puts its event here (XState's internal queue). */
const internalQueue: unknown[] = [];
const EXTRA = { internalQueue, deferredActorIds: undefined };

export class TransitionPlans {
  /** Whether the machine's shape is one this covers (every state a top-level atomic or final one, …). */
  readonly flat: boolean;
  /** By source state, then event type: the candidates in order; null: not planned. */
  private readonly plans = new Map<Node, Map<string, readonly Candidate[] | null>>();
  private initialPlan: Plan | null | undefined;
  /** How many transitions (and starts) a plan made in XState's place (the tests read it). */
  replayed = 0;

  constructor(
    readonly machine: AnyStateMachine,
    private readonly scope: AnyActorScope,
  ) {
    this.flat = isFlat(machine.root as unknown as Node);
  }

  /**
   * XState's `machine.transition(snapshot, event, scope)`: the next snapshot, its actions pushed to
   * `out` as the scope's executor gets them (the host's scope pushes XState's to `out` too).
   */
  transition(snapshot: unknown, event: { type: string }, out: ExecutableActionObject[]): unknown {
    return this.planned(snapshot, event, out) ?? this.machine.transition(snapshot as never, event as never, this.scope);
  }

  /** XState's `machine.getInitialSnapshot(scope, input)`, as `transition` does. */
  initial(input: unknown, out: ExecutableActionObject[]): unknown {
    return this.plannedInitial(input, out) ?? this.machine.getInitialSnapshot(this.scope, input);
  }

  /** The next snapshot by a plan; undefined (nothing pushed) when XState must run the transition. */
  private planned(snapshot: unknown, event: { type: string }, out: ExecutableActionObject[]): unknown {
    if (!this.flat) return undefined;
    const from = snapshot as Snapshot;
    if (typeof from.value !== 'string') return undefined;
    const source = (this.machine.root as unknown as Node).states[from.value];
    if (source === undefined) return undefined;
    let bySource = this.plans.get(source);
    if (bySource === undefined) {
      bySource = new Map();
      this.plans.set(source, bySource);
    }
    let candidates = bySource.get(event.type);
    if (candidates === undefined) {
      candidates = this.candidatesOf(source, event.type);
      bySource.set(event.type, candidates);
    }
    if (candidates === null) return undefined;
    // The first candidate whose guard passes, as XState picks it (none: XState looks further).
    let plan: Plan | null = null;
    try {
      for (const candidate of candidates) {
        if (candidate.guard === undefined || passes(candidate.guard, from.context, event)) {
          plan = candidate.plan;
          break;
        }
      }
    } catch {
      return undefined;
    }
    if (plan === null) return undefined;
    if (plan.template === undefined)
      return this.learn(plan, this.machine.transition(snapshot as never, event as never, this.scope));
    return this.replay(plan, from, from.context, event, out);
  }

  private plannedInitial(input: unknown, out: ExecutableActionObject[]): unknown {
    if (!this.flat) return undefined;
    if (this.initialPlan === undefined) this.initialPlan = this.planOfInitial();
    const plan = this.initialPlan;
    if (plan === null) return undefined;
    if (plan.template === undefined) return this.learn(plan, this.machine.getInitialSnapshot(this.scope, input));
    const event = { type: 'xstate.init', input };
    // XState's pre-initial snapshot: the machine's context as its function makes it (an assign).
    const config = (this.machine as unknown as { config: { context?: unknown } }).config.context;
    let context: Record<string, unknown>;
    if (typeof config === 'function') {
      try {
        context = Object.assign({}, config({ spawn: noSpawn, input, self: this.scope.self }));
      } catch {
        return undefined;
      }
    } else context = (config ?? {}) as Record<string, unknown>;
    return this.replay(plan, plan.template, context, event, out);
  }

  /** XState's own result (returned), kept as the template of the plan's next results. */
  private learn(plan: Plan, next: unknown): unknown {
    const snapshot = next as Snapshot;
    if (
      snapshot.status === (plan.final ? 'done' : 'active') &&
      snapshot.output === undefined &&
      snapshot.value === plan.target &&
      Object.keys(snapshot.children).length === 0
    ) {
      plan.template = snapshot;
    }
    return snapshot;
  }

  /**
   * What XState's `resolveAndExecuteActionsWithContext` does with each of the plan's actions, in
   * order: the context each sees is the one the assigns before it left; the executor gets the
   * emits, raises and cancels with their resolved parameters.
   */
  private replay(
    plan: Plan,
    from: Snapshot,
    start: Record<string, unknown>,
    event: { type: string },
    out: ExecutableActionObject[],
  ): unknown {
    const scope = this.scope;
    const made: ExecutableActionObject[] = [];
    let context = start;
    internalQueue.length = 0;
    try {
      for (const { definition, builtin } of plan.steps) {
        const args = { context, event, self: scope.self, system: scope.system };
        const params = paramsOf(definition, context, event);
        if (builtin.type === 'xstate.assign') {
          context = assigned(builtin.assignment, context, event, params, scope);
          continue;
        }
        const [, resolved] = builtin.resolve(scope, from, args, params, builtin, EXTRA);
        if (internalQueue.length > 0) return undefined;
        made.push({ type: builtin.type, info: args, params: resolved, exec: undefined } as never);
      }
    } catch {
      return undefined;
    }
    for (const action of made) out.push(action);
    this.replayed++;
    return { ...plan.template, context };
  }

  /**
   * The state's own transitions on the event type, each with its guard and plan; null when one's
   * guard is not a plain function (XState's `and`, `not`, `stateIn`, …) or the state has none.
   */
  private candidatesOf(source: Node, eventType: string): readonly Candidate[] | null {
    const transitions = source.transitions.get(eventType);
    if (transitions === undefined || transitions.length === 0) return null;
    const candidates: Candidate[] = [];
    for (const t of transitions) {
      let guard: Guard | undefined;
      if (t.guard !== undefined) {
        const plain = this.plainGuard(t.guard);
        if (plain === undefined) return null;
        guard = plain;
      }
      candidates.push({ guard, plan: this.planOf(source, t) });
    }
    return candidates;
  }

  /** A guard XState evaluates by calling it (not a built-in one with a `check`), or undefined. */
  private plainGuard(definition: unknown): Guard | undefined {
    const guards = (this.machine as unknown as { implementations: { guards: Record<string, unknown> } }).implementations
      .guards;
    const resolved =
      typeof definition === 'function'
        ? definition
        : guards[typeof definition === 'string' ? definition : (definition as { type: string }).type];
    if (typeof resolved !== 'function' || 'check' in resolved) return undefined;
    return { definition, check: resolved as Guard['check'] };
  }

  /** One transition's plan: into a top-level atomic state (not its source), or a final one ending the machine. */
  private planOf(source: Node, t: Transition): Plan | null {
    if (t.target === undefined || t.target.length !== 1) return null;
    const target = t.target[0]!;
    if (target === source || target.initial.actions.length > 0) return null;
    if (target.type === 'atomic') return this.planFrom([...source.exit, ...t.actions, ...target.entry], target, false);
    const root = this.machine.root as unknown as Node;
    if (target.type !== 'final' || root.output !== undefined || target.output !== undefined) return null;
    // Done: XState then runs the exit actions of the states it is in, the innermost first.
    return this.planFrom([...source.exit, ...t.actions, ...target.entry, ...target.exit, ...root.exit], target, true);
  }

  private planOfInitial(): Plan | null {
    const root = this.machine.root as unknown as Node;
    if (root.entry.length > 0 || root.initial.actions.length > 0 || root.initial.target.length !== 1) return null;
    const target = root.initial.target[0]!;
    if (target.type !== 'atomic' || target.initial.actions.length > 0) return null;
    return this.planFrom([...target.entry], target, false);
  }

  /** The plan of these actions into `target`, or null when one is not a built-in this covers. */
  private planFrom(definitions: readonly unknown[], target: Node, final: boolean): Plan | null {
    const steps: Step[] = [];
    const implementations = (this.machine as unknown as { implementations: { actions: Record<string, unknown> } })
      .implementations.actions;
    for (const definition of definitions) {
      const resolved =
        typeof definition === 'function'
          ? definition
          : implementations[typeof definition === 'string' ? definition : (definition as { type: string }).type];
      const builtin = resolved as Builtin | undefined;
      if (builtin === undefined || typeof builtin.resolve !== 'function' || !PLANNED_KINDS.has(builtin.type))
        return null;
      steps.push({ definition, builtin });
    }
    return { steps, target: target.key, final, template: undefined };
  }
}

/** A machine of top-level states only, each atomic or final, with no `always`, `invoke` or entry on the root. */
function isFlat(root: Node): boolean {
  if (root.always !== undefined || root.invoke.length > 0) return false;
  for (const key in root.states) {
    const node = root.states[key]!;
    if (node.type !== 'atomic' && node.type !== 'final') return false;
    if (node.always !== undefined || node.invoke.length > 0) return false;
  }
  return true;
}

/** XState's `evaluateGuard` for a plain guard: called with the context, the event and its parameters. */
function passes(guard: Guard, context: unknown, event: unknown): boolean {
  const definition = guard.definition;
  const params =
    typeof definition === 'function' || typeof definition === 'string'
      ? undefined
      : paramsOf(definition, context, event);
  return guard.check({ context, event }, params);
}

/** An action's parameters, as XState works them out for each action it resolves. */
function paramsOf(definition: unknown, context: unknown, event: unknown): unknown {
  if (typeof definition !== 'object' || definition === null || !('params' in definition)) return undefined;
  const params = (definition as { params: unknown }).params;
  return typeof params === 'function' ? params({ context, event }) : params;
}

/** XState's `resolveAssign` for a machine without children: the context with the assignment's update on top. */
function assigned(
  assignment: unknown,
  context: Record<string, unknown>,
  event: unknown,
  params: unknown,
  scope: AnyActorScope,
): Record<string, unknown> {
  const args = { context, event, spawn: noSpawn, self: scope.self, system: scope.system };
  let update: Record<string, unknown> = {};
  if (typeof assignment === 'function') update = assignment(args, params);
  else {
    for (const key of Object.keys(assignment as object)) {
      const part = (assignment as Record<string, unknown>)[key];
      update[key] = typeof part === 'function' ? part(args, params) : part;
    }
  }
  return Object.assign({}, context, update);
}

/** A planned transition cannot spawn: the attempt is dropped and XState runs it. */
function noSpawn(): never {
  throw new Error('spawn in a planned transition');
}
