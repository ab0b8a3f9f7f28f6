/**
 * fast-check properties of the decider, the windows and the scale step. Each runs 1000 cases
 * with a fixed seed, so failures replay.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeciderSpec, DeciderState, PAState, ScaleInput } from '../../src/model/kpa/index.js';
import {
  computeActiveCondition,
  computeScale,
  decide,
  MetricWindow,
  minReadyPods,
  newDeciderState,
} from '../../src/model/kpa/index.js';
import { spec } from './fixtures.js';
import { averageWindow, type MetricRecord } from './oracle.js';

const S = 1000;
const RUNS = { numRuns: 1000 };

/** Decider specs around the defaults: targets, rates, thresholds, delays, activation scale. */
const specArb: fc.Arbitrary<DeciderSpec> = fc
  .record({
    targetValue: fc.constantFrom(1, 7, 10, 70, 100),
    maxScaleUpRate: fc.constantFrom(1.1, 2, 10, 1000),
    maxScaleDownRate: fc.constantFrom(1.1, 2, 10),
    panicThreshold: fc.constantFrom(1.1, 2, 4),
    stableWindowMs: fc.constantFrom(6 * S, 20 * S, 60 * S),
    scaleDownDelayMs: fc.constantFrom(0, 0, 4 * S, 30 * S),
    activationScale: fc.constantFrom(1, 1, 2, 5),
    reachable: fc.boolean(),
    targetBurstCapacity: fc.constantFrom(-1, 0, 211),
  })
  .map((o) => spec({ ...o, totalValue: o.targetValue / 0.7 }));

/** One tick's inputs: time step, ready pods, stable and panic load. */
const tickArb = fc.record({
  dtMs: fc.integer({ min: 1, max: 10 * S }),
  readyPods: fc.integer({ min: 0, max: 50 }),
  stable: fc.double({ min: 0, max: 2000, noNaN: true }),
  panic: fc.double({ min: 0, max: 2000, noNaN: true }),
});

type Tick = typeof tickArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs the ticks from a fresh state and returns every decision. */
function run(s: DeciderSpec, ticks: readonly Tick[]) {
  let state: DeciderState = newDeciderState(s, ticks[0]?.readyPods ?? 0, 0);
  let now = 0;
  return ticks.map((t) => {
    now += t.dtMs;
    const d = decide(s, state, { readyPods: t.readyPods, stable: t.stable, panic: t.panic }, now);
    state = d.state;
    return d;
  });
}

describe('decider properties', () => {
  // Compared before the scale-down delay: a value held only by the delay may expire during a
  // later panic, which is not a panic scale-down.
  it('never scales down while panicking', () => {
    fc.assert(
      fc.property(specArb, fc.array(tickArb, { minLength: 2, maxLength: 25 }), (s, ticks) => {
        const ds = run(s, ticks);
        for (let i = 1; i < ds.length; i++) {
          const prev = ds[i - 1]!.record;
          const cur = ds[i]!.record;
          if (prev.panicking && cur.panicking && (cur.undelayed ?? 0) < (prev.undelayed ?? 0)) return false;
          if (cur.panicking && cur.delayed === null && cur.desiredPodCount !== cur.undelayed) return false;
        }
        return true;
      }),
      { ...RUNS, seed: 20261127 },
    );
  });

  it('keeps each window want within [maxScaleDown, maxScaleUp] before activation scale', () => {
    fc.assert(
      fc.property(specArb, fc.array(tickArb, { minLength: 1, maxLength: 15 }), (s, ticks) => {
        for (const { record: r } of run(s, ticks)) {
          const clamp = (x: number) => Math.min(Math.max(x, r.maxScaleDown), r.maxScaleUp);
          const lifted = (raw: number, count: number) =>
            r.activationScale > 1 && raw > 0 && count === r.activationScale;
          const stableCount = r.stableCount ?? 0;
          const panicCount = r.panicCount ?? 0;
          if (!lifted(r.desiredStable ?? 0, stableCount) && stableCount !== clamp(r.desiredStable ?? 0)) return false;
          if (!lifted(r.desiredPanic ?? 0, panicCount) && panicCount !== clamp(r.desiredPanic ?? 0)) return false;
          if (r.maxScaleDown > r.maxScaleUp) return false;
          if (!r.reachable && r.maxScaleDown !== 0) return false;
        }
        return true;
      }),
      { ...RUNS, seed: 4242 },
    );
  });

  it('more observed load never gives fewer desired pods from the same state', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.array(tickArb, { minLength: 0, maxLength: 10 }),
        tickArb,
        fc.double({ min: 0, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (s, history, t, extraStable, extraPanic) => {
          const ds = run(s, history);
          const state = ds.at(-1)?.state ?? newDeciderState(s, t.readyPods, 0);
          const now = history.reduce((acc, h) => acc + h.dtMs, 0) + t.dtMs;
          const low = decide(s, state, { readyPods: t.readyPods, stable: t.stable, panic: t.panic }, now);
          const high = decide(
            s,
            state,
            { readyPods: t.readyPods, stable: t.stable + extraStable, panic: t.panic + extraPanic },
            now,
          );
          return high.result.desiredPodCount >= low.result.desiredPodCount;
        },
      ),
      { ...RUNS, seed: 777 },
    );
  });
});

