/**
 * EventLog.wants (src/sim/log.ts) keeps its answer for each type until a listener comes or goes:
 * on random subscriptions and unsubscriptions, every answer is what a look at the listeners
 * there now gives (kept or streamed lines are always wanted; else a listener that takes every
 * type or this one).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/sim/log.js';

const TYPES = ['sample', 'kpa.tick', 'stat', 'object'] as const;

const step = fc.oneof(
  fc.record({
    op: fc.constant('subscribe' as const),
    types: fc.option(fc.subarray([...TYPES]), { nil: undefined }),
  }),
  fc.record({ op: fc.constant('unsubscribe' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('ask' as const), type: fc.constantFrom(...TYPES) }),
);

describe('EventLog.wants', () => {
  it('answers what the listeners there now take, as they come and go (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom('none', 'keep', 'sink'), fc.array(step, { maxLength: 30 }), (mode, steps) => {
        const log = new EventLog(
          mode === 'keep' ? { keep: true } : mode === 'sink' ? { keep: false, sink: () => {} } : { keep: false },
        );
        // The account from scratch: the types of each listener there now (undefined: every type).
        const there: { types: readonly string[] | undefined; off: () => void }[] = [];
        for (const s of steps) {
          if (s.op === 'subscribe') there.push({ types: s.types, off: log.subscribe(() => {}, s.types) });
          else if (s.op === 'unsubscribe') {
            if (there.length > 0) there.splice(s.which % there.length, 1)[0]!.off();
          } else {
            const scratch = mode !== 'none' || there.some((l) => l.types === undefined || l.types.includes(s.type));
            expect(log.wants(s.type)).toBe(scratch);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
