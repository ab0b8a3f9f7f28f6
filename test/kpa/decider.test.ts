import { describe, expect, it } from 'vitest';
import type { DeciderSpec, DeciderState } from '../../src/model/kpa/index.js';
import {
  decide,
  initialExcessBurstCapacity,
  newDeciderState,
  shouldPoke,
  shouldTriggerReconcile,
} from '../../src/model/kpa/index.js';
import { obs, spec, tick } from './fixtures.js';

const S = 1000;

/**
 * The decider spec of Knative's autoscaler_test.go `newTestAutoscaler(target, tbc)`: total =
 * target / 0.75, panic threshold 2, rates 10, 60 s stable window, reachable.
 */
function knSpec(target: number, tbc: number, overrides: Partial<DeciderSpec> = {}): DeciderSpec {
  return spec({
    targetValue: target,
    totalValue: target / 0.75,
    targetBurstCapacity: tbc,
    panicThreshold: 2,
    maxScaleUpRate: 10,
    maxScaleDownRate: 10,
    stableWindowMs: 60 * S,
    reachable: true,
    scaleDownDelayMs: 0,
    activationScale: 1,
    ...overrides,
  });
}

/** Knative's expectedEBC: floor(target / 0.75 × pods − tbc − panic). */
function expectedEBC(target: number, tbc: number, panic: number, pods: number): number {
  return Math.floor((target / 0.75) * pods - tbc - panic);
}

/** A fresh decider state with one ready pod (no panic). */
function fresh(s: DeciderSpec, ready = 1, nowMs = 0): DeciderState {
  return newDeciderState(s, ready, nowMs);
}

describe('TestAutoscalerScale (table)', () => {
  it.each<{
    label: string;
    s: DeciderSpec;
    ready: number;
    stable: number;
    panic: number;
    prep?: { panicTimeMs: number; maxPanicPods: number };
    wantScale: number;
    wantEBC: number;
  }>([
    {
      label: 'no data at zero gives zero',
      s: knSpec(10, 100),
      ready: 1,
      stable: 0,
      panic: 0,
      wantScale: 0,
      wantEBC: expectedEBC(10, 100, 0, 1),
    },
    {
      label: 'stable mode with unlimited TBC gives EBC -1',
      s: knSpec(181, -1),
      ready: 1,
      stable: 21,
      panic: 26,
      wantScale: 1,
      wantEBC: -1,
    },
    { label: 'TBC 0 gives EBC 0', s: knSpec(10, 0), ready: 1, stable: 50, panic: 49, wantScale: 5, wantEBC: 0 },
    {
      label: 'stable mode no change',
      s: knSpec(10, 100),
      ready: 1,
      stable: 50,
      panic: 50,
      wantScale: 5,
      wantEBC: expectedEBC(10, 100, 50, 1),
    },
    {
      label: 'panic with stable larger than panic uses stable',
      s: knSpec(1, 100),
      ready: 5,
      stable: 50,
      panic: 30,
      prep: { panicTimeMs: -5 * S, maxPanicPods: 5 },
      wantScale: 50,
      wantEBC: expectedEBC(1, 100, 30, 5),
    },
    {
      label: 'panic with stable less than panic uses panic',
      s: knSpec(1, 100),
      ready: 5,
      stable: 20,
      panic: 30,
      prep: { panicTimeMs: -5 * S, maxPanicPods: 5 },
      wantScale: 30,
      wantEBC: expectedEBC(1, 100, 30, 5),
    },
    {
      label: 'stable mode no change, already scaled',
      s: knSpec(10, 100),
      ready: 5,
      stable: 50,
      panic: 50,
      wantScale: 5,
      wantEBC: expectedEBC(10, 100, 50, 5),
    },
    {
      label: 'a small scale-up rate 1.1 from 2 pods still allows 3 (ceil)',
      s: knSpec(1, 1982, { maxScaleUpRate: 1.1 }),
      ready: 2,
      stable: 3,
      panic: 3.1,
      wantScale: 3,
      wantEBC: expectedEBC(1, 1982, 3.1, 2),
    },
    {
      label: 'a small scale-down rate 1.1 from 100 pods keeps 90 (floor)',
      s: knSpec(10, 1982, { maxScaleDownRate: 1.1 }),
      ready: 100,
      stable: 1,
      panic: 1,
      wantScale: 90,
      wantEBC: expectedEBC(10, 1982, 1, 100),
    },
    {
      label: 'an unreachable revision scales down without a rate limit',
      s: knSpec(10, 1982, { maxScaleDownRate: 1.1, reachable: false }),
      ready: 100,
      stable: 1,
      panic: 1,
      wantScale: 1,
      wantEBC: expectedEBC(10, 1982, 1, 100),
    },
    {
      label: 'panic mode doubles the pod count (panic takes precedence)',
      s: knSpec(10, 84),
      ready: 1,
      stable: 50,
      panic: 100,
      wantScale: 10,
      wantEBC: expectedEBC(10, 84, 100, 1),
    },
  ])('$label', ({ s, ready, stable, panic, prep, wantScale, wantEBC }) => {
    const state = { ...fresh(s, ready), ...(prep ?? { panicTimeMs: null, maxPanicPods: 0 }) };
    const d = decide(s, state, obs(ready, stable, panic), 0);
    expect(d.result).toEqual({ desiredPodCount: wantScale, excessBurstCapacity: wantEBC, valid: true });
  });
});