describe('window properties', () => {
  /** Records moving mostly forward in time, sometimes jumping back or far ahead. */
  const recordsArb = fc
    .array(
      fc.record({
        stepMs: fc.oneof(
          { weight: 8, arbitrary: fc.integer({ min: 0, max: 1_500 }) },
          { weight: 1, arbitrary: fc.integer({ min: -8_000, max: 0 }) },
          { weight: 1, arbitrary: fc.integer({ min: 1_500, max: 30_000 }) },
        ),
        value: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: -5, max: 500, noNaN: true })),
      }),
      { maxLength: 120 },
    )
    .map((steps) => {
      let t = 100_000;
      return steps.map(({ stepMs, value }): MetricRecord => {
        t = Math.max(0, t + stepMs);
        return { tMs: t, value };
      });
    });

  it('the ring gives exactly what the pure function gives', () => {
    fc.assert(
      fc.property(
        recordsArb,
        fc.oneof(
          fc.integer({ min: 1, max: 20 }).map((x) => x * S),
          fc.integer({ min: 500, max: 20_000 }),
        ),
        fc.constantFrom('linear' as const, 'weighted-exponential' as const),
        fc.array(fc.integer({ min: -5_000, max: 25_000 }), { minLength: 1, maxLength: 4 }),
        (records, windowMs, algorithm, queryOffsets) => {
          const ring = new MetricWindow(windowMs, algorithm);
          const last = records.at(-1)?.tMs ?? 100_000;
          for (let i = 0; i < records.length; i++) {
            const r = records[i]!;
            ring.record(r.tMs, r.value);
            // Check along the way too, not only at the end.
            if (i % 17 === 0) {
              expect(ring.average(r.tMs)).toBe(averageWindow(records.slice(0, i + 1), windowMs, r.tMs, algorithm));
            }
          }
          for (const off of queryOffsets) {
            const now = Math.max(0, last + off);
            expect(ring.average(now)).toBe(averageWindow(records, windowMs, now, algorithm));
          }
        },
      ),
      { ...RUNS, seed: 31337 },
    );
  });
});

