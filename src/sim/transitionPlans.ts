/**
 * XState's transitions, remembered. A machine takes the same few transitions thousands of times
 * (a scale-up starts hundreds of pods at one instant, each going queued → scheduling → pulling →
 * creating …; every Revision reconcile sends its machine the same event from one of a handful of
 * state values), and each time XState's macrostep works out afresh which transitions the state
 * value selects, which states they leave and enter, in which order their actions run, and builds
 * a snapshot after every `assign` (a new object, its state value and its tags recomputed). What
 * a microstep does is the same each time it starts from the same configuration (the set of
 * active state nodes, in XState's order) and takes the same transitions: the states it leaves
 * (XState's exit set, the innermost first), the transitions' own actions, the states it enters
 * (the entry set, with the initial actions of those entered by default), hence the actions in
 * that order (XState's `after` raises and cancels included: they are entry and exit actions) and
 * the configuration it ends in. That is worked out once from XState's own state nodes, by the
 * steps of XState's `microstep` (`computeExitSet`, `computeEntrySet`, the removal of conflicting
 * transitions of parallel regions), and kept as a plan.
 *
 * A send is then replayed as XState's macrostep runs it: the transitions the event selects (each
 * active state's own candidates in XState's order, the first whose guard passes, its ancestors'
 * when none does, a parallel state's own only when none of its regions took the event), that
 * selection's plan, whose actions are resolved against the context the `assign`s before them
 * left (the machine's own expressions: the assigns, the emitted events, the named delays through
 * XState's built-in `resolve`s), then the eventless (`always`) transitions of the configuration
 * reached, and the events raised without a delay (XState's internal queue), each a microstep of
 * its own, until none is left. The snapshot is one XState made before in the configuration
 * reached (its template) with the new context, or, when nothing assigned and the configuration
 * stayed, the snapshot the send started from, as XState returns it. A final state at the top
 * ends the machine (status `done`, then the exit actions of every state it is in), as XState
 * does for a machine without output. The machine stays the one source of the rules: nothing here
 * knows a pod or a Revision.
 *
 * The first time a plan is used XState runs the send as well, and the plan is kept only if its
 * result is XState's (the configuration, status, context and the actions handed to the executor,
 * deep-equal); `refused` counts the plans that were not (none, the tests say). Anything this
 * does not cover goes to XState: guards that are not plain functions (XState's `and`, `not`,
 * `stateIn`), history states, `invoke`, final states below the top or with an output, XState's
 * own events (`xstate.stop`, errors), and any action but `assign`, `emit`, `raise` and `cancel`;
 * an expression or guard that throws drops the replay and XState runs the send (the expressions
 * are pure, so running them twice is harmless), so errors are XState's own.
 *
 * test/sim/transitionPlans.test.ts holds it to XState's own transition (fast-check).
 */
import { isDeepStrictEqual } from 'node:util';
import type { AnyActorScope, AnyStateMachine, ExecutableActionObject } from 'xstate';

/** What this reads of XState's state nodes (public fields of `StateNode`, some marked internal). */
interface Node {
  readonly id: string;
  readonly key: string;
  readonly type: string;
  readonly order: number;
  readonly parent?: Node;
  readonly states: Record<string, Node>;
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly invoke: readonly unknown[];
  readonly always?: readonly Transition[];
  readonly transitions: Map<string, readonly Transition[]>;
  readonly initial: { readonly target: readonly Node[]; readonly actions: readonly unknown[] };
  readonly output?: unknown;
}

