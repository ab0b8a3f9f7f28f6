/**
 * src/sim/controllers/useOrder.ts against the plain way it replaces: a `Map` whose every use
 * deletes the key and sets it again, its oldest key the first one an iteration finds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UseOrder } from '../../src/sim/controllers/useOrder.js';

type Op = { op: 'use'; key: string; gap: number } | { op: 'forget'; key: string } | { op: 'shift' };

/** The plain way: a Map, a key moved to the end by delete and set. */
class PlainOrder {
  readonly map = new Map<string, number>();
  use(key: string, time: number): void {
    this.map.delete(key);
    this.map.set(key, time);
  }
  forget(key: string): void {
    this.map.delete(key);
  }
  oldest(): [string, number] | undefined {
    for (const entry of this.map) return entry;
    return undefined;
  }
  shift(): void {
    const first = this.oldest();
    if (first) this.map.delete(first[0]);
  }
}

describe('UseOrder', () => {
  it('keeps the keys in the order and with the times a Map moved to the end on each use keeps (fast-check)', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ op: fc.constant('use' as const), key, gap: fc.constantFrom(0, 0, 1, 2.5) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), key }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('shift' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.constantFrom(0, 2, 8, 1024), (ops, floor) => {
        const order = new UseOrder(floor);
        const plain = new PlainOrder();
        let now = 0;
        const same = () => {
          const first = plain.oldest();
          expect(order.size).toBe(plain.map.size);
          expect(order.oldest()).toBe(first?.[0]);
          if (first) expect(order.oldestTime()).toBe(first[1]);
          else expect(order.oldestTime()).toBeNaN();
        };
        for (const o of ops) {
          if (o.op === 'use') {
            now += o.gap;
            order.use(o.key, now);
            plain.use(o.key, now);
          } else if (o.op === 'forget') {
            order.forget(o.key);
            plain.forget(o.key);
          } else {
            order.shift();
            plain.shift();
          }
          same();
        }
        // Taken out one by one, the whole order.
        while (plain.map.size > 0) {
          same();
          order.shift();
          plain.shift();
        }
        same();
      }),
      { numRuns: 1000 },
    );
  });
});