describe('narratives from autoscaler_test.go', () => {
  it('TestAutoscalerScaleDownDelay: a 4 holds for 5 minutes and drops at 5 min 2 s', () => {
    const s = knSpec(10, 100, { panicThreshold: 100, scaleDownDelayMs: 5 * 60 * S });
    let state = newDeciderState(s, 0);
    const at = (t: number, v: number) => {
      const r = tick(s, state, obs(0, v), t);
      state = r.state;
      return r.desired;
    };
    expect(at(2 * S, 40)).toBe(4);
    expect(at(5 * 60 * S, 0)).toBe(4);
    expect(at(5 * 60 * S + 2 * S, 0)).toBe(0);
    // Gradual: 4, then 3, then 0 scroll out one after another.
    expect(at(9 * 60 * S, 40)).toBe(4);
    expect(at(10 * 60 * S, 30)).toBe(4);
    expect(at(11 * 60 * S, 0)).toBe(4);
    expect(at(14 * 60 * S, 0)).toBe(3);
    expect(at(15 * 60 * S, 0)).toBe(0);
  });

  it('TestAutoscalerScaleDownDelayZero: without a delay the scale-down is immediate', () => {
    const s = knSpec(10, 100, { panicThreshold: 100 });
    const first = tick(s, newDeciderState(s, 0), obs(0, 40), 0);
    expect(first.desired).toBe(4);
    expect(tick(s, first.state, obs(0, 20), 500).desired).toBe(2);
  });

  it('the scale-down delay is ignored for an unreachable revision', () => {
    const s = knSpec(10, 100, { panicThreshold: 100, scaleDownDelayMs: 5 * 60 * S, reachable: false });
    const first = tick(s, newDeciderState(s, 0), obs(0, 40), 2 * S);
    expect(tick(s, first.state, obs(0, 0), 4 * S).desired).toBe(0);
  });

  it('the delay window is made with the decider and kept across spec updates (Update only swaps the spec)', () => {
    const delayed = knSpec(10, 100, { panicThreshold: 100, scaleDownDelayMs: 60 * S });
    const undelayed = { ...delayed, scaleDownDelayMs: 0 };
    // Made with a 60 s delay, then the spec's delay goes to 0: the window made at creation still holds.
    let state = tick(delayed, newDeciderState(delayed, 0), obs(0, 40), 2 * S).state;
    const held = tick(undelayed, state, obs(0, 0), 30 * S);
    expect(held.desired).toBe(4);
    expect(held.record.scaleDownDelayMs).toBe(60 * S);
    expect(tick(undelayed, held.state, obs(0, 0), 62 * S).desired).toBe(0);
    // A longer delay later does not resize it either: the 4 recorded at 2 s is gone at 62 s.
    state = tick(delayed, newDeciderState(delayed, 0), obs(0, 40), 2 * S).state;
    const longer = { ...delayed, scaleDownDelayMs: 300 * S };
    expect(tick(longer, state, obs(0, 0), 62 * S).desired).toBe(0);
  });

  it('a decider made without a delay never delays, even when the spec gains one', () => {
    const undelayed = knSpec(10, 100, { panicThreshold: 100 });
    const first = tick(undelayed, newDeciderState(undelayed, 0), obs(0, 40), 2 * S);
    const later = tick({ ...undelayed, scaleDownDelayMs: 60 * S }, first.state, obs(0, 0), 4 * S);
    expect(later.desired).toBe(0);
    expect(later.record.delayed).toBeNull();
    expect(later.record.scaleDownDelayMs).toBe(0);
  });

  it('TestAutoscalerNoDataNoAutoscale: an error makes the tick invalid and keeps the state', () => {
    const s = knSpec(10, 100);
    const state = fresh(s);
    const d = decide(s, state, { readyPods: 1, error: 'no metrics' }, 0);
    expect(d.result).toEqual({ desiredPodCount: 0, excessBurstCapacity: 0, valid: false });
    expect(d.state).toBe(state);
    expect(d.record.invalidReason).toBe('no metrics');
  });

  it('TestCantCountPods: a pod-count error is invalid too', () => {
    const s = knSpec(10, 81);
    const d = decide(s, fresh(s), { readyPods: 0, stable: 1000, panic: 888, error: 'peaches-in-regalia' }, 0);
    expect(d.result.valid).toBe(false);
  });

  it('TestAutoscalerStableModeIncreaseWithConcurrencyDefault', () => {
    const s = knSpec(10, 101);
    const a = tick(s, fresh(s), obs(1, 50, 10), 0);
    expect([a.desired, a.ebc]).toEqual([5, expectedEBC(10, 101, 10, 1)]);
    expect(tick(s, a.state, obs(1, 100, 10), 0).desired).toBe(10);
  });

  it('TestAutoscalerMetricsWithRPS: rps 100/99 with target 10 wants 10, still 10 a minute later', () => {
    const s = knSpec(10, 100, { metric: 'rps' });
    const a = tick(s, fresh(s), obs(1, 100, 99), 0);
    expect([a.desired, a.ebc]).toEqual([10, expectedEBC(10, 100, 99, 1)]);
    expect(tick(s, a.state, obs(1, 100, 99), 61 * S).desired).toBe(10);
  });

  it('TestAutoscalerUnpanicAfterSlowIncrease: panic holds at t+30 s and ends at t+62 s', () => {
    const s = knSpec(1, 98);
    const t0 = 1_000_000;
    const a = tick(s, fresh(s), obs(10, 11, 25), t0);
    expect([a.desired, a.ebc]).toEqual([25, expectedEBC(1, 98, 25, 10)]);
    expect(a.state.panicTimeMs).toBe(t0);
    const b = tick(s, a.state, obs(40, 30, 41), t0 + 30 * S);
    expect([b.desired, b.ebc]).toEqual([41, expectedEBC(1, 98, 41, 40)]);
    expect(b.state.panicTimeMs).toBe(t0);
    const c = tick(s, b.state, obs(55, 50, 56), t0 + 62 * S);
    expect([c.desired, c.ebc]).toEqual([50, expectedEBC(1, 98, 56, 55)]);
    expect(c.state.panicTimeMs).toBeNull();
    expect(c.record.panicExited).toBe(true);
  });

  it('TestAutoscalerExtendPanicWindow: still surging at t+30 s moves the panic time', () => {
    const s = knSpec(1, 98);
    const t0 = 1_000_000;
    const a = tick(s, fresh(s), obs(10, 11, 25), t0);
    const b = tick(s, a.state, obs(40, 30, 80), t0 + 30 * S);
    expect([b.desired, b.ebc]).toEqual([80, expectedEBC(1, 98, 80, 40)]);
    expect(b.state.panicTimeMs).toBe(t0 + 30 * S);
    expect(b.record.panicExtended).toBe(true);
  });

  it('TestAutoscalerStableModeDecrease', () => {
    const s = knSpec(10, 98);
    const a = tick(s, fresh(s), obs(8, 100, 100), 0);
    expect([a.desired, a.ebc]).toEqual([10, expectedEBC(10, 98, 100, 8)]);
    const b = tick(s, a.state, obs(8, 50, 50), 0);
    expect([b.desired, b.ebc]).toEqual([5, expectedEBC(10, 98, 50, 8)]);
  });

  it('TestAutoscalerStableModeNoTrafficScaleToZero', () => {
    const s = knSpec(10, 75);
    const a = tick(s, fresh(s), obs(1, 1, 0), 0);
    expect([a.desired, a.ebc]).toEqual([1, expectedEBC(10, 75, 0, 1)]);
    expect(tick(s, a.state, obs(1, 0, 0), 0).desired).toBe(0);
  });

  it('TestAutoscalerPanicModeExponentialTrackAndStabilize', () => {
    const s = knSpec(1, 101);
    const t = 1_000_000;
    const a = tick(s, fresh(s), obs(1, 6), t);
    expect(a.desired).toBe(6);
    const b = tick(s, a.state, obs(6, 36), t);
    expect([b.desired, b.state.panicTimeMs]).toEqual([36, t]);
    const c = tick(s, b.state, obs(36, 216), t + S);
    expect([c.desired, c.state.panicTimeMs]).toEqual([216, t + S]);
    const d = tick(s, c.state, obs(216, 1296), t + S);
    expect([d.desired, d.ebc]).toEqual([1296, expectedEBC(1, 101, 1296, 216)]);
    const e = tick(s, d.state, obs(1296, 1296), t + 2 * S);
    expect([e.desired, e.ebc]).toEqual([1296, expectedEBC(1, 101, 1296, 1296)]);
  });

  it('TestAutoscalerPanicThenUnPanicScaleDown: holds 100 at +30 s, scales to 1 at +61 s', () => {
    const s = knSpec(10, 93);
    const t0 = 1_000_000;
    const a = tick(s, fresh(s), obs(1, 100, 100), t0);
    expect(a.desired).toBe(10);
    const p = t0 + 10;
    const b = tick(s, a.state, obs(10, 100, 1000), p);
    expect([b.desired, b.ebc]).toEqual([100, expectedEBC(10, 93, 1000, 10)]);
    const c = tick(s, b.state, obs(10, 1, 1), p + 30 * S);
    expect(c.desired).toBe(100);
    const d = tick(s, c.state, obs(10, 1, 1), p + 61 * S);
    expect([d.desired, d.ebc]).toEqual([1, expectedEBC(10, 93, 1, 10)]);
  });

  it('TestAutoscalerRateLimitScaleUp: x10 per decision', () => {
    const s = knSpec(10, 61);
    const a = tick(s, fresh(s), obs(1, 1000, 1001), 0);
    expect([a.desired, a.ebc]).toEqual([10, expectedEBC(10, 61, 1001, 1)]);
    expect(tick(s, a.state, obs(10, 1000, 1001), 0).desired).toBe(100);
  });

  it('TestAutoscalerRateLimitScaleDown: ÷10 per decision', () => {
    const s = knSpec(10, 61);
    const a = tick(s, fresh(s), obs(100, 1, 1), 0);
    expect([a.desired, a.ebc]).toEqual([10, expectedEBC(10, 61, 1, 100)]);
    expect(tick(s, a.state, obs(10, 1, 1), 0).desired).toBe(1);
  });

  it('TestAutoscalerUseOnePodAsMinimumIfEndpointsNotFound: 0 ready pods count as 1 for rates, 0 for EBC', () => {
    const s = knSpec(10, 81);
    const a = tick(s, fresh(s, 0), obs(0, 1000, 888), 0);
    expect([a.desired, a.ebc]).toEqual([10, expectedEBC(10, 81, 888, 0)]);
  });

  it('TestAutoscalerUpdateTarget: a new spec applies on the next tick', () => {
    const s = knSpec(10, 77);
    const a = tick(s, fresh(s), obs(1, 100, 101), 0);
    expect(a.desired).toBe(10);
    const s2 = knSpec(1, 71);
    const b = tick(s2, a.state, obs(10, 100, 101), 0);
    expect([b.desired, b.ebc]).toEqual([100, expectedEBC(1, 71, 101, 10)]);
  });
});