interface Transition {
  readonly guard: unknown;
  readonly source: Node;
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

/**
 * A configuration: the active state nodes in the order XState's snapshot lists them (`_nodes`),
 * with what was worked out of it.
 */
interface Config {
  readonly nodes: readonly Node[];
  readonly set: ReadonlySet<Node>;
  /** Each state's active children, in the order of `nodes` (the order of the state value's keys). */
  readonly children: ReadonlyMap<Node, readonly Node[]>;
  /** The atomic states' chains (the state and its ancestors) that hold an `always`; empty: none. */
  readonly eventless: readonly (readonly Node[])[];
  /** A snapshot XState made in this configuration (its context aside): the next ones are it with theirs. */
  template: Snapshot | undefined;
  /** The microstep of each selection of transitions from here, by the selected transitions in order. */
  readonly branches: Map<Transition, Branch>;
  /** By event type, the microstep an event selects here without evaluating a guard. */
  readonly unguarded: Map<string, MicroPlan>;
}

interface Branch {
  /** The plan of the selection ending here; null: XState runs it; undefined: not worked out yet. */
  plan: MicroPlan | null | undefined;
  next: Map<Transition, Branch> | undefined;
}

/** One microstep worked out once: its actions in XState's order and the configuration it reaches. */
interface MicroPlan {
  readonly steps: readonly Step[];
  readonly to: Config;
  /** The set of active states changed (XState then makes a new snapshot even without an assign). */
  readonly moves: boolean;
  /** It enters a final state at the top: the machine is done (its status), with no output. */
  readonly done: boolean;
  /** A send through it came out as XState's; until then XState runs such sends too, to compare. */
  verified: boolean;
  /** A send through it did not: XState runs its sends from now on. */
  refused: boolean;
  /** Where it is kept (to forget it if XState disagrees). */
  readonly branch: Branch;
}

interface Snapshot {
  readonly value: unknown;
  readonly status: string;
  readonly output: unknown;
  readonly error: unknown;
  readonly context: Record<string, unknown>;
  readonly children: Record<string, unknown>;
  readonly machine: AnyStateMachine;
  readonly _nodes: readonly Node[];
}

/** A guard as XState evaluates a plain one (a function of the context and event, and its parameters). */
interface Guard {
  readonly definition: unknown;
  readonly check: (args: { context: unknown; event: unknown }, params: unknown) => boolean;
}

/** One of a state's transitions on an event type, in XState's order, with its guard. */
interface Candidate {
  readonly transition: Transition;
  readonly guard: Guard | undefined;
}

/** An event as the machine gets it. */
type Event = { readonly type: string };

const PLANNED_KINDS = new Set(['xstate.assign', 'xstate.emit', 'xstate.raise', 'xstate.cancel']);

/** A selection this does not cover (a guard that is no plain function): XState runs the send. */
const UNCOVERED = null;

/** Macrosteps longer than this are XState's (a raise loop would be too: XState's own limit is none). */
const MAX_MICROSTEPS = 64;

export class TransitionPlans {
  /** Whether the machine's shape is one this covers (no `invoke`, no history state). */
  readonly covered: boolean;
  private readonly root: Node;
  /** Configurations by their states' ids in order. */
  private readonly configs = new Map<string, Config>();
  /** Configurations by a snapshot's `_nodes` (the same array in every snapshot made from a template). */
  private readonly byNodes = new WeakMap<readonly Node[], Config>();
  /** Each state's candidates by event type; null when one's guard is not a plain function. */
  private readonly candidates = new Map<Node, Map<string, readonly Candidate[] | null>>();
  private initialPlan: MicroPlan | null | undefined;
  /** What the built-in actions get as their snapshot (they read its `machine` only). */
  private readonly stub: unknown;
  /** A guard was evaluated in the selection being made (its result is not the event type's alone). */
  private guarded = false;
  /** The state of the run being replayed. */
  private readonly current = newRun();
  /** How many transitions (and starts) a plan made in XState's place (the tests read it). */
  replayed = 0;
  /** How many plans were dropped because XState's result differed (the tests want none). */
  refused = 0;

  constructor(
    readonly machine: AnyStateMachine,
    private readonly scope: AnyActorScope,
  ) {
    this.root = machine.root as unknown as Node;
    this.covered = isCovered(this.root);
    this.stub = { machine };
  }

  /**
   * XState's `machine.transition(snapshot, event, scope)`: the next snapshot, its actions pushed to
   * `out` as the scope's executor gets them (the host's scope pushes XState's to `out` too).
   */
  transition(snapshot: unknown, event: { type: string }, out: ExecutableActionObject[]): unknown {
    if (!this.covered) return this.machine.transition(snapshot as never, event as never, this.scope);
    const from = snapshot as Snapshot;
    if (from.status !== 'active' || isXStateEvent(event.type)) {
      return this.machine.transition(snapshot as never, event as never, this.scope);
    }
    const config = this.configOf(from._nodes);
    const run = this.run(config, undefined, from.context, event);
    if (run === undefined) return this.machine.transition(snapshot as never, event as never, this.scope);
    if (!run.verified || (run.changed && run.to.template === undefined)) {
      const start = out.length;
      const real = this.machine.transition(snapshot as never, event as never, this.scope) as Snapshot;
      this.learn(run, real, snapshot, out, start);
      return real;
    }
    for (const action of run.made) out.push(action);
    this.replayed++;
    if (!run.changed) return snapshot;
    return { ...run.to.template, context: run.context };
  }

