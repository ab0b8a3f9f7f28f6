/**
 * The work queue (src/sim/workqueue.ts) files queued keys by type, namespace and name: it must
 * call the same reconcilers at the same instants in the same order as the queue of joined
 * `type\0namespace\0name` keys it replaced (below), whatever is enqueued when, from inside a
 * reconcile too; and in the same order among the engine's other callbacks (the queue's reconciles
 * wait in the engine's lanes, one per delay, where the queue it replaced scheduled each with
 * `engine.after`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/sim/engine.js';
import { type Reconciler, WorkQueue } from '../../src/sim/workqueue.js';

/** The queue as it was: one joined string per key. */
class JoinedKeyQueue {
  private readonly pending = new Set<string>();
  private readonly reconcilers = new Map<string, Reconciler>();
  constructor(
    private readonly engine: Engine,
    private readonly delayMs: number,
  ) {}
  register(type: string, reconciler: Reconciler): void {
    this.reconcilers.set(type, reconciler);
  }
  enqueue(type: string, namespace: string, name: string, delayMs = this.delayMs): void {
    const reconciler = this.reconcilers.get(type);
    if (!reconciler) return;
    const key = `${type}\u0000${namespace}\u0000${name}`;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.engine.after(delayMs, () => {
      this.pending.delete(key);
      reconciler(namespace, name);
    });
  }
}

const TYPES = ['pods', 'routes', 'unregistered'];
const NAMESPACES = ['default', 'prod', ''];
const NAMES = ['a', 'b', 'a-b', 'default'];

interface Op {
  at: number;
  type: string;
  ns: string;
  name: string;
  delay: number | undefined;
  again: { type: string; name: string } | undefined;
  /** Another of the engine's callbacks, scheduled right after the enqueue, this many ms later. */
  timer: number | undefined;
}

const op: fc.Arbitrary<Op> = fc.record({
  at: fc.integer({ min: 0, max: 60 }),
  type: fc.constantFrom(...TYPES),
  ns: fc.constantFrom(...NAMESPACES),
  name: fc.constantFrom(...NAMES),
  delay: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  again: fc.option(fc.record({ type: fc.constantFrom(...TYPES), name: fc.constantFrom(...NAMES) }), { nil: undefined }),
  timer: fc.option(fc.integer({ min: 0, max: 25 }), { nil: undefined }),
});

function run(make: (engine: Engine) => Pick<WorkQueue, 'register' | 'enqueue'>, ops: readonly Op[]): string[] {
  const engine = new Engine();
  const queue = make(engine);
  const calls: string[] = [];
  // Each reconcile of a key that an op names re-enqueues that op's `again` key (a reconcile
  // whose write wakes another controller), once.
  const agains = new Map<string, { type: string; name: string }>();
  for (const o of ops) if (o.again) agains.set(`${o.type} ${o.ns} ${o.name}`, o.again);
  for (const type of TYPES.slice(0, 2)) {
    queue.register(type, (ns, name) => {
      calls.push(`${engine.now()} ${type} ${ns} ${name}`);
      const again = agains.get(`${type} ${ns} ${name}`);
      if (again) {
        agains.delete(`${type} ${ns} ${name}`);
        queue.enqueue(again.type, ns, again.name);
      }
    });
  }
  ops.forEach((o, i) => {
    engine.at(o.at, () => {
      queue.enqueue(o.type, o.ns, o.name, o.delay);
      if (o.timer !== undefined) engine.after(o.timer, () => calls.push(`${engine.now()} timer ${i}`));
    });
  });
  engine.runUntil(1_000);
  return calls;
}

describe('the work queue', () => {
  it('reconciles as the queue of joined keys did (seed printed on failure)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const now = run((e) => new WorkQueue(e, 5), ops);
        const before = run((e) => new JoinedKeyQueue(e, 5), ops);
        expect(now).toEqual(before);
      }),
      { numRuns: 500 },
    );
  });
});
