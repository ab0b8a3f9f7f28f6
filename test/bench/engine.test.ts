/**
 * The engine's fast paths (typed-array heap, call(), lanes, tryAdvance) must deliver callbacks in
 * exactly the order of the plain definition: earliest time first, ties in scheduling order.
 * A random workload runs on the engine and on a reference queue; the delivery logs must match.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/sim/engine.js';

/** The definition: a sorted list of (at, seq) with no shortcuts. */
interface Item {
  at: number;
  seq: number;
  fn: () => void;
  cancelled?: boolean;
}

class ReferenceEngine {
  private items: Item[] = [];
  private seq = 0;
  private nowMs = 0;
  now(): number {
    return this.nowMs;
  }
  at(at: number, fn: () => void): Item {
    const item: Item = { at, seq: this.seq++, fn };
    this.items.push(item);
    return item;
  }
  runUntil(t: number): void {
    for (;;) {
      this.items.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.items[0];
      if (!next || next.at > t) break;
      this.items.shift();
      if (next.cancelled) continue;
      this.nowMs = next.at;
      next.fn();
    }
    if (t > this.nowMs) this.nowMs = t;
  }
}

interface Workload {
  /** Arrival gaps of the pump (0 makes ties). */
  gaps: number[];
  /** Per arrival: the service time (ms) of its completion, and which API schedules it. */
  services: number[];
  /**
   * 'lane<i>': the i-th of `lanes` lanes (taken modulo their number); 'due<i>': the same lane
   * through `callInLaneAt` (the time in the argument, as the data plane's completions); 'cancel': `after`, and the
   * previous 'cancel' arrival's callback is cancelled (delivered or not), as machine timers are.
   */
  apis: ('call' | 'after' | 'cancel' | `lane${number}` | `due${number}`)[];
  /** How many lanes (a fleet has one per revision: the lanes' own heap must order many). */
  lanes: number;
  /** runUntil steps. */
  steps: number[];
}

function runEngine(w: Workload): string[] {
  const engine = new Engine();
  // Lanes are made as they are first used, as revisions start during a run (past 8 the engine
  // switches from scanning them to its lane heap, with some of them holding callbacks).
  const lanes: number[] = [];
  const laneOf = (i: number) => {
    while (lanes.length <= i) lanes.push(engine.lane());
    return lanes[i]!;
  };
  const log: string[] = [];
  let i = 0;
  let arrivalAt = 0;
  let timer: ReturnType<Engine['after']> | undefined;
  const complete = (id: number) => log.push(`done ${id} @${engine.now()}`);
  const completeDue = (d: { dueMs: number; id: number }) => complete(d.id);
  const arrive = (id: number) => {
    let k = id;
    for (;;) {
      log.push(`arrive ${k} @${engine.now()}`);
      const at = engine.now() + w.services[k % w.services.length]!;
      const api = w.apis[k % w.apis.length]!;
      if (api === 'call') engine.call(at, complete, k);
      else if (api === 'after') {
        const n = k;
        engine.after(at - engine.now(), () => complete(n));
      } else if (api === 'cancel') {
        const n = k;
        engine.cancel(timer);
        timer = engine.after(at - engine.now(), () => complete(n));
      } else if (api.startsWith('due')) {
        engine.callInLaneAt(laneOf(Number(api.slice(3)) % w.lanes), completeDue, { dueMs: at, id: k });
      } else engine.callInLane(laneOf(Number(api.slice(4)) % w.lanes), at, complete, k);
      if (++i >= w.gaps.length) return;
      arrivalAt += w.gaps[i]!;
      const next = Math.max(arrivalAt, engine.now());
      if (!engine.tryAdvance(next)) {
        engine.call(next, arrive, i);
        return;
      }
      k = i;
    }
  };
  engine.call(0, arrive, 0);
  let t = 0;
  for (const s of w.steps) {
    t += s;
    engine.runUntil(t);
  }
  engine.runUntil(Number.POSITIVE_INFINITY);
  return log;
}

function runReference(w: Workload): string[] {
  const engine = new ReferenceEngine();
  const log: string[] = [];
  let arrivalAt = 0;
  let timer: Item | undefined;
  const arrive = (k: number) => {
    log.push(`arrive ${k} @${engine.now()}`);
    const item = engine.at(engine.now() + w.services[k % w.services.length]!, () =>
      log.push(`done ${k} @${engine.now()}`),
    );
    if (w.apis[k % w.apis.length] === 'cancel') {
      if (timer) timer.cancelled = true;
      timer = item;
    }
    if (k + 1 >= w.gaps.length) return;
    arrivalAt += w.gaps[k + 1]!;
    engine.at(Math.max(arrivalAt, engine.now()), () => arrive(k + 1));
  };
  engine.at(0, () => arrive(0));
  let t = 0;
  for (const s of w.steps) {
    t += s;
    engine.runUntil(t);
  }
  engine.runUntil(Number.POSITIVE_INFINITY);
  return log;
}