describe('decider lifetime', () => {
  it.each<[number, boolean]>([
    [0, false],
    [1, false],
    [2, true],
    [5, true],
  ])('TestStartInPanicMode: created with %d ready pods, panicking = %s, maxPanicPods = ready', (ready, panicking) => {
    const state = newDeciderState(spec(), ready, 7_000);
    expect(state.panicTimeMs !== null).toBe(panicking);
    expect(state.maxPanicPods).toBe(ready);
    expect(state.desiredScale).toBe(-1);
  });

  it('a decider created in panic keeps the scale until a stable window after creation', () => {
    const s = spec();
    const state = newDeciderState(s, 3, 0);
    expect(tick(s, state, obs(3, 0), 2 * S).desired).toBe(3);
    expect(tick(s, state, obs(3, 0), 60 * S).desired).toBe(3);
    // 60 s after creation is not strictly later than panicTime + window; 62 s is.
    expect(tick(s, state, obs(3, 0), 62 * S).desired).toBe(1);
  });

  it.each<[string, number, number, number]>([
    ['TBC 211 at the defaults gives 1 × 100 − 211 = −111', 211, 1, -111],
    ['TBC 0 gives 0', 0, 1, 0],
    ['TBC −1 gives −1', -1, 1, -1],
    ['initial scale 3 with TBC 211 gives 89', 211, 3, 89],
    ['initial scale 0 with TBC 50 gives −50', 50, 0, -50],
  ])('initial EBC: %s', (_name, tbc, initialScale, want) => {
    const s = spec({ targetBurstCapacity: tbc, initialScale });
    expect(initialExcessBurstCapacity(s)).toBe(want);
    expect(newDeciderState(s, 0).excessBurstCapacity).toBe(want);
  });

  it('a valid tick records the decision and EBC in the state', () => {
    const s = spec();
    const d = tick(s, newDeciderState(s, 1), obs(1, 0), 0);
    expect(d.state.desiredScale).toBe(0);
    expect(d.state.excessBurstCapacity).toBe(-111);
  });
});