  /** XState's `machine.getInitialSnapshot(scope, input)`, as `transition` does. */
  initial(input: unknown, out: ExecutableActionObject[]): unknown {
    if (!this.covered) return this.machine.getInitialSnapshot(this.scope, input);
    const event = { type: 'xstate.init', input };
    // XState's pre-initial snapshot: the machine's context as its function makes it (an assign).
    const config = (this.machine as unknown as { config: { context?: unknown } }).config.context;
    let context: Record<string, unknown>;
    if (typeof config === 'function') {
      try {
        context = Object.assign({}, config({ spawn: noSpawn, input, self: this.scope.self }));
      } catch {
        return this.machine.getInitialSnapshot(this.scope, input);
      }
    } else context = (config ?? {}) as Record<string, unknown>;
    if (this.initialPlan === undefined) this.initialPlan = this.planOfInitial();
    const run = this.initialPlan === null ? undefined : this.run(undefined, this.initialPlan, context, event);
    if (run === undefined) return this.machine.getInitialSnapshot(this.scope, input);
    if (!run.verified || run.to.template === undefined) {
      const start = out.length;
      const real = this.machine.getInitialSnapshot(this.scope, input) as Snapshot;
      this.learn(run, real, undefined, out, start);
      return real;
    }
    for (const action of run.made) out.push(action);
    this.replayed++;
    return { ...run.to.template, context: run.context };
  }

  /**
   * XState's macrostep from `config` on `event` (or, given `first`, the initial microstep):
   * the selected transitions' microstep, then the eventless transitions and the internal queue's
   * events, each its own microstep; undefined when a step is not covered or an expression threw.
   */
  private run(
    config: Config | undefined,
    first: MicroPlan | undefined,
    context: Record<string, unknown>,
    event: Event,
  ): Run | undefined {
    // One run at a time (the machine's expressions are pure: none sends), so its state is reused.
    const run = this.current;
    run.made.length = 0;
    run.used.length = 0;
    run.internalQueue.length = 0;
    run.changed = false;
    run.done = false;
    run.verified = true;
    run.event = event;
    run.to = config!;
    run.context = context;
    try {
      if (first !== undefined) this.step(first);
      else {
        const from = run.to;
        // Selected without a guard: the same plan every time from here on this event type.
        let plan: MicroPlan | null | undefined = from.unguarded.get(event.type);
        if (plan?.refused) {
          from.unguarded.delete(event.type);
          plan = undefined;
        }
        if (plan === undefined) {
          this.guarded = false;
          const selected = this.select(from, this.root, event, context);
          if (selected === UNCOVERED) return undefined;
          if (selected.length > 0) {
            plan = this.planOf(from, selected);
            if (plan === null) return undefined;
            if (!this.guarded) from.unguarded.set(event.type, plan);
          } else plan = null;
        }
        if (plan !== null) this.step(plan);
      }
      let eventless = true;
      for (let i = 0; !run.done; i++) {
        if (i > MAX_MICROSTEPS) return undefined;
        const at = run.to;
        let selected: Transition[] | null = NONE;
        if (eventless && at.eventless.length > 0) {
          selected = this.selectEventless(at, run.event, run.context);
          if (selected === UNCOVERED) return undefined;
        }
        const isEventless = selected.length > 0;
        if (!isEventless) {
          const next = run.internalQueue.shift();
          if (next === undefined) break;
          run.event = next;
          selected = this.select(at, this.root, next, run.context);
          if (selected === UNCOVERED) return undefined;
        }
        let moved = false;
        if (selected.length > 0) {
          const plan = this.planOf(at, selected);
          if (plan === null) return undefined;
          moved = this.step(plan);
        }
        // XState selects eventless transitions again unless an eventless microstep left the snapshot as it was.
        eventless = isEventless ? moved : true;
      }
    } catch {
      return undefined;
    }
    return run;
  }