const workload = fc.record({
  gaps: fc.array(fc.constantFrom(0, 1, 2, 5, 10, 0.5), { minLength: 1, maxLength: 200 }),
  services: fc.array(fc.constantFrom(0, 1, 3, 10, 10, 10, 25, 7.5), { minLength: 1, maxLength: 8 }),
  apis: fc.array(
    fc.oneof(
      fc.constantFrom('call', 'after', 'cancel'),
      fc.nat(40).map((i) => `lane${i}`),
      fc.nat(40).map((i) => `due${i}`),
    ),
    {
      minLength: 1,
      maxLength: 12,
    },
  ),
  lanes: fc.integer({ min: 1, max: 40 }),
  steps: fc.array(fc.constantFrom(1, 3, 10, 50), { maxLength: 20 }),
}) as fc.Arbitrary<Workload>;

describe('engine fast paths', () => {
  it('deliver in (time, scheduling order) like the plain definition', () => {
    fc.assert(
      fc.property(workload, (w) => {
        expect(runEngine(w)).toEqual(runReference(w));
      }),
      { numRuns: 300 },
    );
  });

  it('lanes keep FIFO callbacks out of the heap and count them as pending', () => {
    const engine = new Engine();
    const lane = engine.lane();
    const seen: number[] = [];
    for (let i = 0; i < 1000; i++) engine.callInLane(lane, 100 + i, (n: number) => seen.push(n), i);
    expect(engine.pending()).toBe(1000);
    engine.runUntil(100 + 499);
    expect(seen).toHaveLength(500);
    expect(engine.pending()).toBe(500);
    engine.runUntil(5000);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(engine.pending()).toBe(0);
  });

  it('a lane holds no room until its first callback, then grows from there', () => {
    const engine = new Engine();
    const lanes = (engine as unknown as { lanes: { at: Float64Array; fn: unknown[] }[] }).lanes;
    const idle = engine.lane();
    const used = engine.lane();
    expect(lanes[idle]!.at.length).toBe(0);
    expect(lanes[idle]!.fn).toBe(lanes[used]!.fn);
    const seen: number[] = [];
    for (let i = 0; i < 40; i++) engine.callInLane(used, 10 + i, (n: number) => seen.push(n), i);
    engine.runUntil(100);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(lanes[idle]!.at.length).toBe(0);
    expect(lanes[used]!.at.length).toBeGreaterThanOrEqual(40);
  });

  it('delivers from a lane created by a callback during runUntil', () => {
    const engine = new Engine();
    const seen: string[] = [];
    engine.after(5, () => {
      const lane = engine.lane();
      engine.callInLane(lane, 10, (x: number) => seen.push(`lane ${x} @${engine.now()}`), 1);
      engine.callInLane(lane, 12, (x: number) => seen.push(`lane ${x} @${engine.now()}`), 2);
    });
    engine.after(11, () => seen.push(`heap @${engine.now()}`));
    engine.runUntil(100);
    expect(seen).toEqual(['lane 1 @10', 'heap @11', 'lane 2 @12']);
    expect(engine.pending()).toBe(0);
  });

  it('runs inline only within runUntil and only before everything pending', () => {
    const engine = new Engine();
    expect(engine.tryAdvance(5)).toBe(false); // not inside runUntil
    engine.at(10, () => {
      expect(engine.tryAdvance(15)).toBe(false); // 12 is pending
      expect(engine.tryAdvance(11)).toBe(true);
      expect(engine.now()).toBe(11);
      expect(engine.tryAdvance(12)).toBe(false); // a tie goes through the heap
      expect(engine.tryAdvance(30)).toBe(false); // beyond runUntil(20)
    });
    engine.at(12, () => {});
    engine.runUntil(20);
    expect(engine.now()).toBe(20);
  });
});

/**
 * `advanceTo`, as the load pump uses it: several pumps, each sending its arrivals in a loop and
 * moving on to its next arrival through `advanceTo` (which delivers what comes first from within
 * the pump) or, when that fails, through its own lane, as src/sim/load/driver.ts does. Each arrival
 * schedules a completion (heap, lanes, cancelled timers) and may send a request of a closed-loop
 * client (an arrival scheduled from within a delivery). The log must be the plain definition's,
 * where every arrival is an event of its own.
 */
interface Pumps {
  /** Arrival gaps of each pump (0 makes ties, also between pumps). */
  pumps: number[][];
  services: number[];
  apis: ('call' | 'after' | 'cancel' | 'lane' | 'client')[];
  steps: number[];
}