describe('boundaries of one decision (defaults: target 70, total 100)', () => {
  const s = spec();
  it.each<[string, number, number, number, boolean]>([
    ['70 in both windows needs exactly 1 pod', 70, 70, 1, false],
    ['70.01 stable needs 2 pods', 70.01, 70.01, 2, true],
    ['140 panic with 1 pod enters panic (2 ≥ 2 × 1)', 0, 140, 2, true],
    ['140.01 panic with 1 pod wants 3', 0, 140.01, 3, true],
    ['0 in both windows wants 0', 0, 0, 0, false],
    ['0.001 stable still wants 1 (ceil)', 0.001, 0.001, 1, false],
  ])('%s', (_name, stable, panic, want, panicking) => {
    const d = tick(s, newDeciderState(s, 1), obs(1, stable, panic), 0);
    expect(d.desired).toBe(want);
    expect(d.record.panicking).toBe(panicking);
  });

  it('the blog example: panic 19.874 with target 7 and 1 pod → panic and 3 pods', () => {
    const s7 = spec({ targetValue: 7, totalValue: 10 });
    const d = tick(s7, newDeciderState(s7, 1), obs(1, 5, 19.874), 0);
    expect(d.desired).toBe(3);
    expect(d.record.panicEntered).toBe(true);
    expect(d.ebc).toBe(Math.floor(10 - 211 - 19.874));
  });

  it('panic exit needs panicTime + stable window strictly before now', () => {
    const t0 = 100 * S;
    const entered = tick(s, newDeciderState(s, 1), obs(1, 0, 200), t0);
    expect(entered.record.panicEntered).toBe(true);
    expect(tick(s, entered.state, obs(3, 0, 0), t0 + 60 * S).record.panicking).toBe(true);
    expect(tick(s, entered.state, obs(3, 0, 0), t0 + 60 * S + 1).record.panicking).toBe(false);
  });

  it('no scale-down in panic: the panic maximum holds while the load falls', () => {
    const a = tick(s, newDeciderState(s, 1), obs(1, 0, 500), 0);
    expect(a.desired).toBe(8);
    const b = tick(s, a.state, obs(8, 0, 100), 2 * S);
    expect(b.desired).toBe(8);
    expect(b.state.maxPanicPods).toBe(8);
  });
});