  /** One microstep: its actions resolved in order against the context the assigns before them leave. */
  private step(plan: MicroPlan): boolean {
    const run = this.current;
    const scope = this.scope;
    run.used.push(plan);
    if (!plan.verified) run.verified = false;
    let moved = plan.moves || plan.done;
    const event = run.event;
    const steps = plan.steps;
    for (let i = 0; i < steps.length; i++) {
      const { definition, builtin } = steps[i]!;
      const params = paramsOf(definition, run.context, event);
      if (builtin.type === 'xstate.assign') {
        run.context = assigned(builtin.assignment, run.context, event, params, scope);
        moved = true;
        continue;
      }
      const args = { context: run.context, event, self: scope.self, system: scope.system };
      const [, resolved] = builtin.resolve(scope, this.stub, args, params, builtin, run.extra);
      run.made.push({ type: builtin.type, info: args, params: resolved, exec: undefined } as never);
    }
    run.to = plan.to;
    if (plan.done) run.done = true;
    if (moved) run.changed = true;
    return moved;
  }

  /**
   * XState's result of a send whose plans were not seen through yet: kept as the template of its
   * configuration, and the plans verified, when it is what they made; the plans dropped otherwise.
   */
  private learn(run: Run, real: Snapshot, from: unknown, out: ExecutableActionObject[], start: number): void {
    const xstateActions = out.slice(start);
    const same =
      real.status === (run.done ? 'done' : 'active') &&
      real.output === undefined &&
      real.error === undefined &&
      Object.keys(real.children).length === 0 &&
      (run.changed ? real !== from : real === from) &&
      sameNodes(real._nodes, run.to.nodes) &&
      isDeepStrictEqual(real.context, run.context) &&
      xstateActions.length === run.made.length &&
      xstateActions.every((a, i) => a.type === run.made[i]!.type && isDeepStrictEqual(a.params, run.made[i]!.params));
    if (!same) {
      for (const plan of run.used) {
        if (plan.verified) continue;
        plan.branch.plan = null;
        plan.refused = true;
        this.refused++;
      }
      return;
    }
    for (const plan of run.used) plan.verified = true;
    if (run.changed && run.to.template === undefined) {
      run.to.template = real;
      this.byNodes.set(real._nodes, run.to);
    }
  }

  /** The configuration of a snapshot's states (interned: one per order of the same states). */
  private configOf(nodes: readonly Node[]): Config {
    const known = this.byNodes.get(nodes);
    if (known !== undefined) return known;
    let key = '';
    for (const node of nodes) key += `${node.id}\u0000`;
    let config = this.configs.get(key);
    if (config === undefined) {
      config = makeConfig(nodes);
      this.configs.set(key, config);
    }
    this.byNodes.set(nodes, config);
    return config;
  }

  /**
   * XState's `transitionNode` from `node`: its active children's selections (every region of a
   * parallel state), or, when they select none, the node's own first candidate whose guard passes.
   */
  private select(config: Config, node: Node, event: Event, context: unknown): Transition[] | null {
    const children = config.children.get(node);
    let selected: Transition[] = [];
    if (children !== undefined) {
      for (const child of children) {
        const inner = this.select(config, child, event, context);
        if (inner === UNCOVERED) return UNCOVERED;
        if (inner.length === 0) continue;
        if (selected.length === 0) selected = inner;
        else for (const t of inner) selected.push(t);
      }
      if (selected.length > 0) return selected;
    }
    const candidates = this.candidatesOf(node, event.type);
    if (candidates === UNCOVERED) return UNCOVERED;
    for (const candidate of candidates) {
      if (candidate.guard === undefined) return [candidate.transition];
      this.guarded = true;
      if (passes(candidate.guard, context, event)) return [candidate.transition];
    }
    return selected;
  }

  /** XState's `selectEventlessTransitions`: for each atomic state, the first `always` whose guard passes. */
  private selectEventless(config: Config, event: Event, context: unknown): Transition[] | null {
    const selected: Transition[] = [];
    for (const chain of config.eventless) {
      loop: for (const node of chain) {
        if (node.always === undefined) continue;
        for (const t of node.always) {
          let guard: Guard | undefined;
          if (t.guard !== undefined) {
            guard = this.plainGuard(t.guard);
            if (guard === undefined) return UNCOVERED;
          }
          if (guard === undefined || passes(guard, context, event)) {
            if (!selected.includes(t)) selected.push(t);
            break loop;
          }
        }
      }
    }
    return selected;
  }