describe('scale step properties', () => {
  const scaleInputArb: fc.Arbitrary<ScaleInput> = fc
    .record({
      minScale: fc.integer({ min: 0, max: 5 }),
      extra: fc.integer({ min: 0, max: 10 }),
      unlimited: fc.boolean(),
      reachable: fc.boolean(),
      initialScale: fc.integer({ min: 0, max: 6 }),
      enableScaleToZero: fc.boolean(),
      tbc: fc.constantFrom(-1, 0, 211),
      retention: fc.constantFrom(0, 10 * S, 90 * S),
      desired: fc.integer({ min: -1, max: 30 }),
      paState: fc.constantFrom<PAState>('Active', 'Activating', 'Inactive'),
      paFor: fc.integer({ min: 0, max: 1_000 * S }),
      initialized: fc.boolean(),
      current: fc.integer({ min: 0, max: 20 }),
      proxyFor: fc.option(fc.integer({ min: 0, max: 120 * S })),
      probe: fc.boolean(),
    })
    .map((o) => {
      const now = 10_000_000;
      return {
        spec: spec({
          minScale: o.minScale,
          maxScale: o.unlimited ? 0 : o.minScale + o.extra,
          reachable: o.reachable,
          // A valid configuration: initial scale does not exceed a set max-scale.
          initialScale: o.unlimited ? o.initialScale : Math.min(o.initialScale, o.minScale + o.extra),
          enableScaleToZero: o.enableScaleToZero,
          targetBurstCapacity: o.tbc,
          scaleToZeroPodRetentionMs: o.retention,
        }),
        desired: o.desired,
        paState: o.paState,
        paStateSinceMs: now - o.paFor,
        scaleTargetInitialized: o.initialized,
        currentReplicas: o.current,
        sksMode: o.proxyFor === null ? 'Serve' : 'Proxy',
        proxySinceMs: o.proxyFor === null ? null : now - o.proxyFor,
        activatorProbeOk: o.probe,
        nowMs: now,
      } satisfies ScaleInput;
    });

  it('applied replicas are within [min, max] when max > 0', () => {
    fc.assert(
      fc.property(scaleInputArb, (input) => {
        const d = computeScale(input);
        if (d.replicas !== undefined && d.maxScale > 0) {
          expect(d.replicas).toBeGreaterThanOrEqual(d.minScale);
          expect(d.replicas).toBeLessThanOrEqual(d.maxScale);
        }
        if (d.replicas !== undefined) expect(d.replicas).toBeGreaterThanOrEqual(0);
        if (!d.apply) expect(d.replicas === undefined || d.replicas === input.currentReplicas).toBe(true);
      }),
      { ...RUNS, seed: 2718 },
    );
  });

  it('scales to zero only through an allowed gate', () => {
    fc.assert(
      fc.property(scaleInputArb, (input) => {
        const d = computeScale(input);
        if (d.replicas !== 0) return;
        expect(input.spec.enableScaleToZero).toBe(true);
        expect(input.paState).not.toBe('Active');
        if (input.paState === 'Activating') {
          expect(d.gate).toBe('activation-timeout');
          expect(d.paStateForMs).toBeGreaterThan(input.spec.activationTimeoutMs);
          return;
        }
        expect(['scale-to-zero', 'fast-path']).toContain(d.gate);
        if (input.spec.targetBurstCapacity !== -1) expect(input.activatorProbeOk).toBe(true);
        const inactiveFor = d.paStateForMs;
        const grace = input.spec.scaleToZeroGracePeriodMs;
        expect(inactiveFor >= d.retentionMs || inactiveFor >= Math.max(grace, d.retentionMs)).toBe(true);
        expect(inactiveFor >= Math.max(grace, d.retentionMs) || d.proxyForMs >= grace).toBe(true);
      }),
      { ...RUNS, seed: 1618 },
    );
  });

  /**
   * A whole lifecycle: the PA starts Active with one pod, ticks advance time, the decider's want
   * changes at random, pods become ready at once, and the Active condition follows the scale
   * step. Whenever replicas go to 0 (other than an activation timeout), the PA must have been
   * Active for at least the stable window before it turned Inactive, and the grace period (or
   * fast path) must have passed since.
   */
  it('never scales to zero before the PA was active for the stable window and the gate passed', () => {
    const stepArb = fc.record({
      dtMs: fc.integer({ min: 500, max: 20 * S }),
      desired: fc.oneof(
        { weight: 4, arbitrary: fc.constant(0) },
        { weight: 2, arbitrary: fc.integer({ min: -1, max: 3 }) },
      ),
      probe: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(0, 211, -1),
        fc.constantFrom(10 * S, 60 * S),
        fc.array(stepArb, { minLength: 1, maxLength: 60 }),
        (tbc, stableWindowMs, steps) => {
          const s = spec({ targetBurstCapacity: tbc, stableWindowMs });
          let now = 0;
          let replicas = 1;
          let paState: PAState = 'Active';
          let paSince = 0;
          let lastActivePeriodMs = 0;
          let proxySince: number | null = tbc === 0 ? null : 0;
          for (const step of steps) {
            now += step.dtMs;
            const d = computeScale({
              spec: s,
              desired: step.desired,
              paState,
              paStateSinceMs: paSince,
              scaleTargetInitialized: true,
              currentReplicas: replicas,
              sksMode: proxySince === null ? 'Serve' : 'Proxy',
              proxySinceMs: proxySince,
              activatorProbeOk: step.probe,
              nowMs: now,
            });
            if (d.apply && d.replicas === 0 && d.gate !== 'activation-timeout') {
              expect(paState).toBe('Inactive');
              expect(lastActivePeriodMs).toBeGreaterThanOrEqual(stableWindowMs);
              const inactiveFor = now - paSince;
              const proxyFor = proxySince === null ? 0 : now - proxySince;
              expect(inactiveFor >= s.scaleToZeroGracePeriodMs || proxyFor >= s.scaleToZeroGracePeriodMs).toBe(true);
            }
            if (d.replicas !== undefined) replicas = d.replicas;
            const cond = computeActiveCondition({
              want: d.want,
              readyPods: replicas,
              minReady: minReadyPods(s, true),
              paState,
            });
            if (cond.paState !== paState) {
              if (paState === 'Active') lastActivePeriodMs = now - paSince;
              paState = cond.paState;
              paSince = now;
            }
            // With TBC 0 the activator joins the path only once the PA goes inactive.
            if (tbc === 0) {
              if (paState === 'Inactive' && proxySince === null) proxySince = now;
              if (paState !== 'Inactive' && replicas > 0) proxySince = null;
            }
          }
        },
      ),
      { ...RUNS, seed: 99 },
    );
  });
});