function runPumpsEngine(w: Pumps): string[] {
  const engine = new Engine();
  const completions = engine.lane();
  const log: string[] = [];
  let timer: ReturnType<Engine['after']> | undefined;
  let n = 0;
  const complete = (id: string) => log.push(`done ${id} @${engine.now()}`);
  const work = (id: string) => {
    const k = n++;
    const at = engine.now() + w.services[k % w.services.length]!;
    const api = w.apis[k % w.apis.length]!;
    if (api === 'call') engine.call(at, complete, id);
    else if (api === 'after') engine.after(at - engine.now(), () => complete(id));
    else if (api === 'cancel') {
      engine.cancel(timer);
      timer = engine.after(at - engine.now(), () => complete(id));
    } else if (api === 'lane') engine.callInLane(completions, at, complete, id);
    else engine.call(at, (c: string) => log.push(`client ${c} @${engine.now()}`), id);
  };
  w.pumps.forEach((gaps, p) => {
    const lane = engine.lane();
    let i = 0;
    let arrivalAt = 0;
    const fire = () => {
      for (;;) {
        log.push(`arrive ${p}.${i} @${engine.now()}`);
        work(`${p}.${i}`);
        if (++i >= gaps.length) return;
        arrivalAt += gaps[i]!;
        const next = Math.max(arrivalAt, engine.now());
        if (!engine.advanceTo(next)) {
          engine.callInLane(lane, next, fire, undefined);
          return;
        }
      }
    };
    engine.call(0, fire, undefined);
  });
  let t = 0;
  for (const s of w.steps) {
    t += s;
    engine.runUntil(t);
  }
  engine.runUntil(Number.POSITIVE_INFINITY);
  return log;
}

function runPumpsReference(w: Pumps): string[] {
  const engine = new ReferenceEngine();
  const log: string[] = [];
  let timer: Item | undefined;
  let n = 0;
  const work = (id: string) => {
    const k = n++;
    const at = engine.now() + w.services[k % w.services.length]!;
    const api = w.apis[k % w.apis.length]!;
    const item = engine.at(at, () => log.push(`${api === 'client' ? 'client' : 'done'} ${id} @${engine.now()}`));
    if (api === 'cancel') {
      if (timer) timer.cancelled = true;
      timer = item;
    }
  };
  w.pumps.forEach((gaps, p) => {
    let arrivalAt = 0;
    const arrive = (i: number) => {
      log.push(`arrive ${p}.${i} @${engine.now()}`);
      work(`${p}.${i}`);
      if (i + 1 >= gaps.length) return;
      arrivalAt += gaps[i + 1]!;
      engine.at(Math.max(arrivalAt, engine.now()), () => arrive(i + 1));
    };
    engine.at(0, () => arrive(0));
  });
  let t = 0;
  for (const s of w.steps) {
    t += s;
    engine.runUntil(t);
  }
  engine.runUntil(Number.POSITIVE_INFINITY);
  return log;
}

const pumps = fc.record({
  pumps: fc.array(fc.array(fc.constantFrom(0, 1, 2, 5, 10, 0.5), { minLength: 1, maxLength: 120 }), {
    minLength: 1,
    maxLength: 3,
  }),
  services: fc.array(fc.constantFrom(0, 1, 3, 10, 10, 10, 25, 7.5), { minLength: 1, maxLength: 8 }),
  apis: fc.array(fc.constantFrom('call', 'after', 'cancel', 'lane', 'client'), { minLength: 1, maxLength: 12 }),
  steps: fc.array(fc.constantFrom(1, 3, 10, 50), { maxLength: 20 }),
}) as fc.Arbitrary<Pumps>;

describe('engine advanceTo', () => {
  it('delivers what comes first from within the caller, in the plain definition order', () => {
    fc.assert(
      fc.property(pumps, (w) => {
        expect(runPumpsEngine(w)).toEqual(runPumpsReference(w));
      }),
      { numRuns: 400 },
    );
  });

  it('runs only within runUntil, and a nested call stays before the outer one', () => {
    const engine = new Engine();
    expect(engine.advanceTo(5)).toBe(false); // not inside runUntil
    const seen: string[] = [];
    engine.at(10, () => {
      expect(engine.advanceTo(30)).toBe(false); // beyond runUntil(20)
      expect(engine.advanceTo(15)).toBe(true); // 12 and 13 delivered first
      seen.push(`outer @${engine.now()}`);
    });
    engine.at(12, () => {
      // Delivered from within the outer call: the outer caller's time is not this one's to take
      // (what is scheduled later at 15 comes after the outer caller's work), an earlier one is.
      expect(engine.advanceTo(15)).toBe(false);
      expect(engine.advanceTo(14)).toBe(true); // 13 delivered first, nested
      seen.push(`12's next @${engine.now()}`);
    });
    engine.at(13, () => seen.push(`13 @${engine.now()}`));
    engine.runUntil(20);
    expect(seen).toEqual(['13 @13', "12's next @14", 'outer @15']);
    expect(engine.now()).toBe(20);
  });
});