  /** A state's own transitions on the event type, wildcards after, as XState's `getCandidates` lists them. */
  private candidatesOf(node: Node, eventType: string): readonly Candidate[] | null {
    let byType = this.candidates.get(node);
    if (byType === undefined) {
      byType = new Map();
      this.candidates.set(node, byType);
    }
    let candidates = byType.get(eventType);
    if (candidates !== undefined) return candidates;
    const transitions = [...(node.transitions.get(eventType) ?? [])];
    const wildcards = [...node.transitions.keys()]
      .filter((descriptor) => descriptor !== eventType && matchesEventDescriptor(eventType, descriptor))
      .sort((a, b) => b.length - a.length);
    for (const descriptor of wildcards) transitions.push(...node.transitions.get(descriptor)!);
    const list: Candidate[] = [];
    for (const transition of transitions) {
      let guard: Guard | undefined;
      if (transition.guard !== undefined) {
        guard = this.plainGuard(transition.guard);
        if (guard === undefined) {
          byType.set(eventType, UNCOVERED);
          return UNCOVERED;
        }
      }
      list.push({ transition, guard });
    }
    candidates = list;
    byType.set(eventType, candidates);
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

  /** The plan of the microstep taking `selected` from `config` (worked out on first use). */
  private planOf(config: Config, selected: readonly Transition[]): MicroPlan | null {
    let branches = config.branches;
    let branch: Branch | undefined;
    for (const t of selected) {
      if (branches === undefined) {
        branches = new Map();
        branch!.next = branches;
      }
      branch = branches.get(t);
      if (branch === undefined) {
        branch = { plan: undefined, next: undefined };
        branches.set(t, branch);
      }
      branches = branch.next!;
    }
    if (branch!.plan === undefined) branch!.plan = this.microstep(config, selected, false, branch!);
    return branch!.plan;
  }

  private planOfInitial(): MicroPlan | null {
    const start = this.configOf([this.root]);
    const initial: Transition = {
      target: [...initialStates(this.root)],
      source: this.root,
      reenter: true,
      actions: [],
      guard: undefined,
    };
    return this.microstep(start, [initial], true, { plan: undefined, next: undefined });
  }

  /**
   * XState's `microstep`, its actions listed instead of run: the exit set (innermost first), the
   * transitions' actions, the entry set (outermost first, with the initial actions of the states
   * entered by default), and, on entering a final state at the top, every state's exit actions.
   */
  private microstep(
    config: Config,
    selected: readonly Transition[],
    isInitial: boolean,
    branch: Branch,
  ): MicroPlan | null {
    for (const t of selected) {
      for (const target of t.target ?? []) if (target.type === 'history') return null;
    }
    const transitions = removeConflictingTransitions(selected, config.set);
    const definitions: unknown[] = [];
    const active = new Set(config.nodes);
    if (!isInitial) {
      const exits = computeExitSet(transitions, active).sort((a, b) => b.order - a.order);
      for (const node of exits) {
        if (node.invoke.length > 0) return null;
        definitions.push(...node.exit);
        active.delete(node);
      }
    }
    for (const t of transitions) definitions.push(...t.actions);
    const toEnter = new Set<Node>();
    const byDefault = new Set<Node>();
    computeEntrySet(transitions, byDefault, toEnter);
    if (isInitial) byDefault.add(this.root);
    let done = false;
    for (const node of [...toEnter].sort((a, b) => a.order - b.order)) {
      active.add(node);
      if (node.invoke.length > 0) return null;
      definitions.push(...node.entry);
      if (byDefault.has(node)) definitions.push(...node.initial.actions);
      if (node.type === 'final') {
        // Only a final state at the top, of a machine without output: done, no event raised that is read.
        if (node.parent !== this.root || this.root.type !== 'compound') return null;
        if (this.root.output !== undefined || node.output !== undefined) return null;
        done = true;
      }
    }
    let nodes = [...active];
    if (done) {
      // XState sorts its list of the states in place: a done snapshot lists them innermost first.
      nodes = nodes.sort((a, b) => b.order - a.order);
      for (const node of nodes) definitions.push(...node.exit);
    }
    const moves = !sameSet(config.set, active);
    const to = moves ? this.configOf(nodes) : config;
    const steps = this.stepsOf(definitions);
    if (steps === null) return null;
    return { steps, to, moves, done, verified: false, refused: false, branch };
  }

  /** The steps of these actions, or null when one is not a built-in this covers. */
  private stepsOf(definitions: readonly unknown[]): Step[] | null {
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
    return steps;
  }
}

/** What a replayed macrostep made (one object per `TransitionPlans`, reused run after run). */
interface Run {
  to: Config;
  context: Record<string, unknown>;
  /** The event of the microstep being replayed (the send's, then the internal queue's). */
  event: Event;
  readonly made: ExecutableActionObject[];
  /** Some microstep assigned or changed the configuration: XState's snapshot is a new one. */
  changed: boolean;
  done: boolean;
  readonly used: MicroPlan[];
  /** Every plan used was seen through once already. */
  verified: boolean;
  /** XState's internal queue: the events raised without a delay. */
  readonly internalQueue: Event[];
  readonly extra: { readonly internalQueue: Event[]; readonly deferredActorIds: undefined };
}

function newRun(): Run {
  const internalQueue: Event[] = [];
  return {
    to: undefined as unknown as Config,
    context: {},
    event: { type: '' },
    made: [],
    changed: false,
    done: false,
    used: [],
    verified: true,
    internalQueue,
    extra: { internalQueue, deferredActorIds: undefined },
  };
}

/** No transition selected. */
const NONE: Transition[] = [];

function makeConfig(nodes: readonly Node[]): Config {
  const set = new Set(nodes);
  const children = new Map<Node, Node[]>();
  for (const node of nodes) {
    const parent = node.parent;
    if (parent === undefined || !set.has(parent)) continue;
    let list = children.get(parent);
    if (list === undefined) {
      list = [];
      children.set(parent, list);
    }
    list.push(node);
  }
  const eventless: Node[][] = [];
  for (const node of nodes) {
    if (node.type !== 'atomic' && node.type !== 'final') continue;
    const chain: Node[] = [];
    let holds = false;
    for (let n: Node | undefined = node; n !== undefined; n = n.parent) {
      chain.push(n);
      if (n.always !== undefined) holds = true;
    }
    if (holds) eventless.push(chain);
  }
  return { nodes, set, children, eventless, template: undefined, branches: new Map(), unguarded: new Map() };
}

/** A machine without `invoke` or history states anywhere. */
function isCovered(node: Node): boolean {
  if (node.invoke.length > 0 || node.type === 'history') return false;
  for (const key in node.states) if (!isCovered(node.states[key]!)) return false;
  return true;
}

/** XState's own events (`xstate.stop`, errors, …) are XState's; its timers' events are the machine's. */
function isXStateEvent(type: string): boolean {
  return type.startsWith('xstate.') && !type.startsWith('xstate.after.');
}

function sameNodes(a: readonly Node[], b: readonly Node[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameSet(a: ReadonlySet<Node>, b: ReadonlySet<Node>): boolean {
  if (a.size !== b.size) return false;
  for (const node of a) if (!b.has(node)) return false;
  return true;
}

// XState's microstep as its `stateUtils` has it (xstate 5.33; history states aside: not covered).

function isDescendant(child: Node, parent: Node | undefined): boolean {
  let marker = child;
  while (marker.parent !== undefined && marker.parent !== parent) marker = marker.parent;
  return marker.parent === parent;
}

function properAncestors(node: Node, to: Node | undefined): Node[] {
  const ancestors: Node[] = [];
  if (to === node) return ancestors;
  for (let m = node.parent; m !== undefined && m !== to; m = m.parent) ancestors.push(m);
  return ancestors;
}

function childrenOf(node: Node): Node[] {
  return Object.values(node.states).filter((s) => s.type !== 'history');
}

function initialStates(node: Node): Set<Node> {
  const set = new Set<Node>();
  const iter = (n: Node): void => {
    if (set.has(n)) return;
    set.add(n);
    if (n.type === 'compound') iter(n.initial.target[0]!);
    else if (n.type === 'parallel') for (const child of childrenOf(n)) iter(child);
  };
  iter(node);
  return set;
}

function transitionDomain(t: Transition): Node | undefined {
  const targets = t.target ?? [];
  if (!t.reenter && targets.every((target) => target === t.source || isDescendant(target, t.source))) return t.source;
  const all = [...targets, t.source];
  const [head, ...tail] = all;
  for (const ancestor of properAncestors(head!, undefined)) {
    if (tail.every((n) => isDescendant(n, ancestor))) return ancestor;
  }
  if (t.reenter) return undefined;
  let root = t.source;
  while (root.parent !== undefined) root = root.parent;
  return root;
}

function computeExitSet(transitions: readonly Transition[], active: ReadonlySet<Node>): Node[] {
  const exits = new Set<Node>();
  for (const t of transitions) {
    if (!t.target?.length) continue;
    const domain = transitionDomain(t);
    if (t.reenter && t.source === domain) exits.add(domain);
    for (const node of active) if (isDescendant(node, domain)) exits.add(node);
  }
  return [...exits];
}

function removeConflictingTransitions(enabled: readonly Transition[], active: ReadonlySet<Node>): Transition[] {
  const filtered = new Set<Transition>();
  for (const t1 of enabled) {
    let preempted = false;
    const toRemove = new Set<Transition>();
    for (const t2 of filtered) {
      const exits2 = computeExitSet([t2], active);
      if (computeExitSet([t1], active).some((n) => exits2.includes(n))) {
        if (isDescendant(t1.source, t2.source)) toRemove.add(t2);
        else {
          preempted = true;
          break;
        }
      }
    }
    if (!preempted) {
      for (const t3 of toRemove) filtered.delete(t3);
      filtered.add(t1);
    }
  }
  return [...filtered];
}

function computeEntrySet(transitions: readonly Transition[], byDefault: Set<Node>, toEnter: Set<Node>): void {
  for (const t of transitions) {
    const domain = transitionDomain(t);
    for (const s of t.target ?? []) {
      if (t.source !== s || t.source !== domain || t.reenter) {
        toEnter.add(s);
        byDefault.add(s);
      }
      addDescendants(s, byDefault, toEnter);
    }
    for (const s of t.target ?? []) {
      const ancestors = properAncestors(s, domain);
      if (domain?.type === 'parallel') ancestors.push(domain);
      addAncestors(toEnter, byDefault, ancestors, t.source.parent === undefined && t.reenter ? undefined : domain);
    }
  }
}

function addDescendants(node: Node, byDefault: Set<Node>, toEnter: Set<Node>): void {
  if (node.type === 'compound') {
    const initial = node.initial.target[0]!;
    toEnter.add(initial);
    byDefault.add(initial);
    addDescendants(initial, byDefault, toEnter);
    addAncestors(toEnter, byDefault, properAncestors(initial, node), undefined);
  } else if (node.type === 'parallel') {
    for (const child of childrenOf(node)) {
      if ([...toEnter].some((s) => isDescendant(s, child))) continue;
      toEnter.add(child);
      byDefault.add(child);
      addDescendants(child, byDefault, toEnter);
    }
  }
}

function addAncestors(toEnter: Set<Node>, byDefault: Set<Node>, ancestors: readonly Node[], domain: Node | undefined) {
  for (const anc of ancestors) {
    if (domain === undefined || isDescendant(anc, domain)) toEnter.add(anc);
    if (anc.type !== 'parallel') continue;
    for (const child of childrenOf(anc)) {
      if ([...toEnter].some((s) => isDescendant(s, child))) continue;
      toEnter.add(child);
      addDescendants(child, byDefault, toEnter);
    }
  }
}

/** XState's `matchesEventDescriptor`: `*`, and `a.*` for `a` and the events under it. */
function matchesEventDescriptor(eventType: string, descriptor: string): boolean {
  if (descriptor === eventType || descriptor === '*') return true;
  if (!descriptor.endsWith('.*')) return false;
  const partial = descriptor.split('.');
  const tokens = eventType.split('.');
  for (let i = 0; i < partial.length; i++) {
    if (partial[i] === '*') return i === partial.length - 1;
    if (partial[i] !== tokens[i]) return false;
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
