/**
 * EventLog's write (src/sim/log.ts) calls the listeners that take each type from a list kept
 * until a listener comes or goes, not every listener's type filter. Against a from-scratch log
 * (every listener behind its filter in a Set, walked on each write): the same listeners called
 * with the same lines in the same order, also when listeners subscribe and unsubscribe others,
 * or themselves, or the same listener twice, while a line is being written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/model/events.js';
import { EventLog } from '../../src/sim/log.js';

/** The log as it was: a Set of listeners, each typed one behind a filter. */
class ScratchLog {
  private readonly listeners = new Set<(line: LogLine) => void>();
  subscribe(listener: (line: LogLine) => void, types?: readonly string[]): () => void {
    const only = types ? new Set(types) : undefined;
    const wrapped = only
      ? (line: LogLine) => {
          if (only.has(line.type)) listener(line);
        }
      : listener;
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }
  event(line: LogLine): void {
    for (const l of this.listeners) l(line);
  }
}

const TYPES = ['sample', 'object', 'pod'] as const;
const typesArb = fc.option(fc.subarray([...TYPES], { minLength: 1 }), { nil: undefined });

/** What a listener does when called, in turn: nothing, subscribe a listener, unsubscribe one. */
const action = fc.oneof(
  fc.constant({ op: 'none' as const }),
  fc.record({ op: fc.constant('subscribe' as const), types: typesArb, shared: fc.boolean() }),
  fc.record({ op: fc.constant('unsubscribe' as const), which: fc.nat() }),
);

function drive(
  log: { subscribe: ScratchLog['subscribe']; event: (line: never) => void },
  initial: (readonly string[] | undefined)[],
  actions: { op: 'none' | 'subscribe' | 'unsubscribe'; types?: readonly string[]; shared?: boolean; which?: number }[],
  lines: (typeof TYPES)[number][],
): string[] {
  const calls: string[] = [];
  const offs: (() => void)[] = [];
  let turn = 0;
  let made = 0;
  // One listener for every type, subscribed again and again when `shared` (it keeps its place).
  const shared = (line: LogLine) => react('shared', line);
  function react(id: string, line: LogLine): void {
    calls.push(`${id} ${line.type} ${(line as { t: number }).t}`);
    // Each action once: a listener that subscribes one that is called in the same write (as
    // the Set's walk calls it) would otherwise subscribe without end.
    const a = actions[turn++];
    if (!a || a.op === 'none') return;
    if (a.op === 'subscribe') add(a.shared ? undefined : a.types, a.shared === true);
    else if (offs.length > 0) offs[a.which! % offs.length]!();
  }
  function add(types: readonly string[] | undefined, isShared: boolean): void {
    const id = `l${made++}`;
    offs.push(log.subscribe(isShared ? shared : (line) => react(id, line), types));
  }
  for (const types of initial) add(types, false);
  lines.forEach((type, t) => {
    log.event({ t, type } as never);
  });
  return calls;
}

describe('EventLog write', () => {
  it('calls the listeners a from-scratch Set of filters calls, as they come and go mid-write (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(typesArb, { maxLength: 4 }),
        fc.array(action, { maxLength: 12 }),
        fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 10 }),
        (initial, actions, lines) => {
          const mine = drive(new EventLog({ keep: false }), initial, actions, lines);
          const scratch = drive(new ScratchLog(), initial, actions, lines);
          expect(mine).toEqual(scratch);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