describe('activation scale', () => {
  const s = spec({ activationScale: 3 });
  it.each<[string, number, number, number]>([
    ['lifts a want of 1 to 3', 10, 10, 3],
    ['never lifts a want of 0', 0, 0, 0],
    ['leaves a want above it alone', 350, 350, 5],
  ])('%s', (_name, stable, panic, want) => {
    const d = tick(s, newDeciderState(s, 1), obs(1, stable, panic), 0);
    expect(d.desired).toBe(want);
  });

  it('does not lift a count held up only by the scale-down limit', () => {
    // 5 ready, rate 2: maxDown 2 while raw want is 0, so the 2 stays 2.
    const d = tick(s, { ...newDeciderState(s, 5), panicTimeMs: null }, obs(5, 0), 0);
    expect(d.desired).toBe(2);
    expect(d.record.activationScaleApplied).toBe(false);
  });

  it('activation scale 1 is off', () => {
    const s1 = spec({ activationScale: 1 });
    expect(tick(s1, newDeciderState(s1, 1), obs(1, 1), 0).desired).toBe(1);
  });
});

describe('poke and reconcile triggers', () => {
  it.each<[number, number, boolean]>([
    [0, 1, true],
    [0, 0.5, true],
    [0, 0, false],
    [1, 1, false],
    [-1, 1, false],
  ])('shouldPoke(last %d, stat %d) = %s', (last, stat, want) => {
    expect(shouldPoke(last, stat)).toBe(want);
  });

  it.each<[string, [number, number], [number, number], boolean]>([
    ['same scale, same EBC sign', [1, -111], [1, -100], false],
    ['scale changed', [1, -111], [2, -111], true],
    ['EBC turned non-negative', [3, -1], [3, 0], true],
    ['EBC stayed non-negative', [3, 0], [3, 89], false],
  ])('shouldTriggerReconcile: %s', (_name, [d0, e0], [d1, e1], want) => {
    expect(
      shouldTriggerReconcile(
        { desiredScale: d0, excessBurstCapacity: e0 },
        { desiredScale: d1, excessBurstCapacity: e1 },
      ),
    ).toBe(want);
  });
});

describe('decision record', () => {
  it('is JSON-serialisable and carries every intermediate value', () => {
    const s = spec();
    const d = decide(s, newDeciderState(s, 1), obs(1, 19.9, 19.9), 4 * S);
    const back = JSON.parse(JSON.stringify(d.record));
    expect(back).toEqual(d.record);
    expect(d.record).toMatchObject({
      readyPods: 1,
      observedStable: 19.9,
      observedPanic: 19.9,
      maxScaleUp: 1000,
      maxScaleDown: 0,
      desiredStable: 1,
      desiredPanic: 1,
      stableCount: 1,
      panicCount: 1,
      panicking: false,
      desiredPodCount: 1,
      excessBurstCapacity: Math.floor(100 - 211 - 19.9),
      valid: true,
      invalidReason: null,
    });
  });
});
